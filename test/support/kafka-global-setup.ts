import { chooseTestKafka, describeKafkaChoice, HANDED } from './kafka-choice';
import type { RunningKafkaContainer } from './kafka-container';

/** What the setup started, held for the teardown (jest runs both in this process). */
export const RUN_KAFKA_KEY = '__agentmeshTestKafka';
export interface RunKafka {
  container?: RunningKafkaContainer;
  registry?: { stop(): Promise<void> };
  /** The mesh's own variables as the run found them, put back by the teardown. */
  mesh?: { KAFKA_BROKERS: string | undefined; SCHEMA_REGISTRY_URL: string | undefined };
}
export const runKafka = (): RunKafka => ((globalThis as Record<string, unknown>)[RUN_KAFKA_KEY] ??= {}) as RunKafka;

/** The registry's state topic on an external Kafka: one for every run, so schema ids mean the same to all suites and runs. */
export const TEST_SCHEMAS_TOPIC = '_agentmesh_test_schemas';

/**
 * Once per jest run, before any end-to-end suite: says in one line which Kafka the suites run on.
 * MESH_TEST_KAFKA=container starts Apache Kafka in Docker through testcontainers (loaded only then) and
 * hands its address to the suites (the workers inherit this process's environment, see HANDED);
 * without a Docker engine it says so and the suites run on the embedded broker, never failing or
 * silent. On an external Kafka without SCHEMA_REGISTRY_URL, one embedded registry on that Kafka
 * serves the whole run, so suites that share a topic read each other's schema ids rightly.
 */
export default async function kafkaGlobalSetup(): Promise<void> {
  const run = runKafka();
  run.mesh = { KAFKA_BROKERS: process.env.KAFKA_BROKERS, SCHEMA_REGISTRY_URL: process.env.SCHEMA_REGISTRY_URL };
  let choice = chooseTestKafka(process.env);
  if (choice.kind === 'container') {
    const { dockerUnreachable, startKafkaContainer, KAFKA_CONTAINER_IMAGE } = await import('./kafka-container');
    const missing = await dockerUnreachable();
    if (missing === undefined) {
      run.container = await startKafkaContainer();
      choice = { kind: 'external', brokers: run.container.brokers, registryUrl: undefined };
      process.stderr.write(`e2e suites on ${KAFKA_CONTAINER_IMAGE} in Docker at ${choice.brokers.join(',')} (MESH_TEST_KAFKA=container)\n`);
    } else {
      process.stderr.write(`MESH_TEST_KAFKA=container: no Docker engine reachable (${missing}); the e2e suites run on the embedded broker instead\n`);
    }
  } else {
    process.stderr.write(`${describeKafkaChoice(choice)}\n`);
  }
  let registryUrl = choice.kind === 'external' ? choice.registryUrl : undefined;
  if (choice.kind === 'external' && registryUrl === undefined) {
    const { startSchemaRegistry } = await import('../../packages/schema-registry/src/start');
    const registry = await startSchemaRegistry({ port: 0, brokers: choice.brokers, topic: TEST_SCHEMAS_TOPIC });
    run.registry = registry;
    registryUrl = registry.url;
  }
  process.env[HANDED.brokers] = choice.kind === 'external' ? choice.brokers.join(',') : '';
  process.env[HANDED.registryUrl] = registryUrl ?? '';
  delete process.env.KAFKA_BROKERS;
  delete process.env.SCHEMA_REGISTRY_URL;
}
