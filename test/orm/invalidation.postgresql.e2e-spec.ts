import { MikroORM } from '@mikro-orm/postgresql';
import { randomBytes } from 'node:crypto';
import { describeWithService, isReachable, POSTGRES_URL } from '../support/services.js';
import { BLOG_ENTITIES } from './blog/blog.entities.js';
import { createBlogSchema } from './blog/blog.database.js';
import { invalidationSuite } from './invalidation.suite.js';

/** Each run gets its own PostgreSQL schema, dropped afterwards, so runs never see each other's rows. */
const schema = `cache_page_test_${process.pid}_${randomBytes(4).toString('hex')}`;

describeWithService(
  'PostgreSQL',
  POSTGRES_URL,
  await isReachable(POSTGRES_URL),
  'entity-driven invalidation: PostgreSQL, MikroORM 6',
  () =>
    invalidationSuite(
      async () => {
        const orm = await MikroORM.init({ clientUrl: POSTGRES_URL, schema, entities: BLOG_ENTITIES });
        await orm.em.getConnection().execute(`create schema if not exists "${schema}"`);
        await createBlogSchema(orm);
        return orm;
      },
      async (orm) => {
        await orm.em.getConnection().execute(`drop schema if exists "${schema}" cascade`);
        await orm.close(true);
      },
    ),
);
