import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Admin, KafkaConfig, KafkaMessage } from 'kafkajs';
import pino, { type Logger } from 'pino';
import { trace, type Tracer } from '@opentelemetry/api';
import type { EventCodec } from '@agentmesh/runtime';
import { BatchProducer, createKafkaClient, HeartbeatPublisher, idempotentProducer, SupervisedConsumer, type CheckResult } from '@agentmesh/runtime/internal';
import { describeError, SagaDefinitionError } from '../errors';
import { DEFAULT_COORDINATOR_GROUP, SAGA_REPLIES_TOPIC, SAGA_SIGNALS_TOPIC } from '../protocol/topics';
import type { Saga } from '../saga/types';
import type { SagaStore } from '../store/saga-store';
import { CoordinatorMetrics } from '../observability/metrics';
import { SagaSpans } from '../observability/saga-spans';
import { STORE_RETRY_MS } from './intake';
import { mapLimit } from './map-limit';
import { pushTo } from './multimap';
import { PartitionOwnership } from './ownership';
import { deadLetterRecord } from './records';
import { ReplyClock, type ReplyPartitionOffsets } from './reply-clock';
import { ReplyIntake } from './reply-intake';
import { SagaDriver } from './saga-driver';
import { SagaOutbox } from './saga-outbox';
import { SignalIntake } from './signal-intake';
import { TimerLoop } from './timer-loop';
import { coordinatorTopics, ensureTopics } from './topics';
import { TriggerIntake } from './trigger-intake';

export interface CoordinatorOptions {
  sagas: readonly Saga[];
  brokers: string[];
  codec: EventCodec;
  store: SagaStore;
  /** Consumer group shared by all instances. Default `mesh-coordinator`. */
  groupId?: string;
  instanceId?: string;
  logger?: Logger;
  metrics?: CoordinatorMetrics;
  tracer?: Tracer;
  clock?: () => number;
  random?: () => number;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /** How often owned partitions are checked for due timers. Default 50 ms. */
  tickMs?: number;
  /** Partitions of saga.replies when the coordinator creates it. Default 6. */
  replyPartitions?: number;
  /** Partitions of the other topics it creates (triggers, commands). Default 3. */
  defaultPartitions?: number;
  maxWaitTimeInMs?: number;
  /**
   * New sagas wait in their trigger topic (durably) while more replies than this wait to be applied to the
   * sagas under way: those go first, instead of every saga slowing down in a burst. Default 8.
   */
  replyBacklogLimit?: number;
  /** How often the instance announces itself on mesh.heartbeats (as agents do); 0 turns it off. Default 5 s. */
  heartbeatEveryMs?: number;
  /** Build version in its heartbeats. */
  version?: string;
  kafka?: Partial<KafkaConfig>;
}

export interface RunningCoordinator {
  readonly instanceId: string;
  readonly groupId: string;
  /** Resolves the first time the instance has joined the group and claimed its partitions. */
  readonly joined: Promise<void>;
  /** The saga.replies partitions this instance drives now. */
  ownedPartitions(): number[];
  readiness(): Promise<Record<string, CheckResult>>;
  /** Stops taking work, finishes what is under way, leaves the group. */
  stop(): Promise<void>;
}

const DEFAULT_REPLY_BACKLOG_LIMIT = 8;
/** Due sagas driven per owned partition per timer pass. */
const MAX_DUE_PER_TICK = 256;
const DRIVE_CONCURRENCY = 64;

/**
 * Runs sagas: consumes saga.replies as one consumer group, so instances share
 * sagas by saga.replies partition, and the triggers as another (any instance
 * may start a saga; its home partition's owner drives it). For every input the
 * SagaDriver loads the saga, decides (pure), writes the new state to Redis
 * (fenced by the partition's epoch), then sends the commands and the audit
 * records. Timers (start, back-off, deadlines) live in Redis per partition and
 * are polled by the partition's owner, so a restart forgets none.
 */
