import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type Admin, type IHeaders, type Producer } from 'kafkajs';
import pino from 'pino';
import { startBroker, type RunningBroker } from '@agentmesh/broker';
import { startSchemaRegistry, type RunningSchemaRegistry } from '@agentmesh/schema-registry';
import {
  Header,
  JsonCodec,
  MemoryActiveLeaseStore,
  RedisActiveLeaseStore,
  RegistryCodec,
  dlqTopic,
  newEventId,
  openAgentStateStore,
  openIdempotencyStore,
  startWorker,
  type ActiveLeaseStore,
  type Agent,
  type EventCodec,
  type IdempotencyStore,
  type RunningWorker,
  type WorkerOptions,
} from '@agentmesh/runtime';
import { SagaStore, startCoordinator, type CoordinatorOptions, type RunningCoordinator, type Saga } from '@agentmesh/coordinator';
import { TestClock } from '../clock/test-clock';
import { registerTestContracts } from '../contracts/register-contracts';
import { decodeDeadLetter, type DeadLetter } from '../dlq/dead-letter';
import { TestMeshError } from '../errors';
import { DEFAULT_WAIT_MS, KafkaTopicWatch, decodeValue, type ObservedRecord, type TopicWatch, type WaitRunner } from '../watch/topic-watch';
import { within } from '../wait/until';
import { resolveClockMode, resolveRedis, type ClockMode, type TestMeshOptions } from './options';

export interface PublishOptions {
  key?: string | null;
  headers?: Record<string, string>;
  /** Default a fresh one; returned either way. */
  eventId?: string;
}

export interface Published {
  eventId: string;
  topic: string;
  partition: number;
  offset: string;
}

/** An agent the mesh runs; stopped by mesh.stop() unless stopped before. */
export interface TestAgent {
  readonly name: string;
  readonly worker: RunningWorker;
  /** Its dead letters, decoded, with their failure histories. */
  dlq(): TopicWatch<DeadLetter>;
  stop(): Promise<void>;
}

export interface TestMesh {
  readonly brokers: string[];
  readonly registryUrl: string;
  /** The Redis the stores use, or undefined for the in-process ones. */
  readonly redisUrl: string | undefined;
  readonly codec: EventCodec;
  readonly kafka: Kafka;
  readonly clockMode: ClockMode;
  /** The virtual clock; a mesh on real time throws a TestMeshError when asked for it. */
  readonly clock: TestClock;
  /** Subjects registered from the contracts. */
  readonly contracts: readonly string[];
  /** Starts `agent` in-process with test defaults (overridden by `options`); resolves once it joined its group. */
  run(agent: Agent, options?: Partial<WorkerOptions>): Promise<TestAgent>;
  /** Starts a saga coordinator in-process (sagas are kept in Redis: needs one); resolves once joined. */
  coordinator(sagas: readonly Saga[], options?: Partial<CoordinatorOptions>): Promise<RunningCoordinator>;
  /** Encodes `value` with the mesh's codec (a Buffer is sent as it is) and publishes it with a `mesh-event-id`. */
  publish(topic: string, value: unknown, options?: PublishOptions): Promise<Published>;
  /** Every record of `topic` from its beginning, decoded; one watch per topic. */
  outputs(topic: string): TopicWatch;
  /** An agent's dead letters, decoded, with their failure histories. */
  dlq(agentName: string): TopicWatch<DeadLetter>;
  /** Stops everything the mesh started, agents first. */
  stop(): Promise<void>;
}

/** Joining a group takes a rebalance or two: seconds at worst on a loaded machine. */
const JOIN_TIMEOUT_MS = 30_000;

const quietLogger = (): pino.Logger => pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/**
 * Starts a mesh for one test file: the embedded broker and registry on free loopback ports, the stores
 * (Redis or in-process), the contracts registered. Everything it starts is stopped by stop().
 */
