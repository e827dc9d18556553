/** Two projects: fast unit tests of pure logic, and end-to-end suites that talk Kafka over TCP. */
const transform = { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }] };
const moduleNameMapper = { '^@agentmesh/([^/]+)$': '<rootDir>/packages/$1/src/index.ts', '^@agentmesh/([^/]+)/internal$': '<rootDir>/packages/$1/src/internal.ts' };
module.exports = {
  // Two workers on a two-core machine: the end-to-end suites mostly wait on sockets and child processes, so the
  // run takes half the time; each test bounds its own waits (test/bench has the speed figures, not the tests).
  maxWorkers: 2,
  projects: [
    {
      displayName: 'unit',
      testMatch: ['<rootDir>/packages/*/src/**/*.test.ts', '<rootDir>/packages/*/test/**/*.test.ts'],
      transform,
      moduleNameMapper,
      testEnvironment: 'node',
    },
    {
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      transform,
      moduleNameMapper,
      testEnvironment: 'node',
      setupFilesAfterEnv: ['<rootDir>/test/support/jest-e2e-setup.ts'],
    },
  ],
};
