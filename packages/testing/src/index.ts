// The test kit: a mesh in-process for one test file, usable from jest, vitest and node:test alike.
export { startTestMesh, type Published, type PublishOptions, type TestAgent, type TestMesh } from './mesh/start-test-mesh';
export type { ClockMode, TestMeshOptions } from './mesh/options';
export { TestClock, type RunUntilOptions } from './clock/test-clock';
export type { ObservedRecord, RecordMatch, TopicWatch, WaitOptions } from './watch/topic-watch';
export type { DeadLetter } from './dlq/dead-letter';
export { failFirst } from './failures/fail-first';
export { registerTestContracts } from './contracts/register-contracts';
export { TestMeshError, WaitTimeoutError } from './errors';
