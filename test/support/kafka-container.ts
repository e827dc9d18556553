import type { StartedKafkaContainer } from '@testcontainers/kafka';

/** Apache Kafka as Confluent packages it (the image testcontainers' Kafka module drives), the same release as the compose file's registry. */
export const KAFKA_CONTAINER_IMAGE = 'confluentinc/cp-kafka:7.6.1';
/** Partitions of auto-created topics, as the embedded broker of the runtime suites has them. */
const DEFAULT_PARTITIONS = 3;
/** Bound on finding a Docker engine (testcontainers tries the socket, DOCKER_HOST, the config files...). */
const DOCKER_PROBE_TIMEOUT_MS = 15_000;

export interface RunningKafkaContainer {
  readonly brokers: string[];
  stop(): Promise<void>;
}

/** The reason there is no Docker engine to use, or undefined when one answers. */
export async function dockerUnreachable(): Promise<string | undefined> {
  // Loaded here, never at the top: the default (embedded) path does not pay for testcontainers.
  const { getContainerRuntimeClient } = await import('testcontainers');
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${DOCKER_PROBE_TIMEOUT_MS / 1000} s`)), DOCKER_PROBE_TIMEOUT_MS);
  });
  try {
    await Promise.race([getContainerRuntimeClient(), timeout]);
    return undefined;
  } catch (error) {
    return (error instanceof Error ? error.message : String(error)).split('\n')[0];
  } finally {
    clearTimeout(timer);
  }
}

/** Starts one single-node KRaft Kafka in Docker for the whole run. */
export async function startKafkaContainer(): Promise<RunningKafkaContainer> {
  const { KafkaContainer } = await import('@testcontainers/kafka');
  const container: StartedKafkaContainer = await new KafkaContainer(KAFKA_CONTAINER_IMAGE)
    .withKraft()
    .withEnvironment({ KAFKA_NUM_PARTITIONS: String(DEFAULT_PARTITIONS), KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1', KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'true' })
    .start();
  // 9093 is the module's listener for clients on the host.
  return { brokers: [`${container.getHost()}:${container.getMappedPort(9093)}`], stop: async () => void (await container.stop()) };
}
