import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type Consumer, type EachBatchPayload, type KafkaConfig, type KafkaMessage, type Producer } from 'kafkajs';
import pino, { type Logger } from 'pino';
import { trace, type Tracer } from '@opentelemetry/api';
import type { Agent } from '../agent/types';
import type { EventCodec } from '../codec/codec';
import { Header, headersToStrings, type Headers } from '../events/headers';
import { deriveEventId } from '../events/ids';
import type { IdempotencyStore, Outcome } from '../idempotency/store';
import type { CheckpointStore } from '../checkpoint/store';
import { MemoryCheckpointStore } from '../checkpoint/memory-checkpoint-store';
import type { EventOutcomeLabel, WorkerMetrics } from '../observability/metrics';
import { BreakerRegistry } from '../resilience/breakers';
import { runKeyOrdered } from './key-chains';
import { MemoryKeyBarrier, type KeyBarrier } from '../ordering/key-barrier';
import { parkedRecord, parkRecheckMs } from '../ordering/park';
import { processEvent, type ConsumedRecord, type EventProcessorDeps, type EventResult, type OutgoingRecord } from './process-event';
import { eventTracing } from './event-trace';
import { chunkBySize } from './produce-chunks';
import { installFastKafkajs } from '../kafkajs/install';
import { DeadlineQueue } from '../resilience/deadline';
import { buildHeartbeat, HEARTBEAT_TOPIC } from './heartbeat';
import { consumedTopics, ensureAgentTopics, retryTierOf } from './topics';

export interface WorkerOptions {
  brokers: string[];
  codec: EventCodec;
  idempotency: IdempotencyStore;
  /** Where ctx.checkpoint keeps step state; default in-process (a restart starts long handlers over). */
  checkpoints?: CheckpointStore;
  /** The per-key lines of an agent with ordering 'key'; default in-process (lost on restart). */
  keyBarrier?: KeyBarrier;
  /** Names this process in the group, leases and heartbeats. Default: host-pid-random. */
  instanceId?: string;
  logger?: Logger;
  metrics?: WorkerMetrics;
  /** Spans for consume, handle and send; default: the global tracer (a no-op until tracing is set up). */
  tracer?: Tracer;
  clock?: () => number;
  random?: () => number;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /** How long stop() waits for in-flight handlers before giving up. Default 30 s. */
  drainTimeoutMs?: number;
  /** How long completions are remembered. Default 7 days. */
  completionTtlMs?: number;
  /** Partitions of source topics the worker has to create. Default 3. */
  defaultPartitions?: number;
  partitionsConsumedConcurrently?: number;
  /** How often the worker announces itself on mesh.heartbeats; 0 turns heartbeats off. Default 5 s. */
  heartbeatEveryMs?: number;
  /** The agent's build version, carried in heartbeats. */
  version?: string;
  /** Fetch long-poll; also bounds how fast an idle worker notices new events. Default 100 ms. */
  maxWaitTimeInMs?: number;
  kafka?: Partial<KafkaConfig>;
}

export interface ReadinessCheck {
  ok: boolean;
  detail?: string;
}

export interface RunningWorker {
  readonly agent: string;
  readonly instanceId: string;
  /** Resolves the first time the worker joins its group. */
  readonly joined: Promise<void>;
  /** Joined its group and not paused by a dead dependency. */
  readiness(): Promise<Record<string, ReadinessCheck>>;
  /** Finishes in-flight handlers, commits, leaves the group. */
  stop(): Promise<void>;
}

const NOOP_METRICS: WorkerMetrics = {
  eventOutcome: () => undefined,
  handlerDuration: () => undefined,
  retryScheduled: () => undefined,
  deadLettered: () => undefined,
  breakerState: () => undefined,
  consumerLag: () => undefined,
};

/** The first wait before restarting a consumer kafkajs gave up on; doubled per crash without progress, up to the max. */
const RESTART_FIRST_DELAY_MS = 1_000;
const RESTART_MAX_DELAY_MS = 30_000;

/** A batch's outputs go out in produce requests of at most this much, well under Kafka's default 1 MiB message.max.bytes. */
const PRODUCE_REQUEST_BYTES = 512 * 1024;

