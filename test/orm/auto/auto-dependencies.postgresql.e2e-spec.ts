import { MikroORM } from '@mikro-orm/postgresql';
import { randomBytes } from 'node:crypto';
import { describeWithService, isReachable, POSTGRES_URL } from '../../support/services.js';
import { createBlogSchema } from '../blog/blog.database.js';
import { autoDependenciesSuite } from './auto-dependencies.suite.js';
import { AUTO_ENTITIES } from './auto.entities.js';

/** Each run gets its own PostgreSQL schema, dropped afterwards. */
const schema = `cache_page_auto_${process.pid}_${randomBytes(4).toString('hex')}`;

describeWithService(
  'PostgreSQL',
  POSTGRES_URL,
  await isReachable(POSTGRES_URL),
  'automatic dependencies: PostgreSQL, MikroORM 6',
  () =>
    autoDependenciesSuite(
      async () => {
        const orm = await MikroORM.init({ clientUrl: POSTGRES_URL, schema, entities: AUTO_ENTITIES });
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
