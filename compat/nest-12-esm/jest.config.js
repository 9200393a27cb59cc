/**
 * Jest in ESM mode, for apps that keep Jest rather than the scaffolded Vitest:
 * `npm run test:e2e:jest` (node --experimental-vm-modules).
 */
export default {
  testEnvironment: 'node',
  rootDir: '.',
  testRegex: 'test/app\\.e2e-spec\\.ts$',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true }] },
};