export async function startTestMesh(options: TestMeshOptions = {}): Promise<TestMesh> {
  const clockMode = resolveClockMode(options.clock);
  const redisUrl = resolveRedis(options.redis);
  const logger = options.logger ?? quietLogger();
  const partitions = options.defaultPartitions ?? 1;
  const waitTimeoutMs = options.waitTimeoutMs ?? DEFAULT_WAIT_MS;
  const id = randomBytes(4).toString('hex');
  const testClock = clockMode === 'real' ? undefined : new TestClock(options.startAt);
  const timing = testClock ? { clock: testClock.now, scheduler: testClock } : {};
  const random = options.random ? { random: options.random } : {};

  const stops: Array<() => Promise<void>> = [];
  const stopAll = async (): Promise<void> => {
    const failures: unknown[] = [];
    // Last started, first stopped: agents before their stores, the broker last.
    for (const stop of stops.splice(0).reverse()) await stop().catch((error: unknown) => failures.push(error));
    if (failures.length > 0) throw new TestMeshError(`test mesh: ${failures.length} part(s) failed to stop: ${failures.map((f) => (f instanceof Error ? f.message : String(f))).join('; ')}`);
  };

  try {
    const broker: RunningBroker = await startBroker({ host: '127.0.0.1', port: 0, logLevel: 'error', defaultPartitions: partitions });
    stops.push(() => broker.stop());
    const registry: RunningSchemaRegistry = await startSchemaRegistry({ host: '127.0.0.1', port: 0 });
    stops.push(() => registry.stop());
    const contracts = options.contracts === false ? [] : await registerTestContracts(registry.url, options.contracts);
    const codec: EventCodec = options.codec === 'registry' ? new RegistryCodec({ url: registry.url }) : options.codec === undefined || options.codec === 'json' ? new JsonCodec() : options.codec;
    const store: IdempotencyStore = openIdempotencyStore({ redisUrl, logger, keyPrefix: `test:${id}:idem` });
    stops.push(() => store.close());
    // One of each for the mesh, on its Redis (not $REDIS_URL's): instances of an agent share them, as in production.
    const stateStore = openAgentStateStore({ redisUrl, logger, keyPrefix: `test:${id}:state` });
    stops.push(() => stateStore.close());
    const activeLeases: ActiveLeaseStore = redisUrl ? RedisActiveLeaseStore.connect(redisUrl, logger, { keyPrefix: `test:${id}:active` }) : new MemoryActiveLeaseStore();
    stops.push(() => activeLeases.close());

    const brokers = [broker.address];
    const kafka = new Kafka({ clientId: `test-mesh-${id}`, brokers, logLevel: logLevel.NOTHING, retry: { retries: 5, initialRetryTime: 100 } });
    const admin: Admin = kafka.admin();
    await admin.connect();
    stops.push(() => admin.disconnect());
    const producer: Producer = kafka.producer();
    await producer.connect();
    stops.push(() => producer.disconnect());

    const runWait: WaitRunner = testClock && clockMode === 'auto' ? (waiting, what, timeoutMs) => testClock.runUntil(waiting, { timeoutMs, what }) : (waiting) => waiting;
    const watches = new Map<string, KafkaTopicWatch<ObservedRecord>>();
    const watch = <R extends ObservedRecord>(topic: string, decode: (r: ObservedRecord<Buffer | null>, c: EventCodec) => Promise<R>): KafkaTopicWatch<R> => {
      const known = watches.get(topic);
      if (known) return known as unknown as KafkaTopicWatch<R>;
      const created = new KafkaTopicWatch<R>(topic, decode, codec, runWait, waitTimeoutMs);
      watches.set(topic, created as unknown as KafkaTopicWatch<ObservedRecord>);
      stops.push(() => created.stop());
      created.start(kafka, `test-watch-${id}-${watches.size}`, () => ensureTopic(admin, topic, partitions));
      return created;
    };
    const dlq = (agentName: string): TopicWatch<DeadLetter> => watch(dlqTopic(agentName), decodeDeadLetter);

    return {
      brokers,
      registryUrl: registry.url,
      redisUrl,
      codec,
      kafka,
      clockMode,
      get clock(): TestClock {
        if (!testClock) throw new TestMeshError("this test mesh runs on real time: start it with { clock: 'manual' } or { clock: 'auto' } for a clock to move");
        return testClock;
      },
      contracts,
      async run(agent, workerOptions = {}) {
        const worker = await startWorker(agent, {
          brokers,
          codec,
          idempotency: store,
          stateStore,
          activeLeases,
          logger,
          sessionTimeoutMs: 6_000,
          heartbeatIntervalMs: 500,
          maxWaitTimeInMs: 20,
          heartbeatEveryMs: 0,
          resourceWatermarks: false,
          defaultPartitions: partitions,
          drainTimeoutMs: 5_000,
          // A test's completions need not outlive it in a shared Redis.
          completionTtlMs: 10 * 60_000,
          ...timing,
          ...random,
          ...workerOptions,
        });
        let stopped: Promise<void> | undefined;
        const stop = (): Promise<void> => (stopped ??= worker.stop());
        stops.push(stop);
        await within(worker.joined, JOIN_TIMEOUT_MS, `agent ${agent.name} did not join its consumer group within ${JOIN_TIMEOUT_MS} ms`);
        return { name: agent.name, worker, dlq: () => dlq(agent.name), stop };
      },
      async coordinator(sagas, coordinatorOptions = {}) {
        if (!redisUrl) throw new TestMeshError("a saga coordinator keeps its sagas in Redis: set REDIS_URL or start the mesh with { redis: 'redis://...' }");
        const sagaStore = SagaStore.connect(redisUrl, logger, { keyPrefix: `test:${id}:saga:` });
        stops.push(() => sagaStore.close());
        const coordinator = await startCoordinator({
          sagas,
          brokers,
          codec,
          store: sagaStore,
          groupId: `test-coordinator-${id}`,
          logger,
          sessionTimeoutMs: 6_000,
          heartbeatIntervalMs: 500,
          maxWaitTimeInMs: 20,
          heartbeatEveryMs: 0,
          defaultPartitions: partitions,
          ...(testClock ? { clock: testClock.now } : {}),
          ...random,
          ...coordinatorOptions,
        });
        stops.push(() => coordinator.stop());
        await within(coordinator.joined, JOIN_TIMEOUT_MS, `the coordinator did not join its group within ${JOIN_TIMEOUT_MS} ms`);
        return coordinator;
      },
      async publish(topic, value, publishOptions = {}) {
        const eventId = publishOptions.eventId ?? newEventId();
        const headers: IHeaders = { ...publishOptions.headers, [Header.eventId]: eventId };
        const bytes = Buffer.isBuffer(value) ? value : await codec.encode(topic, value);
        const [meta] = await producer.send({ topic, messages: [{ key: publishOptions.key ?? null, value: bytes, headers }] });
        return { eventId, topic, partition: meta?.partition ?? 0, offset: meta?.baseOffset ?? '' };
      },
      outputs: (topic) => watch(topic, decodeValue),
      dlq,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll().catch(() => undefined);
    throw error;
  }
}

/** Creates `topic` unless it exists, so a watch can subscribe before anything was produced to it. */
async function ensureTopic(admin: Admin, topic: string, partitions: number): Promise<void> {
  const existing = await admin.listTopics();
  if (existing.includes(topic)) return;
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true }).catch((error: unknown) => {
    // Another part of the mesh (an agent starting) may have created it meanwhile.
    if (!(error instanceof Error && /exist/i.test(error.message))) throw error;
  });
}
