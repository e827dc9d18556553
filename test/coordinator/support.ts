import type { Kafka, IHeaders, RecordMetadata } from 'kafkajs';
import { Header, JsonCodec, startWorker, type Agent, type EventCodec, type RunningWorker, type WorkerOptions } from '@agentmesh/runtime';
import {
  FINAL_STATUSES,
  PermanentError,
  SAGA_EVENTS_TOPIC,
  SAGA_REPLIES_CONFIG,
  SAGA_REPLIES_TOPIC,
  SAGA_STUCK_TOPIC,
  sagaParticipant,
  SagaStore,
  startCoordinator,
  type CommandKind,
  type CoordinatorOptions,
  type RunningCoordinator,
  type Saga,
  type SagaCommand,
  type SagaState,
  type SagaStatus,
  type SagaStepDefinition,
} from './imports';
import { homePartitionOf } from '../../packages/coordinator/src/service/home-partition';
import { eventually, uniqueName } from '../support/kafka';
import { quiet, runtimeHarness, type RuntimeHarness, type Seen, type Watcher } from '../runtime/support';
import { TEST_REDIS_URL } from '../support/redis';

export { quiet, homePartitionOf };
export const REDIS_URL = TEST_REDIS_URL;
export const SAGA_REPLY_PARTITIONS = 6;

// ---------------------------------------------------------------------------------------------
// Names: every test gets its own topics, saga, agents, group and Redis prefix.

export interface Names {
  /** Unique base name: the saga's name, and the prefix of everything else. */
  readonly name: string;
  /** A topic (or agent name) under the base name. */
  t(suffix: string): string;
  readonly trigger: string;
  readonly group: string;
  readonly agent: string;
  readonly prefix: string;
}

export function names(what: string): Names {
  const name = uniqueName(what);
  return {
    name,
    t: (suffix) => `${name}.${suffix}`,
    trigger: `${name}.trigger`,
    group: `${name}-coord`,
    agent: `${name}-p`,
    prefix: `${name}:`,
  };
}

/** Steps a, b, c, ... with command `<name>.<step>` and compensation `<name>.<step>-undo`; `over` per step name. */
export function steps(n: Names, stepNames: string[], over: Record<string, Partial<SagaStepDefinition>> = {}, common: Partial<SagaStepDefinition> = {}): SagaStepDefinition[] {
  return stepNames.map((s) => ({ name: s, command: n.t(s), compensation: n.t(`${s}-undo`), timeoutMs: 15_000, ...common, ...over[s] }));
}

/** Trigger value of the test sagas: the saga id is the trigger's `id`, so the test knows it. */
export interface TestTrigger {
  id: string;
  [field: string]: unknown;
}
export const sagaIdFromTrigger = (t: { value: unknown }): string => (t.value as TestTrigger).id;

// ---------------------------------------------------------------------------------------------
// The ledger: what participants did, in the order they did it.

export interface LedgerEntry {
  sagaId: string;
  step: string;
  kind: CommandKind;
  attempt: number;
  eventId: string;
  /** `effect`: the handler returned (its effect happened); `failed`: it threw. */
  outcome: 'effect' | 'failed';
  at: number;
}

export class Ledger {
  readonly entries: LedgerEntry[] = [];
  private readonly waiters = new Set<() => void>();

  add(entry: LedgerEntry): void {
    this.entries.push(entry);
    for (const w of this.waiters) w();
  }

  /** Effects of a saga in order: `a`, `b`, `b-undo`, `a-undo`... */
  effects(sagaId: string): string[] {
    return this.entries.filter((e) => e.sagaId === sagaId && e.outcome === 'effect').map(label);
  }

  /** Every handler call of a saga in order, failed ones marked: `a`, `b!`, `b`, ... */
  calls(sagaId: string): string[] {
    return this.entries.filter((e) => e.sagaId === sagaId).map((e) => `${label(e)}${e.outcome === 'failed' ? '!' : ''}`);
  }

