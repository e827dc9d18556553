import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type Consumer, type EachMessagePayload, type KafkaConfig } from 'kafkajs';
import { startBroker, type BrokerOptions, type RunningBroker } from '@agentmesh/broker';
import { startSchemaRegistry, type RunningSchemaRegistry } from '@agentmesh/schema-registry';
import { suiteKafka, TestKafkaConfigError } from './kafka-choice';

/**
 * An in-process embedded broker on a free port, quiet unless something is wrong: for the broker's own
 * suites (test/broker). Any other suite takes testKafka(), or embeddedBrokerOnly() saying why not.
 */
export function startTestBroker(options: BrokerOptions = {}): Promise<RunningBroker> {
  return startBroker({ port: 0, logLevel: 'error', ...options });
}

/** The Kafka a suite runs on, chosen in one place (test/support/kafka-choice.ts). */
export interface TestKafka {
  /** `embedded`: a broker in this process; `external`: KAFKA_BROKERS, or the run's container. */
  readonly kind: 'embedded' | 'external';
  readonly brokers: string[];
  /** The brokers as one comma-separated list, for a `--brokers` flag and kafkaFor(). */
  readonly address: string;
  /** Its schema registry: SCHEMA_REGISTRY_URL (the run's), else one started here in memory on first call. */
  registryUrl(): Promise<string>;
  /** Stops what this suite started (the embedded broker, a registry); an external Kafka stays up. */
  stop(): Promise<void>;
}

export interface TestKafkaOptions {
  /**
   * Partitions of topics created on first use, for the embedded broker. An external cluster keeps its
   * own `num.partitions` (the container has 3); a suite that needs a count creates its topics.
   */
  partitions?: number;
}

/**
 * The suite's Kafka: the embedded broker by default, the cluster at KAFKA_BROKERS when set (the
 * global setup sets it for MESH_TEST_KAFKA=container). Suites that mean something on Apache Kafka
 * start here; ones that need the embedded broker itself call embeddedBrokerOnly().
 */
export async function testKafka(options: TestKafkaOptions = {}): Promise<TestKafka> {
  const choice = suiteKafka(process.env);
  let registry: Promise<RunningSchemaRegistry> | undefined;
  const ownRegistry = (brokers?: readonly string[]) => (registry ??= startSchemaRegistry({ port: 0, brokers, topic: brokers && uniqueName('_schemas-test') }));
  if (choice.kind === 'external') {
    const { registryUrl } = choice;
    const brokers = [...choice.brokers];
    return {
      kind: 'external',
      brokers,
      address: brokers.join(','),
      // The global setup names the run's registry; a suite run without it starts its own on that Kafka.
      registryUrl: async () => registryUrl ?? (await ownRegistry(brokers)).url,
      stop: async () => void (await (await registry)?.stop()),
    };
  }
  const broker = await startTestBroker(options.partitions === undefined ? {} : { defaultPartitions: options.partitions });
  return {
    kind: 'embedded',
    brokers: [broker.address],
    address: broker.address,
    registryUrl: async () => (await ownRegistry()).url,
    stop: async () => {
      await (await registry)?.stop();
      await broker.stop();
    },
  };
}

/**
 * For a harness that starts its own embedded broker and registry unless given others (the examples'
 * startLocalStack): the external Kafka and the run's registry, or undefined to let it start its own.
 */
export function externalTestKafka(): { brokers: string[]; registryUrl: string } | undefined {
  const choice = suiteKafka(process.env);
  if (choice.kind !== 'external') return undefined;
  if (choice.registryUrl === undefined) throw new TestKafkaConfigError('an external Kafka without a registry: the e2e global setup names one (run the suite through jest)');
  return { brokers: [...choice.brokers], registryUrl: choice.registryUrl };
}

const embeddedNoted = new Set<string>();

/**
 * The embedded broker, for a suite that needs it and not just a Kafka (its data directory, restarts,
 * listeners, options Apache Kafka sets per cluster): `reason` says which, in the code and, when the run
 * is on an external Kafka, once in the output, so nobody takes the suite for one that ran there.
 */
export function embeddedBrokerOnly(reason: string, options: BrokerOptions = {}): Promise<RunningBroker> {
  const choice = suiteKafka(process.env);
  if (choice.kind === 'external' && !embeddedNoted.has(reason)) {
    embeddedNoted.add(reason);
    process.stderr.write(`${expect.getState().testPath ?? 'a suite'}: on the embedded broker, not ${choice.brokers.join(',')}: ${reason}\n`);
  }
  return startTestBroker(options);
}

export function kafkaFor(broker: { address: string }, config: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({
    clientId: 'agentmesh-test',
    brokers: broker.address.split(','),
    logLevel: logLevel.NOTHING,
    retry: { retries: 5, initialRetryTime: 100 },
    ...config,
  });
}

/** A name no other test (or earlier run on a persistent broker) uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export interface CollectedMessage {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

/**
 * Runs `consumer` from the beginning of `topic` until `count` messages arrived,
 * or fails after `timeoutMs` saying how many did.
 */
export async function consumeAll(consumer: Consumer, topic: string, count: number, timeoutMs = 20_000): Promise<CollectedMessage[]> {
  const got: CollectedMessage[] = [];
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`consumed ${got.length} of ${count} messages from ${topic} within ${timeoutMs} ms`)), timeoutMs);
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    if (count === 0) return done();
    consumer
      .run({
        eachMessage: async ({ topic: t, partition, message }: EachMessagePayload) => {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
          got.push({ topic: t, partition, offset: message.offset, key: message.key, value: message.value, headers });
          if (got.length === count) done();
        },
      })
      .catch((err: Error) => {
        clearTimeout(timer);
        reject(err);
      });
  });
  return got;
}

/**
 * Polls `probe` until it returns a value other than undefined, for conditions
 * no event announces (a process's output, a group's state). Bounded.
 */
export async function eventually<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 15_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