export async function startCoordinator(options: CoordinatorOptions): Promise<RunningCoordinator> {
  const groupId = options.groupId ?? DEFAULT_COORDINATOR_GROUP;
  const instanceId = options.instanceId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const baseLogger = options.logger ?? pino({ level: process.env.LOG_LEVEL ?? 'info' });
  // A process logger that already names the instance keeps its name (one `instance` field per line).
  const logger = baseLogger.child({ component: 'coordinator', ...('instance' in baseLogger.bindings() ? {} : { instance: instanceId }) });
  const metrics = options.metrics ?? new CoordinatorMetrics();
  const tracer = options.tracer ?? trace.getTracer('agentmesh-coordinator');
  const clock = options.clock ?? Date.now;
  const { codec, store } = options;
  const dlqTopic = `${groupId}.dlq`;
  const { sagasByName, sagasByTrigger } = indexSagas(options.sagas);

  const kafka = createKafkaClient({ clientId: 'mesh-coordinator', brokers: options.brokers, ...(options.kafka ? { kafka: options.kafka } : {}) });
  const admin = kafka.admin();
  await admin.connect();
  let replyPartitions: number;
  try {
    const topics = await ensureTopics(admin, coordinatorTopics(options.sagas, dlqTopic, { replyPartitions: options.replyPartitions ?? 6, defaultPartitions: options.defaultPartitions ?? 3 }));
    replyPartitions = topics.replyPartitions;
    if (topics.replyTimestampType !== undefined && topics.replyTimestampType !== 'LogAppendTime') {
      logger.warn(
        { topic: SAGA_REPLIES_TOPIC, timestampType: topics.replyTimestampType },
        `${SAGA_REPLIES_TOPIC} keeps ${topics.replyTimestampType}: step deadlines are judged by the participants' clocks; set message.timestamp.type=LogAppendTime on it to judge them by the broker's`,
      );
    }
  } catch (error) {
    await admin.disconnect();
    throw error;
  }
  const producer = new BatchProducer(() => idempotentProducer(kafka), logger, { maxRecordBytes: COMMAND_RECORD_LIMIT_BYTES });
  await producer.connect();
  const outbox = new SagaOutbox(producer, logger);
  const ownership = new PartitionOwnership({ clock, ...(options.random ? { random: options.random } : {}) });
  const replyClock = new ReplyClock({ lookUp: (partitions) => replyOffsets(admin, groupId, partitions), clock, logger });
  const driver = new SagaDriver({ sagasByName, store, ownership, outbox, codec, metrics, spans: new SagaSpans(tracer), logger, clock, random: options.random ?? Math.random, deployment: groupId });
  const deadLetter = async (topic: string, partition: number, message: KafkaMessage, error: unknown): Promise<void> => {
    logger.warn({ topic, partition, offset: message.offset, error: describeError(error) }, 'input the coordinator cannot use; dead-lettered');
    await outbox.sendNow([deadLetterRecord(dlqTopic, groupId, topic, partition, message, error, clock())]);
  };
  const replyIntake = new ReplyIntake({
    sagasByName,
    driver,
    outbox,
    codec,
    metrics,
    logger,
    replyPartitions,
    deadLetter,
    deployment: groupId,
    applied: (partition, next) => replyClock.applied(partition, next),
  });
  const triggerIntake = new TriggerIntake({
    sagasByTrigger,
    store,
    driver,
    ownership,
    outbox,
    codec,
    metrics,
    tracer,
    logger,
    clock,
    replyPartitions,
    deadLetter,
    pendingReplies: () => replyIntake.pendingReplies(),
    replyBacklogLimit: options.replyBacklogLimit ?? DEFAULT_REPLY_BACKLOG_LIMIT,
  });

  const signalIntake = new SignalIntake({ store, codec, metrics, logger, clock, deadLetter });

  const consumerSettings = {
    ...(options.sessionTimeoutMs !== undefined ? { sessionTimeoutMs: options.sessionTimeoutMs } : {}),
    ...(options.heartbeatIntervalMs !== undefined ? { heartbeatIntervalMs: options.heartbeatIntervalMs } : {}),
    ...(options.maxWaitTimeInMs !== undefined ? { maxWaitTimeInMs: options.maxWaitTimeInMs } : {}),
  };
  let markJoined: () => void = () => undefined;
  let assignedPartitions = 0;
  const joined = new Promise<void>((resolve) => (markJoined = resolve));
  const loseOwnership = () => {
    ownership.suspend();
    metrics.unclaimedPartitions(0);
    driver.forgetStates();
    replyIntake.forgetBacklog();
    replyClock.forget();
  };
  // Replies and triggers are consumed apart: a backlog of new sagas must not hold up the replies of running ones.
  const replies = new SupervisedConsumer(
    kafka,
    { ...consumerSettings, groupId, topics: [SAGA_REPLIES_TOPIC], partitionsConsumedConcurrently: Math.max(1, Math.min(replyPartitions, 8)) },
    {
      eachBatch: (scope) => replyIntake.handle(scope),
      onRebalancing: loseOwnership,
      // A crashed consumer has left the group: its partitions may be another instance's by now.
      onRestart: loseOwnership,
      onJoin: (assignment) => {
        const assigned = assignment[SAGA_REPLIES_TOPIC] ?? [];
        assignedPartitions = assigned.length;
        driver.forgetStates();
        replyClock.forget();
        ownership
          .assign(assigned, {
            claim: (p) => store.claimPartition(p),
            takeOver: (gained) => takeOver(gained),
            onClaimFailed: (error, unclaimed, retryInMs) => {
              metrics.unclaimedPartitions(unclaimed.partitions.length);
              // Said once per outage, then quietly (readiness, the heartbeat and a metric show it meanwhile).
              const log = unclaimed.attempts === 1 ? logger.warn.bind(logger) : logger.debug.bind(logger);
              log({ partitions: unclaimed.partitions, attempts: unclaimed.attempts, retryInMs, error: describeError(error) }, 'could not claim partitions; acting on none of them, trying again');
            },
          })
          .then((gained) => {
            if (gained === null) return; // a newer assignment (or a rebalance) came first
            metrics.unclaimedPartitions(0);
            metrics.ownedPartitions(assigned.length);
            logger.info({ partitions: assigned, gained }, 'joined coordinator group');
            markJoined();
          })
          .catch((error: unknown) => logger.error({ error: describeError(error) }, 'could not take over partitions; acting on none until the next assignment'));
      },
    },
    logger,
  );
  const triggers =
    sagasByTrigger.size > 0
      ? new SupervisedConsumer(
          kafka,
          { ...consumerSettings, groupId: `${groupId}.triggers`, topics: [...sagasByTrigger.keys()], partitionsConsumedConcurrently: 2 },
          { eachBatch: (scope) => triggerIntake.handle(scope) },
          logger,
        )
      : undefined;

  // Signals are recorded in the saga store by any instance; each saga's owner applies them.
  const signals = new SupervisedConsumer(
    kafka,
    { ...consumerSettings, groupId: `${groupId}.signals`, topics: [SAGA_SIGNALS_TOPIC], partitionsConsumedConcurrently: 1 },
    { eachBatch: (scope) => signalIntake.handle(scope) },
    logger,
  );

  /** Re-sends the gained partitions' in-flight commands; a failure is logged (their deadlines will retry them) and does not stop the instance. */
  async function takeOver(gained: number[]): Promise<void> {
    for (const partition of gained) {
      await driver
        .resendInFlight(partition)
        .catch((error: unknown) => logger.warn({ partition, error: describeError(error) }, 'could not re-send the in-flight commands of a partition taken over; their deadlines will retry them'));
    }
  }

  // Timers: each owned partition's due sagas.
  const timers = new TimerLoop(
    async () => {
      await outbox.retryFailed();
      const now = clock();
      const duePerPartition: [number, string[]][] = [];
      for (const fence of ownership.active()) {
        const due = await store.due(fence.partition, now, MAX_DUE_PER_TICK);
        if (due.length > 0) duePerPartition.push([fence.partition, due]);
      }
      // Deadlines among them pass only once the replies that reached Kafka before them are read: ask how far that is.
      replyClock.probe(duePerPartition.map(([partition]) => partition));
      for (const [partition, due] of duePerPartition) {
        await mapLimit(due, DRIVE_CONCURRENCY, async (sagaId) => {
          await driver.drive(sagaId, { type: 'tick', repliesReadThrough: replyClock.readThrough(partition) });
        });
      }
    },
    options.tickMs ?? 50,
    STORE_RETRY_MS,
    logger,
  );

  let stopping: Promise<void> | undefined;
  const heartbeats = new HeartbeatPublisher({
    identity: {
      agent: groupId,
      instanceId,
      host: hostname(),
      pid: process.pid,
      version: options.version ?? null,
      topics: [SAGA_REPLIES_TOPIC, ...sagasByTrigger.keys()],
      kind: 'coordinator',
      group: groupId,
    },
    everyMs: options.heartbeatEveryMs ?? 5_000,
    codec,
    producer,
    logger,
    clock,
    snapshot: () => {
      const unclaimed = ownership.unclaimed();
      return {
        joined: replies.groupCheck().ok && (ownership.isActive || unclaimed !== undefined),
        stopping: stopping !== undefined,
        pausedFor: unclaimed ? `holds ${unclaimed.partitions.length} partition(s) it cannot act on: ${unclaimed.lastError}` : undefined,
        assignedPartitions,
        lagByPartition: replyIntake.backlogByPartition(),
        openBreakers: [],
        counters: new Map([['unclaimedPartitions', unclaimed?.partitions.length ?? 0]]),
      };
    },
  });

  await replies.start();
  await triggers?.start();
  await signals.start();
  timers.start();
  heartbeats.start();

  return {
    instanceId,
    groupId,
    joined,
    ownedPartitions: () =>
      ownership
        .active()
        .map((f) => f.partition)
        .sort((a, b) => a - b),
    async readiness() {
      const redisOk = await store.redis.ping().then(
        () => true,
        () => false,
      );
      const group = replies.groupCheck();
      return {
        group: group.ok ? ownershipCheck(ownership, clock()) : group,
        redis: { ok: redisOk, ...(redisOk ? {} : { detail: 'saga store unreachable' }) },
      };
    },
    stop() {
      stopping ??= (async () => {
        await heartbeats.stop();
        await timers.stop();
        await triggers?.stop();
        await signals.stop();
        await replies.stop();
        ownership.suspend(); // a claim still being retried stops too
        await outbox.retryFailed();
        await producer.disconnect();
        await admin.disconnect();
      })();
      return stopping;
    },
  };
}

