/** Real PostgreSQL and a real broker per suite: two workers match the machine's two cores. */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2024', parser: { syntax: 'typescript' } } }] },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  // Out of the default run until fixed: a member restarted after repeated SIGKILLs sometimes fails
  // to rejoin within 90 s on go-mokapi (docs/reliability.md). Run it with `npm run test:rebalance`.
  testPathIgnorePatterns: process.env.BACKOFFICE_REBALANCE_TEST ? [] : ['/node_modules/', '<rootDir>/test/fault/rebalance.test.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  maxWorkers: 2,
  testTimeout: 60000,
};
