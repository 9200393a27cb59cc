import { describe } from '@jest/globals';
import { MikroORM } from '@mikro-orm/libsql';
import { autoDependenciesSuite } from './auto-dependencies.suite.js';
import { AUTO_ENTITIES } from './auto.entities.js';
import { createBlogSchema } from '../blog/blog.database.js';

/** Under `npm run test:mikro-orm-7` the same file runs against MikroORM 7 (see compat/mikro-orm-7). */
const major = Number(process.env.MIKRO_ORM_MAJOR ?? 6);

describe(`automatic dependencies: SQLite (libsql, in memory), MikroORM ${major}`, () => {
  autoDependenciesSuite(
    async () => {
      const orm = await MikroORM.init({ dbName: ':memory:', entities: AUTO_ENTITIES });
      await createBlogSchema(orm);
      return orm;
    },
    (orm) => orm.close(true),
  );
});
