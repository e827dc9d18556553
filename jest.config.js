/** Two projects: fast unit tests of pure logic, and end-to-end suites that talk Kafka over TCP. */
const transform = { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }] };
const moduleNameMapper = {
  '^@agentmesh/([^/]+)$': '<rootDir>/packages/$1/src/index.ts',
  '^@agentmesh/([^/]+)/internal$': '<rootDir>/packages/$1/src/internal.ts',
  '^@agentmesh/([^/]+)/internal/([^/]+)$': '<rootDir>/packages/$1/src/internal-$2.ts',
};
module.exports = {
  // Two workers on a two-core machine: the end-to-end suites mostly wait on sockets and child processes, so the
  // run takes half the time; each test bounds its own waits (test/bench has the speed figures, not the tests).
  // On one shared Kafka (KAFKA_BROKERS, MESH_TEST_KAFKA=container), one suite at a time: the example pipelines' agents
  // have fixed consumer groups and topics, and two suites running them at once would take each other's events.
  // One worker is jest's in-band mode, which waits on whatever a suite left open where a worker would be ended: force the exit.
  ...(process.env.MESH_TEST_KAFKA !== 'embedded' && (process.env.KAFKA_BROKERS?.trim() || process.env.MESH_TEST_KAFKA === 'container') ? { maxWorkers: 1, forceExit: true } : { maxWorkers: 2 }),
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
      // Says which Kafka the suites run on (KAFKA_BROKERS, MESH_TEST_KAFKA=container, else embedded) and starts what the run shares.
      globalSetup: '<rootDir>/test/support/kafka-global-setup.ts',
      globalTeardown: '<rootDir>/test/support/kafka-global-teardown.ts',
    },
  ],
};