  /** Resolves once `predicate` holds over the ledger (checked on every entry), or fails after `timeoutMs`. */
  async until(predicate: (entries: LedgerEntry[]) => boolean, what: string, timeoutMs = 20_000): Promise<void> {
    if (predicate(this.entries)) return;
    await new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!predicate(this.entries)) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; ledger has ${this.entries.length} entries`));
      }, timeoutMs);
      this.waiters.add(check);
    });
  }
}

const label = (e: LedgerEntry): string => (e.kind === 'execute' ? e.step : `${e.step}-undo`);

/** What a participant does with a command: return (an effect, optionally adding to the saga's data) or throw. */
export type Behaviour = (command: SagaCommand<TestTrigger>, call: number) => unknown;

export const fail = {
  permanent: (why = 'refused'): never => {
    throw new PermanentError(why);
  },
  transient: (why = 'unavailable'): never => {
    throw new Error(why);
  },
};

/**
 * A participant for every command and compensation of `saga`, recording each
 * handler call in `ledger`. `behave` decides per command (default: succeed);
 * `call` counts the handler calls for that saga, step and kind (1 = first).
 */
export function ledgerParticipant(
  name: string,
  saga: Saga | { steps: readonly SagaStepDefinition[] },
  ledger: Ledger,
  behave: Behaviour = () => undefined,
  extra: { concurrency?: number; timeoutMs?: number; only?: (topic: string) => boolean } = {},
): Agent {
  const calls = new Map<string, number>();
  const handler = async (cmd: SagaCommand<TestTrigger>) => {
    const key = `${cmd.sagaId}/${cmd.step}/${cmd.kind}`;
    const call = (calls.get(key) ?? 0) + 1;
    calls.set(key, call);
    const entry = { sagaId: cmd.sagaId, step: cmd.step, kind: cmd.kind, attempt: cmd.attempt, eventId: cmd.event.eventId, at: Date.now() };
    try {
      const added = await behave(cmd, call);
      ledger.add({ ...entry, outcome: 'effect', at: Date.now() });
      return (added ?? undefined) as Partial<TestTrigger> | undefined;
    } catch (error) {
      ledger.add({ ...entry, outcome: 'failed', at: Date.now() });
      throw error;
    }
  };
  const on: Record<string, typeof handler> = {};
  for (const step of saga.steps) {
    for (const topic of [step.command, step.compensation]) if (topic && (extra.only?.(topic) ?? true)) on[topic] = handler;
  }
  return sagaParticipant<TestTrigger>({ name, on, concurrency: extra.concurrency ?? 32, timeoutMs: extra.timeoutMs });
}

// ---------------------------------------------------------------------------------------------
// The harness: a broker, the real Redis, and per-test resources released after each test.

export interface CoordinatorHarness {
  readonly rt: RuntimeHarness;
  readonly kafka: Kafka;
  readonly brokers: string[];
  readonly codec: EventCodec;
  /** A saga store under `prefix` (default: a fresh one), closed on release. */
  store(prefix?: string): SagaStore;
  /** A coordinator with test defaults (quick session, quiet), stopped on release; resolves once joined. */
  coordinator(options: Partial<CoordinatorOptions> & Pick<CoordinatorOptions, 'sagas' | 'store'>, join?: boolean): Promise<RunningCoordinator>;
  /** A worker for `agent` with test defaults, stopped on release; resolves once joined. */
  worker(agent: Agent, options?: Partial<WorkerOptions>): Promise<RunningWorker>;
  /** Consumes `topics` from the beginning; stopped on release. */
  watch(topics: string[]): Promise<Watcher>;
  /** Publishes trigger values (JSON), keyed by their id. */
  trigger(topic: string, values: TestTrigger[], headers?: (v: TestTrigger) => IHeaders): Promise<void>;
  produce(topic: string, messages: Array<{ key?: string | Buffer | null; value: Buffer | string | null; headers?: IHeaders; partition?: number }>): Promise<RecordMetadata[]>;
  /** The offset the group has committed on a partition (-1: none). */
  committed(groupId: string, topic: string, partition: number): Promise<number>;
  /** Runs `fn` first thing on release (to open gates a failed test left shut, say). */
  defer(fn: () => void | Promise<void>): void;
  /** Stops what the test started (coordinators first, then workers, watchers, stores). */
  release(): Promise<void>;
  close(): Promise<void>;
}

export async function coordinatorHarness(): Promise<CoordinatorHarness> {
  const rt = await runtimeHarness(new JsonCodec());
  const brokers = rt.broker.brokers;
  let coordinators: RunningCoordinator[] = [];
  let workers: RunningWorker[] = [];
  let watchers: Watcher[] = [];
  let stores: SagaStore[] = [];
  let deferred: Array<() => void | Promise<void>> = [];
  const producer = rt.kafka.producer();
  await producer.connect();
  // The coordinator's own topics, as a deployment would have them: a watcher subscribing first must not
  // get saga.replies auto-created with the broker's default partition count.
  const admin = rt.kafka.admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: [
      { topic: SAGA_REPLIES_TOPIC, numPartitions: SAGA_REPLY_PARTITIONS, configEntries: [...SAGA_REPLIES_CONFIG] },
      { topic: SAGA_EVENTS_TOPIC, numPartitions: 3 },
      { topic: SAGA_STUCK_TOPIC, numPartitions: 1 },
    ],
  });
  await admin.disconnect();
  const harness: CoordinatorHarness = {
    rt,
    kafka: rt.kafka,
    brokers,
    codec: rt.codec,
    store(prefix = `${uniqueName('saga-test')}:`) {
      const store = SagaStore.connect(REDIS_URL, quiet, { keyPrefix: prefix });
      stores.push(store);
      return store;
    },
    async coordinator(options, join = true) {
      const c = await startCoordinator({
        brokers,
        codec: rt.codec,
        logger: quiet,
        groupId: uniqueName('coord'),
        sessionTimeoutMs: 6_000,
        heartbeatIntervalMs: 500,
        replyPartitions: SAGA_REPLY_PARTITIONS,
        ...options,
      });
      coordinators.push(c);
      if (join) await c.joined;
      return c;
    },
    async worker(agent, options = {}) {
      const w = await startWorker(agent, {
        brokers,
        codec: rt.codec,
        idempotency: rt.store,
        logger: quiet,
        sessionTimeoutMs: 6_000,
        heartbeatIntervalMs: 500,
        heartbeatEveryMs: 0,
        drainTimeoutMs: 5_000,
        ...options,
      });
      workers.push(w);
      await w.joined;
      return w;
    },
    async watch(topics) {
      const w = await rt.watch(topics);
      watchers.push(w);
      return w;
    },
    async trigger(topic, values, headers) {
      // A batch per 500, so a thousand triggers are one request each way, not a thousand.
      for (let i = 0; i < values.length; i += 500) {
        const chunk = values.slice(i, i + 500);
        await producer.send({ topic, messages: chunk.map((v) => ({ key: v.id, value: JSON.stringify(v), headers: { [Header.eventId]: `trigger-${v.id}`, ...headers?.(v) } })) });
      }
    },
    async produce(topic, messages) {
      return producer.send({ topic, messages });
    },
    async committed(groupId, topic, partition) {
      const admin = rt.kafka.admin();
      await admin.connect();
      try {
        const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
        return Number(t?.partitions.find((p) => p.partition === partition)?.offset ?? -1);
      } finally {
        await admin.disconnect();
      }
    },
    defer(fn) {
      deferred.push(fn);
    },
    async release() {
      const fns = deferred;
      deferred = [];
      await Promise.allSettled(fns.map(async (fn) => fn()));
      const [cs, ws, wats, ss] = [coordinators, workers, watchers, stores];
      coordinators = [];
      workers = [];
      watchers = [];
      stores = [];
      await Promise.allSettled(cs.map((c) => c.stop()));
      await Promise.allSettled(ws.map((w) => w.stop()));
      await Promise.allSettled(wats.map((w) => w.stop()));
      await Promise.allSettled(ss.map((s) => s.close()));
    },
    async close() {
      await harness.release();
      await producer.disconnect().catch(() => undefined);
      await rt.close();
    },
  };
  return harness;
}

/**
 * The harness of a test file: opened before its first test and closed after its last. What a test starts is
 * released after it (`releaseAfter: 'each'`, the default), or once after the last test (`'all'`: the tests share
 * it). `beforeRelease` runs before every release (to stop what the harness does not know of). Call at the top
 * level of the file; hooks of the file's own declared after this call run after these (jest-circus's order).
 */
export function fileHarness(options: { releaseAfter?: 'each' | 'all'; beforeRelease?: () => unknown } = {}): CoordinatorHarness {
  const { releaseAfter = 'each', beforeRelease } = options;
  const h = {} as CoordinatorHarness;
  let opened = false;
  const release = async () => {
    if (!opened) return;
    await beforeRelease?.();
    await h.release();
  };
  beforeAll(async () => {
    Object.assign(h, await coordinatorHarness());
    opened = true;
  });
  if (releaseAfter === 'each') afterEach(release);
  afterAll(async () => {
    if (releaseAfter === 'all') await release();
    if (opened) await h.close();
  });
  return h;
}

// ---------------------------------------------------------------------------------------------
// Waiting on sagas.

/** Resolves with the saga's state once `accept` holds for it. */
export function sagaWhere(store: SagaStore, sagaId: string, accept: (s: SagaState) => boolean, what: string, timeoutMs = 20_000): Promise<SagaState> {
  return eventually(
    async () => {
      const s = await store.load(sagaId);
      return s && accept(s) ? s : undefined;
    },
    `saga ${sagaId} ${what}`,
    timeoutMs,
    25,
  );
}

export function sagaIn(store: SagaStore, sagaId: string, statuses: readonly SagaStatus[], timeoutMs = 20_000): Promise<SagaState> {
  return sagaWhere(store, sagaId, (s) => statuses.includes(s.status), `to be ${statuses.join(' or ')}`, timeoutMs);
}

/** Resolves with every saga's state once all are final (completed or compensated); fails saying how many are not. */
export async function allFinished(store: SagaStore, sagaIds: readonly string[], timeoutMs = 30_000, statuses: readonly SagaStatus[] = FINAL_STATUSES): Promise<SagaState[]> {
  let last: (SagaState | undefined)[] = [];
  try {
    return await eventually(
      async () => {
        last = await store.loadMany(sagaIds);
        return last.every((s) => s !== undefined && statuses.includes(s.status)) ? (last as SagaState[]) : undefined;
      },
      `${sagaIds.length} sagas to be ${statuses.join(' or ')}`,
      timeoutMs,
      100,
    );
  } catch (error) {
    const pending = last.map((s, i) => `${sagaIds[i]}:${s?.status ?? 'missing'}`).filter((x) => !statuses.some((st) => x.endsWith(`:${st}`)));
    throw new Error(`${(error as Error).message}; not there: ${pending.length} (${pending.slice(0, 10).join(', ')})`);
  }
}

/** The types of a saga's timeline, in order. */
export const timelineTypes = (s: SagaState): string[] => s.timeline.map((e) => e.type);

/** The steps a saga compensated, in the order their compensations were started. */
export const compensationsStarted = (s: SagaState): string[] => s.timeline.filter((e) => e.type === 'COMPENSATION_STARTED').map((e) => e.step!);

/** A saga id (unique to the test) whose replies land on `partition`. */
export function idOnPartition(n: Names, partition: number, label = 's', partitions = SAGA_REPLY_PARTITIONS): string {
  for (let i = 0; ; i++) {
    const id = `${n.name}-${label}${i}`;
    if (homePartitionOf(id, partitions) === partition) return id;
  }
}

/** A JSON value on a watched topic. */
export const jsonOf = <T>(s: Seen): T => JSON.parse(s.value!.toString()) as T;

export { seeded } from '../support/seeded';

/** A participant's work taking time (not a wait for an event). */
export const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A promise the test resolves when it wants (a participant waits on it). */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open: () => void = () => undefined;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}
