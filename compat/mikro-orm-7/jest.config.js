import { existsSync } from 'node:fs';
import process from 'node:process';
import { fileURLToPath, URL } from 'node:url';
import base from '../../jest.config.js';

if (!existsSync(fileURLToPath(new URL('./node_modules/@mikro-orm/libsql', import.meta.url)))) {
  throw new Error(
    'MikroORM 7 is not installed: run `npm ci --prefix compat/mikro-orm-7` (or `npm run test:mikro-orm-7`).',
  );
}

// The suites assert that they really run against this major.
process.env.MIKRO_ORM_MAJOR = '7';

const v7 = '<rootDir>/compat/mikro-orm-7/node_modules/@mikro-orm';

/**
 * `npm run test:mikro-orm-7`: the MikroORM suites that need only libsql, against MikroORM 7.
 * The library and the tests both resolve `@mikro-orm/core` and `@mikro-orm/libsql` to this
 * directory's node_modules; what those packages import resolves there too.
 */
export default {
  ...base,
  rootDir: '../..',
  testMatch: [
    '<rootDir>/test/orm/unloaded-reads.e2e-spec.ts',
    '<rootDir>/test/orm/invalidation.sqlite.e2e-spec.ts',
    '<rootDir>/test/orm/orm-discovery.e2e-spec.ts',
    '<rootDir>/test/orm/auto/auto-dependencies.sqlite.e2e-spec.ts',
    '<rootDir>/test/orm/differential/differential.sqlite.e2e-spec.ts',
  ],
  moduleNameMapper: {
    '^@mikro-orm/(core|libsql)$': `${v7}/$1/index.js`,
    ...base.moduleNameMapper,
  },
};
