import { describe, expect, test } from '@jest/globals';
import { MikroORM } from '@mikro-orm/libsql';
import { BLOG_ENTITIES } from './blog/blog.entities.js';
import { createBlogSchema, mikroOrmMajor } from './blog/blog.database.js';
import { invalidationSuite } from './invalidation.suite.js';

/** Under `npm run test:mikro-orm-7` the same file runs against MikroORM 7 (see compat/mikro-orm-7). */
const expectedMajor = Number(process.env.MIKRO_ORM_MAJOR ?? 6);

describe(`entity-driven invalidation: SQLite (libsql, in memory), MikroORM ${expectedMajor}`, () => {
  test(`runs against MikroORM ${expectedMajor}`, () => {
    expect(mikroOrmMajor()).toBe(expectedMajor);
  });

  invalidationSuite(
    async () => {
      const orm = await MikroORM.init({ dbName: ':memory:', entities: BLOG_ENTITIES });
      await createBlogSchema(orm);
      return orm;
    },
    (orm) => orm.close(true),
  );
});
