/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // Integration tests in test/; unit tests beside the logic they test.
  roots: ['<rootDir>/test', '<rootDir>/core', '<rootDir>/node-red-nodes', '<rootDir>/cli'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  testTimeout: 60000,
  globalSetup: '<rootDir>/test/global-setup.ts',
};
