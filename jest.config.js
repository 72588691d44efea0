// Jest in ESM mode (node --experimental-vm-modules); TypeScript through @swc/jest.
// Source imports use NodeNext's ".js" specifiers, mapped back to the ".ts" files.
const swc = {
  jsc: {
    parser: { syntax: 'typescript', importAttributes: true },
    target: 'es2022',
    experimental: { keepImportAttributes: true, emitAssertForImportAttributes: false },
  },
  module: { type: 'es6' },
  sourceMaps: 'inline',
};

export default {
  testEnvironment: '<rootDir>/test/support/jest-environment.mjs',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', swc] },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testTimeout: 120_000,
  maxWorkers: process.env.TEST_CONCURRENCY ?? 2,
  reporters: ['default', '<rootDir>/hack/jest-summary-reporter.mjs'],
};