/** The event id of a record: its header, else one derived from its coordinates (stable across redeliveries). */
function eventIdOf(topic: string, partition: number, message: KafkaMessage, headers: Headers): string {
  return headers[Header.eventId] ?? deriveEventId(`kafka:${topic}:${partition}:${message.offset}`, 'source', 0);
}

/**
 * Runs an agent as its own consumer group: consumes its topics and its retry
 * tiers, decides every event, writes outputs, retries and dead letters in one
 * produce per batch, marks completions in the idempotency store, and only then
 * commits offsets.
 */
export async function startWorker(agent: Agent, options: WorkerOptions): Promise<RunningWorker> {
  const instanceId = options.instanceId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const logger = (options.logger ?? pino({ level: process.env.LOG_LEVEL ?? 'info' })).child({ agent: agent.name, instance: instanceId });
  // Before this process's first produce or fetch, or it changes nothing (see kafkajs/install.ts).
  const kafkajsPaths = installFastKafkajs();
  if (Object.values(kafkajsPaths).some((path) => path !== 'installed')) logger.debug({ kafkajsPaths }, "some of kafkajs's own hot paths in use");
  const metrics = options.metrics ?? NOOP_METRICS;
  const clock = options.clock ?? Date.now;
  const random = options.random ?? Math.random;
  const store = options.idempotency;
  const completionTtlMs = options.completionTtlMs ?? 7 * 24 * 3600 * 1000;
  // A lease outlives one handler call (bounded by its deadline) plus the batch's writes, so a live
  // instance's event is not taken over mid-flight, while a crashed instance's events wait only this long.
  const leaseMs = agent.timeoutMs + 5_000;
  const topics = consumedTopics(agent);

  const kafka = new Kafka({ clientId: `mesh-${agent.name}`, brokers: options.brokers, logLevel: logLevel.NOTHING, ...options.kafka });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureAgentTopics(admin, agent, options.defaultPartitions ?? 3);
  } finally {
    await admin.disconnect();
  }

  const openProducer = async (): Promise<Producer> => {
    const opened = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await opened.connect();
    return opened;
  };
  // Replaced, with the consumer, when the consumer has to be restarted (see restartAfterCrash).
  let producer = await openProducer();

  let joined = false;
  let stopping = false;
  let markJoined: () => void = () => undefined;
  const firstJoin = new Promise<void>((resolve) => (markJoined = resolve));
  const timers = new Set<NodeJS.Timeout>();
  /** Event ids handled by this process right now, across partitions (see the batch handler). */
  const inFlightIds = new Set<string>();
  let pausedFor: string | undefined;
  let assignedPartitions = 0;
  const lagByPartition = new Map<string, number>();
  const counters = new Map<string, number>();
  /** Set while the consumer is down after a crash kafkajs does not restart from; readiness reports it. */
  let crashed: string | undefined;
  let restartDelayMs = RESTART_FIRST_DELAY_MS;

  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  const openConsumer = async (): Promise<Consumer> => {
    const opened = kafka.consumer({
      groupId: agent.name,
      sessionTimeout: options.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: options.heartbeatIntervalMs ?? 3_000,
      maxWaitTimeInMs: options.maxWaitTimeInMs ?? 100,
      retry: { retries: 10 },
    });
    opened.on(opened.events.GROUP_JOIN, (e) => {
      assignedPartitions = Object.values(e.payload.memberAssignment).reduce((n, parts) => n + parts.length, 0);
      lagByPartition.clear();
      joined = true;
      markJoined();
      logger.info('joined group');
    });
    opened.on(opened.events.CRASH, (e) => {
      if (opened !== consumer) return;
      joined = false;
      const error = (e.payload.error as Error)?.message;
      logger.error({ error, restart: e.payload.restart }, 'consumer crashed');
      // kafkajs restarts after retriable errors only; after any other it has left the group for good.
      if (!e.payload.restart && !stopping) restartAfterCrash(error);
    });
    await opened.connect();
    await opened.subscribe({ topics, fromBeginning: true });
    return opened;
  };
  let consumer = await openConsumer();

  /**
   * A crash kafkajs does not restart from (a non-retriable broker error, an unexpected TypeError)
   * would leave the agent alive but consuming nothing. It gets a fresh producer (an idempotent one
   * may be what failed) and a fresh consumer, after a delay that doubles while crashes repeat
   * without progress. Nothing is lost: offsets move only after outputs and completions are durable.
   */
  function restartAfterCrash(error: string | undefined): void {
    crashed = error ?? 'unknown error';
    const delayMs = restartDelayMs;
    restartDelayMs = Math.min(restartDelayMs * 2, RESTART_MAX_DELAY_MS);
    logger.warn({ delayMs }, 'restarting the consumer after a crash');
    later(delayMs, () => void reopen());
  }

  async function reopen(): Promise<void> {
    if (stopping) return;
    try {
      await Promise.allSettled([consumer.disconnect(), producer.disconnect()]);
      if (stopping) return;
      producer = await openProducer();
      consumer = await openConsumer();
      await consumer.run(runConfig);
      // stop() may have closed the old pair meanwhile: then this one is closed here.
      if (stopping) {
        await Promise.allSettled([consumer.disconnect(), producer.disconnect()]);
        return;
      }
      crashed = undefined;
      logger.info('consumer restarted');
    } catch (err) {
      restartAfterCrash((err as Error).message);
    }
  }

  /** Stops fetching every topic until `until` resolves, so no event is consumed into retries or the DLQ meanwhile. */
  const pauseAll = (reason: string, resumeAfterMs: number) => {
    if (pausedFor !== undefined || stopping) return;
    pausedFor = reason;
    logger.warn({ reason, resumeAfterMs }, 'pausing consumption');
    consumer.pause(topics.map((topic) => ({ topic })));
    later(resumeAfterMs, () => {
      pausedFor = undefined;
      if (stopping) return;
      logger.info({ reason }, 'resuming consumption');
      consumer.resume(topics.map((topic) => ({ topic })));
    });
  };

  const breakers = new BreakerRegistry(agent.breakers, {
    onOpen: (name, retryAfterMs) => logger.warn({ breaker: name, retryAfterMs }, 'breaker opened'),
    onStateChange: (name, state) => metrics.breakerState(agent.name, name, state),
  });
  const checkpoints = options.checkpoints ?? new MemoryCheckpointStore(logger);
  const ordered = agent.ordering === 'key';
  const barrier = options.keyBarrier ?? new MemoryKeyBarrier();
  const recheckMs = parkRecheckMs(agent.retry.delaysMs[0]);
  const deps: EventProcessorDeps = {
    agent,
    codec: options.codec,
    breakers,
    metrics,
    logger,
    clock,
    random,
    checkpoints,
    tracing: eventTracing(options.tracer ?? trace.getTracer('agentmesh'), agent.name),
    deadlines: new DeadlineQueue(agent.timeoutMs),
  };

  // The records themselves are the messages (kafkajs reads key, value and headers, and ignores topic).
  const toKafkaMessages = (records: OutgoingRecord[]) => {
    const byTopic = new Map<string, OutgoingRecord[]>();
    for (const r of records) {
      const list = byTopic.get(r.topic);
      if (list) list.push(r);
      else byTopic.set(r.topic, [r]);
    }
    return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
  };

  async function handleBatch({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale, pause }: EachBatchPayload): Promise<void> {
    const { topic, partition } = batch;
    const tier = retryTierOf(agent.name, topic);
    const lag = Number(batch.offsetLag());
    metrics.consumerLag(agent.name, topic, partition, lag);
    lagByPartition.set(`${topic}/${partition}`, lag);
    let messages = batch.messages;
    let notDueIn: number | undefined;
    if (tier !== undefined) {
      // A retry record is never handled before its due time: stop at the first one not due and pause until it is.
      const now = clock();
      const firstNotDue = messages.findIndex((m) => Number(m.headers?.[Header.dueAt]?.toString() ?? 0) > now);
      if (firstNotDue >= 0) {
        notDueIn = Number(messages[firstNotDue]!.headers![Header.dueAt]!.toString()) - now;
        messages = messages.slice(0, firstNotDue);
      }
    }

    const beat = setInterval(() => void heartbeat().catch(() => undefined), Math.max(500, (options.heartbeatIntervalMs ?? 3_000) / 2));
    // Event ids this batch handles: in flight until its outputs and completions are written.
    const batchHeld: string[] = [];
    try {
      const records: ConsumedRecord[] = messages.map((m) => {
        const headers = tier === undefined ? sourceHeaders(m.headers) : headersToStrings(m.headers);
        // Stamp the id on the record, so retry and DLQ copies keep it: the same event on every hop.
        const eventId = eventIdOf(topic, partition, m, headers);
        headers[Header.eventId] = eventId;
        return {
          topic,
          partition,
          offset: m.offset,
          timestamp: m.timestamp,
          key: m.key,
          value: m.value,
          headers,
          eventId,
          attempt: tier === undefined ? 1 : Number(headers[Header.attempt] ?? 0) + 1,
        };
      });
      let claims;
      try {
        claims = await store.claim(agent.name, records.map((r) => r.eventId), instanceId, leaseMs);
      } catch (err) {
        // Without the store there is no dedupe: pause rather than process blind.
        pauseAll(`idempotency store unreachable: ${(err as Error).message}`, 2_000);
        return;
      }

      const results: Array<EventResult | { kind: 'duplicate' } | { kind: 'busy' }> = new Array(records.length);
      // A record re-sent right behind its original (a producer retry, a saga command re-sent on takeover) can
      // share a batch with it: the first copy decides, the others are duplicates.
      const repeated = new Uint8Array(records.length);
      const firstCopies = new Set<string>();
      for (let i = 0; i < records.length; i++) {
        const before = firstCopies.size;
        if (firstCopies.add(records[i]!.eventId).size === before) repeated[i] = 1;
      }
      // A record's line: its key's bytes (latin1 maps them to chars one to one), or for a record without a
      // key its index, a line of its own (a number is never equal to a string as a Map or Set key).
      const lines: Array<string | number> = records.map((r, i) => (r.key === null ? i : r.key.toString('latin1')));
      const heldLines = new Set<string | number>();
      // Per-key ordering: line changes are applied after the batch's records are durable, in record order per key;
      // keys blocked earlier in this batch are known here before Redis says so.
      const lineUpdates: Array<() => Promise<void>> = [];
      const blockedInBatch = new Set<string>();
      const processInLine = async (r: ConsumedRecord, keyId: string, fromRetryTier: boolean): Promise<EventResult> => {
        let position;
        try {
          position = blockedInBatch.has(keyId) ? undefined : await barrier.position(agent.name, keyId, r.eventId);
        } catch (err) {
          // Without the lines, order cannot be kept: hold like a dead dependency.
          return { kind: 'hold', retryAfterMs: 2_000, reason: `ordering store unreachable: ${(err as Error).message}` };
        }
        // A source event waits whenever its key has a line; a retried or parked one only while others are ahead of it.
        const mustWait = position === undefined || (fromRetryTier ? position === 'waiting' : position !== 'free');
        if (mustWait) {
          blockedInBatch.add(keyId);
          lineUpdates.push(() => barrier.enqueue(agent.name, keyId, r.eventId));
          return { kind: 'retry', records: [parkedRecord(r, agent.name, clock() + recheckMs)] };
        }
        const result = await processEvent(r, deps);
        if (result.kind === 'retry') {
          blockedInBatch.add(keyId);
          lineUpdates.push(() => barrier.enqueue(agent.name, keyId, r.eventId));
        } else if (result.kind === 'finished' && position === 'head') {
          lineUpdates.push(() => barrier.release(agent.name, keyId, r.eventId));
        }
        return result;
      };
      await runKeyOrdered(records, (_, i) => lines[i]!, agent.concurrency, async (r, i) => {
        if (repeated[i] === 1) {
          results[i] = { kind: 'duplicate' };
          return;
        }
        const line = lines[i]!;
        const claim = claims.get(r.eventId);
        if (claim?.state === 'done') {
          results[i] = { kind: 'duplicate' };
          // A head finished before a crash may not have been released: releasing is idempotent.
          if (ordered && r.key !== null) lineUpdates.push(() => barrier.release(agent.name, barrierKey(line), r.eventId));
          return;
        }
        // The store hands an instance its own live lease again: a copy being handled by this process in another
        // partition's batch is busy here, not a second go.
        if (claim?.state === 'busy' || inFlightIds.has(r.eventId) || heldLines.has(line) || !isRunning() || isStale()) {
          results[i] = { kind: 'busy' };
          heldLines.add(line);
          return;
        }
        inFlightIds.add(r.eventId);
        try {
          const result = ordered && r.key !== null ? await processInLine(r, barrierKey(line), tier !== undefined) : await processEvent(r, deps);
          if (result.kind === 'hold') heldLines.add(line);
          results[i] = result;
        } finally {
          batchHeld.push(r.eventId);
        }
      });

      const outgoing: OutgoingRecord[] = [];
      for (const res of results) if (res.kind === 'finished' || res.kind === 'retry') outgoing.push(...res.records);
      for (const chunk of chunkBySize(outgoing, PRODUCE_REQUEST_BYTES)) await producer.sendBatch({ acks: -1, topicMessages: toKafkaMessages(chunk) });

      const completions: Array<{ eventId: string; outcome: Outcome }> = [];
      const retried: string[] = [];
      for (let i = 0; i < records.length; i++) {
        const res = results[i]!;
        if (res.kind === 'finished') completions.push({ eventId: records[i]!.eventId, outcome: res.outcome });
        else if (res.kind === 'retry') retried.push(records[i]!.eventId);
      }
      if (completions.length > 0) {
        await store.complete(agent.name, completions, completionTtlMs);
        // A finished event's step state is no longer needed; only events whose handler touched ctx.checkpoint
        // can have any (a retry that ignored it leaves it to the TTL). Failing to clear costs memory until then.
        const checkpointed = records.filter((_, i) => {
          const res = results[i]!;
          return res.kind === 'finished' && res.checkpointUsed;
        });
        if (checkpointed.length > 0) void Promise.all(checkpointed.map((r) => checkpoints.clear(agent.name, r.eventId))).catch(() => undefined);
      }
      if (retried.length > 0) await store.release(agent.name, retried, instanceId);
      for (const update of lineUpdates) await update();

      // Offsets move over the contiguous prefix of decided records only; the rest is fetched again.
      let decided = 0;
      let stoppedAt: EventResult | { kind: 'busy' } | undefined;
      const outcomes = new Map<EventOutcomeLabel, number>();
      for (; decided < records.length; decided++) {
        const res = results[decided]!;
        if (res.kind === 'hold' || res.kind === 'busy') {
          stoppedAt = res;
          break;
        }
        const outcome = res.kind === 'duplicate' ? 'duplicate' : res.kind === 'retry' ? 'retried' : res.outcome;
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      }
      for (const [outcome, count] of outcomes) {
        metrics.eventOutcome(agent.name, outcome, count);
        counters.set(outcome, (counters.get(outcome) ?? 0) + count);
      }
      if (decided > 0) {
        // Resolving the last decided offset covers those before it (kafkajs keeps one offset per partition).
        const last = records[decided - 1]!.offset;
        resolveOffset(last);
        // The batch's own commit with explicit offsets: consumer.commitOffsets is silently skipped once
        // a SIGTERM drain has begun, and the drained batch must still be committed.
        await commitOffsetsIfNecessary({ topics: [{ topic, partitions: [{ partition, offset: (BigInt(last) + 1n).toString() }] }] });
        restartDelayMs = RESTART_FIRST_DELAY_MS;
      }

      if (stoppedAt?.kind === 'hold') pauseAll(stoppedAt.reason, stoppedAt.retryAfterMs);
      else if (stoppedAt?.kind === 'busy' && !stopping) {
        const resume = pause();
        later(1_000, resume);
      } else if (notDueIn !== undefined) {
        const resume = pause();
        later(Math.max(10, notDueIn), resume);
      }
    } finally {
      clearInterval(beat);
      for (const id of batchHeld) inFlightIds.delete(id);
    }
  }

  const identity = { agent: agent.name, instanceId, host: hostname(), pid: process.pid, version: options.version ?? null, topics };
  let heartbeatWarned = false;
  const sendHeartbeat = async () => {
    const hb = buildHeartbeat(identity, { joined, stopping, pausedFor, assignedPartitions, lagByPartition, openBreakers: Object.entries(breakers.states()).filter(([, st]) => st === 'open').map(([n]) => n), counters }, clock());
    try {
      await producer.send({ topic: HEARTBEAT_TOPIC, messages: [{ key: instanceId, value: await options.codec.encode(HEARTBEAT_TOPIC, hb) }] });
    } catch (err) {
      // Heartbeats are for operators; failing to send one must never stop the agent.
      if (!heartbeatWarned) logger.warn({ error: (err as Error).message }, 'cannot publish heartbeats (will keep trying)');
      heartbeatWarned = true;
    }
  };
  const heartbeatEveryMs = options.heartbeatEveryMs ?? 5_000;
  const heartbeatTimer = heartbeatEveryMs > 0 ? setInterval(() => void sendHeartbeat(), heartbeatEveryMs) : undefined;
  heartbeatTimer?.unref();
  if (heartbeatTimer) void sendHeartbeat();

  const runConfig = {
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 4,
    eachBatch: handleBatch,
  };
  await consumer.run(runConfig);

  let stopped: Promise<void> | undefined;
  return {
    agent: agent.name,
    instanceId,
    joined: firstJoin,
    async readiness() {
      const checks: Record<string, ReadinessCheck> = {
        group: joined ? { ok: true } : { ok: false, detail: crashed ? `consumer crashed (${crashed}); restarting` : 'not joined to its consumer group' },
        consumption: pausedFor ? { ok: false, detail: `paused: ${pausedFor}` } : { ok: true },
      };
      try {
        await store.ping();
        checks.idempotency = { ok: true };
      } catch (err) {
        checks.idempotency = { ok: false, detail: (err as Error).message };
      }
      return checks;
    },
    stop() {
      stopped ??= (async () => {
        stopping = true;
        clearInterval(heartbeatTimer);
        for (const t of timers) clearTimeout(t);
        timers.clear();
        if (heartbeatTimer) await sendHeartbeat();
        const drain = consumer.disconnect();
        const deadline = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), options.drainTimeoutMs ?? 30_000).unref());
        if ((await Promise.race([drain.then(() => 'done' as const), deadline])) === 'timeout') logger.warn('drain timeout: leaving with handlers in flight');
        await producer.disconnect();
        logger.info('stopped');
      })();
      return stopped;
    },
  };
}

/** A keyed record's line as the key barrier (Redis) names it, for agents with ordering 'key'. */
function barrierKey(line: string | number): string {
  return `k${line}`;
}

/** Failure headers on a source record belong to another agent's story; this agent starts its own. */
const FOREIGN_ENVELOPE: ReadonlySet<string> = new Set([Header.attempt, Header.dueAt, Header.agent, Header.originalTopic, Header.originalPartition, Header.originalOffset, Header.originalTimestamp, Header.firstFailedAt, Header.errorKind, Header.errorClass, Header.errorMessage, Header.errorStack, Header.failureHistory]);

/**
 * headersToStrings without the foreign envelope, in one pass: skipping keys instead of deleting
 * them afterwards keeps the object out of V8's slow dictionary mode.
 */
function sourceHeaders(raw: KafkaMessage['headers']): Headers {
  const out: Headers = {};
  if (!raw) return out;
  for (const k of Object.keys(raw)) {
    if (FOREIGN_ENVELOPE.has(k)) continue;
    const v = raw[k];
    if (v === undefined) continue;
    const last = Array.isArray(v) ? v[v.length - 1] : v;
    if (last !== undefined) out[k] = last.toString();
  }
  return out;
}
