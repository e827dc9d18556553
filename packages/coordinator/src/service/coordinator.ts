import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type Consumer, type EachBatchPayload, type KafkaConfig, type KafkaMessage, type Message, type TopicMessages } from 'kafkajs';
import pino, { type Logger } from 'pino';
import { trace, type Tracer } from '@opentelemetry/api';
import { deriveEventId, Header, headersToStrings, installFastKafkajs, InvalidInputError, StoreError, traceIdFromTraceparent, type EventCodec } from '@agentmesh/runtime';
import { parseReply, toReplyInput, type SagaReplyRecord } from '../protocol/messages';
import { describeError, SagaDefinitionError } from '../errors';
import { commandEventId, sagaIdFor } from '../protocol/ids';
import { DEFAULT_COORDINATOR_GROUP, SAGA_EVENTS_TOPIC, SAGA_REPLIES_TOPIC, SAGA_STUCK_TOPIC } from '../protocol/topics';
import { newSagaState } from '../saga/create';
import type { CommandEffect, SagaInput, SagaState, StuckEffect, TransitionResult } from '../saga/state';
import { transition } from '../saga/transition';
import type { Saga, SagaTrigger } from '../saga/types';
import type { SagaStore } from '../store/saga-store';
import { CoordinatorMetrics } from '../observability/metrics';
import { SagaSpans, startSagaTrace } from '../observability/saga-spans';
import { homePartitionOf } from './home-partition';
import { CoalescingSender, UnsendableError } from './coalescing-sender';
import { KeyedLock } from './keyed-lock';
import { mapLimit } from './map-limit';
import { pushTo } from './multimap';
import { auditRecords, commandRecord, deadLetterRecord, stuckRecord } from './records';
import { coordinatorTopics, ensureTopics } from './topics';
import { PartitionOwnership } from './ownership';

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
  kafka?: Partial<KafkaConfig>;
}

export interface RunningCoordinator {
  readonly instanceId: string;
  readonly groupId: string;
  /** Resolves the first time the instance has joined the group and claimed its partitions. */
  readonly joined: Promise<void>;
  /** The saga.replies partitions this instance drives now. */
  ownedPartitions(): number[];
  readiness(): Promise<Record<string, { ok: boolean; detail?: string }>>;
  /** Stops taking work, finishes what is under way, leaves the group. */
  stop(): Promise<void>;
}

/** What became of one drive of a saga. */
type DriveOutcome = 'applied' | 'unchanged' | 'unknown-saga' | 'not-owner' | 'fenced';

const MAX_DUE_PER_TICK = 256;
const DRIVE_CONCURRENCY = 64;
const TRIGGER_CHUNK = 128;
const MAX_CACHED_STATES = 100_000;
/** How long a partition waits after the saga store failed before its replies are read again. */
const STORE_RETRY_MS = 1_000;
/** How long a partition this instance may not act on (rebalance under way, fenced) waits before it is read again. */
const NOT_OWNER_RETRY_MS = 200;

/**
 * Runs sagas: consumes saga.replies as one consumer group, so instances
 * share sagas by saga.replies partition, and the triggers as another (any
 * instance may start a saga; its home partition's owner drives it). For every input it
 * loads the saga, decides (pure), writes the new state to Redis (fenced by the
 * partition's epoch), then sends the commands and the audit records. Timers
 * (start, back-off, deadlines) live in Redis per partition and are polled by
 * the partition's owner, so a restart forgets none.
 */
