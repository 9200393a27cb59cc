/** Jest in ESM mode (Nest 12 ships ESM only); run through `npm test`. */
export default {
  testEnvironment: 'node',
  rootDir: '.',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.spec.ts', '**/*.e2e-spec.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  // TypeScript first: a stray compiled .js beside a source must never shadow it.
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  moduleNameMapper: {
    '^nestjs-cache-page$': '<rootDir>/lib/index.ts',
    '^nestjs-cache-page/testing$': '<rootDir>/lib/testing/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.json' }],
  },
  testTimeout: 30_000,
  // `npm test` runs one suite at a time in one worker, started afresh once it holds 1 GB: in one
  // long-lived process the heap grew past 3 GB over the suites and its collections slowed them.
  workerIdleMemoryLimit: '1GB',
};
