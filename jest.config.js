/**
 * One jest run for the whole monorepo. Packages are imported by name and mapped to their sources, so
 * tests need no build; the type check is `npm run typecheck`, so ts-jest only transpiles.
 */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/examples', '<rootDir>/scripts'],
  testMatch: ['**/test/**/*.test.ts'],
  moduleNameMapper: {
    '^@apskit/([a-z-]+)$': '<rootDir>/packages/$1/src',
    // A package's test kit (`@apskit/store/testing`) lives in its sources too.
    '^@apskit/([a-z-]+)/testing$': '<rootDir>/packages/$1/src/testing',
    // The tests' PostgreSQL fixture and openssl certificates, apart from @apskit/test-support so that
    // only their users load pg or run openssl.
    '^@apskit/test-support/(postgres|openssl)$': '<rootDir>/packages/test-support/src/$1',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json', diagnostics: false }],
  },
  setupFiles: ['<rootDir>/jest.setup.js'],
  testTimeout: 30000,
};
