import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { KafkaConfig, KafkaMessage } from 'kafkajs';
import pino, { type Logger } from 'pino';
import { trace, type Tracer } from '@opentelemetry/api';
import type { EventCodec } from '@agentmesh/runtime';
import { BatchProducer, createKafkaClient, idempotentProducer, SupervisedConsumer, type CheckResult } from '@agentmesh/runtime/internal';
import { describeError, SagaDefinitionError } from '../errors';
import { DEFAULT_COORDINATOR_GROUP, SAGA_REPLIES_TOPIC } from '../protocol/topics';
import type { Saga } from '../saga/types';
import type { SagaStore } from '../store/saga-store';
import { CoordinatorMetrics } from '../observability/metrics';
import { SagaSpans } from '../observability/saga-spans';
import { STORE_RETRY_MS } from './intake';
import { mapLimit } from './map-limit';
import { pushTo } from './multimap';
import { PartitionOwnership } from './ownership';
import { deadLetterRecord } from './records';
import { ReplyIntake } from './reply-intake';
import { SagaDriver } from './saga-driver';
import { SagaOutbox } from './saga-outbox';
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
    replyPartitions = await ensureTopics(admin, coordinatorTopics(options.sagas, dlqTopic, { replyPartitions: options.replyPartitions ?? 6, defaultPartitions: options.defaultPartitions ?? 3 }));
  } finally {
    await admin.disconnect();
  }
  const producer = new BatchProducer(() => idempotentProducer(kafka), logger, { maxRecordBytes: COMMAND_RECORD_LIMIT_BYTES });
  await producer.connect();
  const outbox = new SagaOutbox(producer, logger);
  const ownership = new PartitionOwnership();
  const driver = new SagaDriver({ sagasByName, store, ownership, outbox, codec, metrics, spans: new SagaSpans(tracer), logger, clock, random: options.random ?? Math.random });
  const deadLetter = async (topic: string, partition: number, message: KafkaMessage, error: unknown): Promise<void> => {
    logger.warn({ topic, partition, offset: message.offset, error: describeError(error) }, 'input the coordinator cannot use; dead-lettered');
    await outbox.sendNow([deadLetterRecord(dlqTopic, groupId, topic, partition, message, error, clock())]);
  };
  const replyIntake = new ReplyIntake({ sagasByName, driver, outbox, codec, metrics, logger, replyPartitions, deadLetter });
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

  const consumerSettings = {
    ...(options.sessionTimeoutMs !== undefined ? { sessionTimeoutMs: options.sessionTimeoutMs } : {}),
    ...(options.heartbeatIntervalMs !== undefined ? { heartbeatIntervalMs: options.heartbeatIntervalMs } : {}),
    ...(options.maxWaitTimeInMs !== undefined ? { maxWaitTimeInMs: options.maxWaitTimeInMs } : {}),
  };
  let markJoined: () => void = () => undefined;
  const joined = new Promise<void>((resolve) => (markJoined = resolve));
  const loseOwnership = () => {
    ownership.suspend();
    driver.forgetStates();
    replyIntake.forgetBacklog();
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
        driver.forgetStates();
        ownership
          .assign(
            assigned,
            (p) => store.claimPartition(p),
            (gained) => takeOver(gained),
          )
          .then((gained) => {
            metrics.ownedPartitions(assigned.length);
            logger.info({ partitions: assigned, gained }, 'joined coordinator group');
            markJoined();
          })
          .catch((error: unknown) => logger.error({ error: describeError(error) }, 'could not claim partitions; acting on none until the next assignment'));
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
      for (const fence of ownership.active()) {
        const due = await store.due(fence.partition, clock(), MAX_DUE_PER_TICK);
        await mapLimit(due, DRIVE_CONCURRENCY, async (sagaId) => {
          await driver.drive(sagaId, { type: 'tick' });
        });
      }
    },
    options.tickMs ?? 50,
    STORE_RETRY_MS,
    logger,
  );

  await replies.start();
  await triggers?.start();
  timers.start();

  let stopping: Promise<void> | undefined;
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
        group: group.ok ? { ok: ownership.isActive, detail: `owns ${ownership.active().length} partition(s) of ${SAGA_REPLIES_TOPIC}` } : group,
        redis: { ok: redisOk, ...(redisOk ? {} : { detail: 'saga store unreachable' }) },
      };
    },
    stop() {
      stopping ??= (async () => {
        await timers.stop();
        await triggers?.stop();
        await replies.stop();
        await outbox.retryFailed();
        await producer.disconnect();
      })();
      return stopping;
    },
  };
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