/** Ready when the instance acts on its assignment; not while it holds partitions whose claims keep failing. */
function ownershipCheck(ownership: PartitionOwnership, now: number): CheckResult {
  const unclaimed = ownership.unclaimed();
  if (unclaimed) {
    const seconds = Math.round((now - unclaimed.since) / 1000);
    return { ok: false, detail: `holds ${unclaimed.partitions.length} partition(s) of ${SAGA_REPLIES_TOPIC} it cannot act on for ${seconds} s (claims fail: ${unclaimed.lastError})` };
  }
  if (!ownership.isActive) return { ok: false, detail: `not acting on ${SAGA_REPLIES_TOPIC}: joining the group or claiming its partitions` };
  return { ok: true, detail: `owns ${ownership.active().length} partition(s) of ${SAGA_REPLIES_TOPIC}` };
}

/** saga.replies' end offsets and this group's committed offsets (none committed: from the log's start, as the consumer reads). */
async function replyOffsets(admin: Admin, groupId: string, partitions: readonly number[]): Promise<Map<number, ReplyPartitionOffsets>> {
  const [ends, committed] = await Promise.all([admin.fetchTopicOffsets(SAGA_REPLIES_TOPIC), admin.fetchOffsets({ groupId, topics: [SAGA_REPLIES_TOPIC] })]);
  const committedBy = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
  const result = new Map<number, ReplyPartitionOffsets>();
  for (const end of ends) {
    if (!partitions.includes(end.partition)) continue;
    const at = committedBy.get(end.partition) ?? -1;
    result.set(end.partition, { end: Number(end.high), committed: at >= 0 ? at : Number(end.low) });
  }
  return result;
}

/** Commands, audit records and stuck notices are small; one this large is a bug, refused before it can fail a whole request. */
const COMMAND_RECORD_LIMIT_BYTES = 512 * 1024;

function indexSagas(sagas: readonly Saga[]): { sagasByName: Map<string, Saga>; sagasByTrigger: Map<string, Saga[]> } {
  const sagasByName = new Map<string, Saga>();
  const sagasByTrigger = new Map<string, Saga[]>();
  for (const saga of sagas) {
    if (sagasByName.has(saga.name)) throw new SagaDefinitionError(`two sagas are named '${saga.name}'`);
    sagasByName.set(saga.name, saga);
    pushTo(sagasByTrigger, saga.trigger, saga);
  }
  return { sagasByName, sagasByTrigger };
}
