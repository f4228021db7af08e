import base from './jest.config.js';

/**
 * The pure tests: no broker, no database, no files, no processes. So no globalSetup (it starts
 * the embedded stack), and Stryker can run them for every mutant of the pure core.
 */
export default {
  testEnvironment: base.testEnvironment,
  extensionsToTreatAsEsm: base.extensionsToTreatAsEsm,
  transform: base.transform,
  testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
  maxWorkers: 2,
  testTimeout: 60000,
};