export async function startCoordinator(options: CoordinatorOptions): Promise<RunningCoordinator> {
  const groupId = options.groupId ?? DEFAULT_COORDINATOR_GROUP;
  const instanceId = options.instanceId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const baseLogger = options.logger ?? pino({ level: process.env.LOG_LEVEL ?? 'info' });
  // A process logger that already names the instance keeps its name (one `instance` field per line).
  const logger = baseLogger.child({ component: 'coordinator', ...('instance' in baseLogger.bindings() ? {} : { instance: instanceId }) });
  // Before this process's first produce or fetch (see the runtime's installFastKafkajs).
  installFastKafkajs();
  const metrics = options.metrics ?? new CoordinatorMetrics();
  const tracer = options.tracer ?? trace.getTracer('agentmesh-coordinator');
  const spans = new SagaSpans(tracer);
  const clock = options.clock ?? Date.now;
  const random = options.random ?? Math.random;
  const { codec, store } = options;
  const tickMs = options.tickMs ?? 50;
  const dlqTopic = `${groupId}.dlq`;

  const sagasByName = new Map<string, Saga>();
  const sagasByTrigger = new Map<string, Saga[]>();
  for (const saga of options.sagas) {
    if (sagasByName.has(saga.name)) throw new SagaDefinitionError(`two sagas are named '${saga.name}'`);
    sagasByName.set(saga.name, saga);
    pushTo(sagasByTrigger, saga.trigger, saga);
  }

  const kafka = new Kafka({ clientId: `mesh-coordinator`, brokers: options.brokers, logLevel: logLevel.NOTHING, ...options.kafka });
  const wanted = coordinatorTopics(options.sagas, dlqTopic, { replyPartitions: options.replyPartitions ?? 6, defaultPartitions: options.defaultPartitions ?? 3 });
  const admin = kafka.admin();
  await admin.connect();
  let replyPartitions: number;
  try {
    replyPartitions = await ensureTopics(admin, wanted);
  } finally {
    await admin.disconnect();
  }

  const sender = new CoalescingSender(() => kafka.producer({ idempotent: true, maxInFlightRequests: 1 }), logger);
  await sender.connect();
  const consumerOf = (group: string): Consumer =>
    kafka.consumer({
      groupId: group,
      sessionTimeout: options.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: options.heartbeatIntervalMs ?? 3_000,
      maxWaitTimeInMs: options.maxWaitTimeInMs ?? 100,
      retry: { retries: 10 },
    });
  // Replies and triggers are consumed apart: a backlog of new sagas must not hold up the replies of running ones.
  const consumer = consumerOf(groupId);
  await consumer.connect();
  await consumer.subscribe({ topics: [SAGA_REPLIES_TOPIC], fromBeginning: true });
  const triggerConsumer = sagasByTrigger.size > 0 ? consumerOf(`${groupId}.triggers`) : undefined;
  await triggerConsumer?.connect();
  await triggerConsumer?.subscribe({ topics: [...sagasByTrigger.keys()], fromBeginning: true });

  const ownership = new PartitionOwnership();
  const locks = new KeyedLock();
  const warnedUnknownType = new Set<string>();
  /** States of running sagas this instance wrote last; cleared whenever ownership changes. */
  const stateCache = new Map<string, SagaState>();
  /** Sends that failed after their state was written: retried by the timer loop (same event ids). */
  const unsent: Array<() => Promise<void>> = [];
  let stopping = false;
  let joinedOnce = false;
  let markJoined: () => void = () => undefined;
  const joined = new Promise<void>((resolve) => (markJoined = resolve));

  // --- sending -------------------------------------------------------------------------------

  async function send(batch: TopicMessages[]): Promise<void> {
    if (batch.length === 0) return;
    try {
      await sender.send(batch);
    } catch (error) {
      if (error instanceof UnsendableError) {
        const singles = batch.flatMap(({ topic, messages }) => messages.map((m) => [{ topic, messages: [m] }]));
        if (singles.length > 1) {
          for (const one of singles) await send(one);
          return;
        }
        // Retrying cannot help. A command lost this way fails its step at its deadline; say so loudly.
        logger.error({ topic: batch[0]!.topic, error: describeError(error) }, 'record too large to produce; not sent');
        return;
      }
      logger.warn({ error: describeError(error) }, 'send failed after the saga state was written; retrying in the background');
      unsent.push(() => sender.send(batch));
    }
  }

  async function flushUnsent(): Promise<void> {
    while (unsent.length > 0) {
      const retry = unsent[0]!;
      try {
        await retry();
        unsent.shift();
      } catch (error) {
        logger.warn({ error: describeError(error), waiting: unsent.length }, 'send still failing');
        return;
      }
    }
  }

  /** Sends what a transition asked for, after its state was written. */
  async function perform(saga: Saga, state: SagaState, result: TransitionResult, stateJson: string): Promise<void> {
    const now = clock();
    const commands: { effect: CommandEffect; traceparent: string | undefined }[] = [];
    const stuck: StuckEffect[] = [];
    for (const effect of result.effects) {
      switch (effect.type) {
        case 'command': {
          const step = saga.steps[effect.step]!;
          commands.push({ effect, traceparent: spans.commandSent(state, step.name, effect.kind, effect.attempt, effect.eventId, now) });
          metrics.commandSent(saga.name, effect.kind);
          break;
        }
        case 'command-ended': {
          const step = saga.steps[effect.step]!;
          const eventId = commandEventId(state.id, step.name, effect.kind, effect.attempt);
          spans.commandEnded(state, step.name, effect.kind, effect.attempt, eventId, effect.sentAt, effect.outcome, now);
          if (effect.outcome === 'timed_out') metrics.commandTimedOut(saga.name, effect.kind);
          break;
        }
        case 'finished':
          metrics.sagaFinished(saga.name, effect.outcome, effect.durationMs / 1000);
          spans.sagaEnded(state, effect.outcome, now);
          logger.info({ sagaId: state.id, saga: saga.name, outcome: effect.outcome, durationMs: effect.durationMs }, `saga ${effect.outcome}`);
          break;
        case 'stuck':
          metrics.sagaStuck(saga.name, effect.status);
          spans.sagaEnded(state, effect.status, now);
          logger.warn({ sagaId: state.id, saga: saga.name, status: effect.status, reason: effect.reason }, 'saga stuck: waiting for an operator (mesh saga resume)');
          stuck.push(effect);
          break;
        case 'reply-ignored':
          metrics.reply(effect.why);
          logger.info({ sagaId: state.id, saga: saga.name, why: effect.why }, 'reply ignored');
          break;
      }
    }
    // Building the records can fail (a schema registry that cannot be reached): the state is written already,
    // so they are built and sent again in the background rather than lost until the command's deadline.
    const deliver = async (): Promise<void> => {
      const byTopic = new Map<string, Message[]>();
      for (const { effect, traceparent } of commands) pushTo(byTopic, effect.topic, await commandRecord(codec, saga, state, effect, traceparent));
      const batch: TopicMessages[] = [...byTopic].map(([topic, messages]) => ({ topic, messages }));
      if (result.events.length > 0) batch.push({ topic: SAGA_EVENTS_TOPIC, messages: await auditRecords(codec, state, result.events, stateJson) });
      if (stuck.length > 0) batch.push({ topic: SAGA_STUCK_TOPIC, messages: await Promise.all(stuck.map((e) => stuckRecord(codec, saga, state, e, now))) });
      await send(batch);
    };
    try {
      await deliver();
    } catch (error) {
      logger.warn({ sagaId: state.id, error: describeError(error) }, 'could not build the records of a transition already written; retrying in the background');
      unsent.push(deliver);
    }
  }


  // --- driving a saga ------------------------------------------------------------------------

  /** Loads a saga, decides, writes (fenced), then sends. One at a time per saga in this process. */
  function drive(sagaId: string, input: SagaInput): Promise<DriveOutcome> {
    return locks.run(sagaId, async () => {
      await ownership.settled();
      for (let round = 0; round < 5; round++) {
        // Replies use the state this instance last wrote (a stale copy fails the write's version check and is
        // read again); timers always read Redis, where an operator's resume request lands.
        const cached = input.type === 'reply' && round === 0 ? stateCache.get(sagaId) : undefined;
        const state = cached ?? (await store.load(sagaId));
        if (!state) return 'unknown-saga';
        const fence = ownership.fenceFor(state.homePartition);
        if (!fence) {
          stateCache.delete(sagaId);
          return 'not-owner';
        }
        const saga = sagasByName.get(state.type);
        if (!saga) {
          // Its timer stays due for an instance that runs the type; say so once, not every tick.
          if (!warnedUnknownType.has(sagaId)) {
            warnedUnknownType.add(sagaId);
            logger.warn({ sagaId, saga: state.type }, 'saga of a type this instance does not run; left alone');
          }
          return 'unknown-saga';
        }
        const result = transition(saga, state, input, { now: clock(), random: random() });
        if (!result.changed) return 'unchanged';
        const next = result.state;
        next.version = state.version + 1;
        const json = JSON.stringify(next);
        const saved = await store.save(state, next, fence, json);
        if (saved !== 'ok') stateCache.delete(sagaId);
        if (saved === 'conflict') continue; // an operator's resume request (or a stale copy) met our write
        if (saved === 'missing') return 'unknown-saga';
        if (saved === 'fenced') {
          logger.warn({ partition: fence.partition, sagaId }, 'fenced: another instance owns the partition now; stopping work on it');
          ownership.lost(fence.partition);
          stateCache.clear();
          return 'fenced';
        }
        if (next.status === 'running' || next.status === 'compensating') stateCache.set(sagaId, next);
        else stateCache.delete(sagaId);
        if (stateCache.size > MAX_CACHED_STATES) stateCache.clear();
        await perform(saga, next, result, json);
        if (input.type === 'reply' && !result.effects.some((e) => e.type === 'reply-ignored')) metrics.reply('applied');
        return 'applied';
      }
      logger.warn({ sagaId }, 'saga kept changing under us; will look again on its next timer');
      return 'unchanged';
    });
  }

  // --- triggers ------------------------------------------------------------------------------

  async function deadLetter(topic: string, partition: number, message: KafkaMessage, error: unknown): Promise<void> {
    logger.warn({ topic, partition, offset: message.offset, error: describeError(error) }, 'input the coordinator cannot use; dead-lettered');
    await sender.send([{ topic: dlqTopic, messages: [deadLetterRecord(groupId, topic, partition, message, error, clock())] }]);
  }


  async function startSaga(saga: Saga, topic: string, partition: number, message: KafkaMessage): Promise<void> {
    const headers = headersToStrings(message.headers);
    const eventId = headers[Header.eventId] ?? deriveEventId(`kafka:${topic}:${partition}:${message.offset}`, 'source', 0);
    let state: SagaState;
    // The saga's own hooks failing on a trigger is that trigger's problem (dead-lettered), not the coordinator's:
    // rethrown, it would fail the batch again and again and stop every saga behind it on the partition.
    let hookFailed = false;
    const hook = <T>(run: () => T): T => {
      try {
        return run();
      } catch (error) {
        hookFailed = true;
        throw error;
      }
    };
    try {
      const value = await codec.decode(topic, message.value);
      const trigger: SagaTrigger = { topic, partition, offset: message.offset, key: message.key?.toString() ?? null, value, headers, eventId };
      const sagaId = hook(() => saga.sagaId?.(trigger)) ?? sagaIdFor(saga.name, eventId);
      const first = saga.steps[0]!.command;
      const data = await codec.encode(first, saga.start ? hook(() => saga.start!(trigger)) : value);
      const now = clock();
      state = newSagaState(saga, {
        id: sagaId,
        homePartition: homePartitionOf(sagaId, replyPartitions),
        now,
        trigger: { topic, partition, offset: message.offset, eventId },
        correlationId: headers[Header.correlationId] ?? eventId,
        traceparent: startSagaTrace(tracer, saga.name, sagaId, headers, now),
        data: { topic: first, bytes: data.toString('base64') },
      });
    } catch (error) {
      if (hookFailed || error instanceof InvalidInputError || (error instanceof Error && error.name === 'EncodeError')) return deadLetter(topic, partition, message, error);
      throw error;
    }
    if (!(await store.create(state))) {
      logger.info({ sagaId: state.id, saga: saga.name }, 'trigger seen before: the saga exists');
      return;
    }
    metrics.sagaStarted(saga.name);
    logger.info({ sagaId: state.id, saga: saga.name, traceId: traceIdFromTraceparent(state.traceparent) }, 'saga started');
    // Sent side by side with the first command (the sender keeps their order).
    const announced = send([{ topic: SAGA_EVENTS_TOPIC, messages: await auditRecords(codec, state, state.timeline) }]);
    // Its owner's timer would find it within a tick; when that is us, go at once.
    if (ownership.fenceFor(state.homePartition)) await drive(state.id, { type: 'tick' });
    await announced;
  }

  // --- replies -------------------------------------------------------------------------------

  /** Handles one reply; false when this instance may no longer act on the partition (stop the batch there). */
  async function handleReply(partition: number, message: KafkaMessage): Promise<boolean> {
    let reply: SagaReplyRecord;
    try {
      reply = parseReply(await codec.decode(SAGA_REPLIES_TOPIC, message.value));
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      metrics.reply('invalid');
      await deadLetter(SAGA_REPLIES_TOPIC, partition, message, error);
      return true;
    }
    const home = homePartitionOf(reply.sagaId, replyPartitions);
    if (home !== partition) {
      // Keyed by something else, or by a partitioner of its own: send it where the saga's owner reads.
      logger.warn({ sagaId: reply.sagaId, partition, home }, 'reply on the wrong partition; forwarding it to the saga home partition');
      await sender.send([{ topic: SAGA_REPLIES_TOPIC, messages: [{ key: reply.sagaId, partition: home, value: message.value, headers: message.headers }] }]);
      return true;
    }
    const saga = sagasByName.get(reply.sagaType);
    const outcome = await drive(reply.sagaId, toReplyInput(saga, reply));
    if (outcome === 'unknown-saga') {
      metrics.reply('unknown-saga');
      logger.info({ sagaId: reply.sagaId, step: reply.step }, 'reply for a saga we do not know (purged, or another deployment); ignored');
    }
    return outcome !== 'fenced' && outcome !== 'not-owner';
  }

  async function eachReplyBatch({ batch, resolveOffset, heartbeat, isRunning, isStale, commitOffsetsIfNecessary, pause }: EachBatchPayload): Promise<void> {
    const { partition } = batch;
    let storeDown: StoreError | undefined;
    let blocked = false;
    {
      // In order per saga; sagas of the batch side by side.
      const bySaga = new Map<string, KafkaMessage[]>();
      for (const message of batch.messages) {
        const key = message.key?.toString() ?? '';
        pushTo(bySaga, key, message);
      }
      const done = new Set<string>();
      await mapLimit([...bySaga.values()], DRIVE_CONCURRENCY, async (messages) => {
        for (const message of messages) {
          if (blocked || !isRunning() || isStale()) return;
          try {
            if (!(await handleReply(partition, message))) {
              blocked = true;
              return;
            }
          } catch (error) {
            // Without the saga store nothing can be decided: stop here, read these replies again later.
            if (!(error instanceof StoreError)) throw error;
            storeDown ??= error;
            blocked = true;
            return;
          }
          done.add(message.offset);
        }
      });
      // Offsets are committed up to the first message not handled.
      for (const message of batch.messages) {
        if (!done.has(message.offset)) break;
        resolveOffset(message.offset);
      }
    }
    await heartbeat();
    await commitOffsetsIfNecessary();
    if (storeDown && !stopping) {
      logger.warn({ partition, error: storeDown.message }, `saga store unavailable; ${SAGA_REPLIES_TOPIC} partition paused for ${STORE_RETRY_MS} ms`);
      const resume = pause();
      setTimeout(resume, STORE_RETRY_MS).unref();
    } else if (blocked && !stopping) {
      // Not ours to act on now (a rebalance under way, or fenced): wait for the group instead of fetching in a loop.
      const resume = pause();
      setTimeout(resume, NOT_OWNER_RETRY_MS).unref();
    }
  }

  async function eachTriggerBatch({ batch, resolveOffset, heartbeat, isRunning, isStale, commitOffsetsIfNecessary, pause }: EachBatchPayload): Promise<void> {
    const { topic, partition } = batch;
    const sagas = sagasByTrigger.get(topic) ?? [];
    let storeDown: StoreError | undefined;
    // Chunks, each committed, with a heartbeat between: a long batch must not outlast the session.
    for (let from = 0; from < batch.messages.length && !storeDown; from += TRIGGER_CHUNK) {
      if (!isRunning() || isStale()) return;
      const chunk = batch.messages.slice(from, from + TRIGGER_CHUNK);
      const done = new Set<string>();
      await mapLimit(chunk, DRIVE_CONCURRENCY, async (message) => {
        if (storeDown) return;
        try {
          for (const saga of sagas) await startSaga(saga, topic, partition, message);
          done.add(message.offset);
        } catch (error) {
          if (!(error instanceof StoreError)) throw error;
          storeDown ??= error;
        }
      });
      // Up to the first trigger not taken: the others are read again (creating a saga twice is a no-op).
      for (const message of chunk) {
        if (!done.has(message.offset)) break;
        resolveOffset(message.offset);
      }
      await heartbeat();
      await commitOffsetsIfNecessary();
    }
    if (storeDown && !stopping) {
      logger.warn({ topic, partition, error: storeDown.message }, `saga store unavailable; trigger partition paused for ${STORE_RETRY_MS} ms`);
      const resume = pause();
      setTimeout(resume, STORE_RETRY_MS).unref();
    }
  }


  // --- ownership and timers ------------------------------------------------------------------

  /**
   * A partition just taken over: its in-flight commands may never have been sent by the old owner. Same ids, so sent
   * once in effect. Runs before this instance acts on the partition: run alongside, it could find (and send again) a
   * command this instance had just sent itself.
   */
  async function recover(partition: number): Promise<void> {
    const ids = await store.scheduled(partition);
    const states = await store.loadMany(ids);
    const batch = new Map<string, Message[]>();
    let resent = 0;
    for (const state of states) {
      if (!state?.inFlight) continue;
      const saga = sagasByName.get(state.type);
      if (!saga) continue;
      const step = saga.steps[state.inFlight.step]!;
      const topic = state.inFlight.kind === 'execute' ? step.command : step.compensation;
      if (!topic) continue;
      const effect: CommandEffect = { type: 'command', step: state.inFlight.step, kind: state.inFlight.kind, topic, attempt: state.inFlight.attempt, eventId: state.inFlight.eventId, deadlineAt: state.inFlight.deadlineAt };
      const traceparent = spans.commandSent(state, step.name, effect.kind, effect.attempt, effect.eventId, clock());
      pushTo(batch, topic, await commandRecord(codec, saga, state, effect, traceparent));
      resent += 1;
    }
    await send([...batch].map(([topic, messages]) => ({ topic, messages })));
    logger.info({ partition, sagas: ids.length, resent }, 'took over partition');
  }

  /** Re-sends the gained partitions' in-flight commands; a failure is logged (their deadlines will retry them) and does not stop the instance. */
  async function takeOver(gained: number[]): Promise<void> {
    for (const partition of gained) {
      await recover(partition).catch((error: unknown) => logger.warn({ partition, error: describeError(error) }, 'could not re-send the in-flight commands of a partition taken over; their deadlines will retry them'));
    }
  }

  consumer.on(consumer.events.REBALANCING, () => {
    ownership.suspend();
    stateCache.clear();
  });
  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    const assigned = event.payload.memberAssignment[SAGA_REPLIES_TOPIC] ?? [];
    stateCache.clear();
    ownership
      .assign(assigned, (p) => store.claimPartition(p), takeOver)
      .then((gained) => {
        metrics.ownedPartitions(assigned.length);
        logger.info({ partitions: assigned, gained }, 'joined coordinator group');
        joinedOnce = true;
        markJoined();
      })
      .catch((error: unknown) => logger.error({ error: describeError(error) }, 'could not claim partitions; acting on none until the next assignment'));
  });
  consumer.on(consumer.events.CRASH, (event) => logger.error({ error: describeError(event.payload.error), restart: event.payload.restart }, 'consumer crashed'));

  triggerConsumer?.on(triggerConsumer.events.CRASH, (event) => logger.error({ error: describeError(event.payload.error), restart: event.payload.restart }, 'trigger consumer crashed'));
  await consumer.run({ eachBatchAutoResolve: false, partitionsConsumedConcurrently: Math.max(1, Math.min(replyPartitions, 8)), eachBatch: eachReplyBatch });
  await triggerConsumer?.run({ eachBatchAutoResolve: false, partitionsConsumedConcurrently: 2, eachBatch: eachTriggerBatch });

  // Timers: each owned partition's due sagas, every tickMs.
  let timer: NodeJS.Timeout | undefined;
  let ticking: Promise<void> = Promise.resolve();
  const tick = async () => {
    await flushUnsent();
    for (const fence of ownership.active()) {
      if (stopping) return;
      const due = await store.due(fence.partition, clock(), MAX_DUE_PER_TICK);
      await mapLimit(due, DRIVE_CONCURRENCY, async (sagaId) => {
        await drive(sagaId, { type: 'tick' });
      });
    }
  };
  // While the timer pass keeps failing (the saga store is away), it backs off and says so once.
  let tickFailing = false;
  const schedule = (delayMs: number) => {
    if (stopping) return;
    timer = setTimeout(() => {
      ticking = tick().then(
        () => {
          if (tickFailing) logger.info('timer pass works again');
          tickFailing = false;
          schedule(tickMs);
        },
        (error: unknown) => {
          if (!tickFailing) logger.warn({ error: describeError(error) }, `timer pass failed; trying again every ${STORE_RETRY_MS} ms`);
          tickFailing = true;
          schedule(STORE_RETRY_MS);
        },
      );
    }, delayMs);
  };
  schedule(tickMs);

  return {
    instanceId,
    groupId,
    joined,
    ownedPartitions: () => ownership.active().map((f) => f.partition).sort((a, b) => a - b),
    async readiness() {
      const redisOk = await store.redis.ping().then(
        () => true,
        () => false,
      );
      return {
        group: { ok: joinedOnce && ownership.isActive, detail: joinedOnce ? `owns ${ownership.active().length} partition(s) of ${SAGA_REPLIES_TOPIC}` : 'not joined yet' },
        redis: { ok: redisOk, ...(redisOk ? {} : { detail: 'saga store unreachable' }) },
      };
    },
    async stop() {
      if (stopping) return;
      stopping = true;
      clearTimeout(timer);
      await ticking;
      await triggerConsumer?.disconnect();
      await consumer.disconnect();
      await flushUnsent();
      await sender.disconnect();
      spans.closeAll(clock());
    },
  };
}

