import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { KafkaConfig } from 'kafkajs';
import pino, { type Logger } from 'pino';
import { trace, type Tracer } from '@opentelemetry/api';
import type { Agent } from '../agent/types';
import type { EventCodec } from '../codec/codec';
import type { IdempotencyStore } from '../idempotency/store';
import type { CheckpointStore } from '../checkpoint/store';
import { MemoryCheckpointStore } from '../checkpoint/memory-checkpoint-store';
import { defaultAgentStateStore } from '../state/open';
import type { AgentStateStore } from '../state/store';
import { childWithNewFields } from '../observability/logger';
import { NoopWorkerMetrics, type WorkerMetrics } from '../observability/metrics';
import type { ReadinessCheckResult } from '../observability/readiness';
import { BreakerRegistry } from '../resilience/breakers';
import { DeadlineQueue } from '../resilience/deadline';
import { MemoryKeyBarrier, type KeyBarrier } from '../ordering/key-barrier';
import { parkRecheckMs } from '../ordering/park';
import { BatchProducer } from '../kafka/batch-producer';
import { createKafkaClient, idempotentProducer } from '../kafka/client';
import { SupervisedConsumer } from '../kafka/supervised-consumer';
import type { Scheduler } from '../kafka/timers';
import { ConsumerSlot } from '../kafka/consumer-slot';
import type { ActiveLease } from '../activity/active-lease';
import { FencedAgentStateStore, FencedCheckpointStore } from '../activity/fenced-stores';
import type { LeaseTiming } from '../activity/lease-state';
import type { ActiveLeaseStore } from '../activity/lease-store';
import { defaultActiveLeaseStore } from '../activity/open';
import { leaseTiming, oneActiveLease, oneActiveSessionTimeoutMs } from './one-active';
import { eventTracing } from './event-trace';
import { BatchHandler } from './batch-handler';
import { HeartbeatPublisher } from './heartbeat';
import { LatencyWindow, recordingLatency } from './latency-window';
import { CommittedLagMonitor } from '../kafka/committed-lag';
import { DEFAULT_RESOURCE_WATERMARKS, ResourceMonitor, type ResourceWatermarks } from '../resilience/resource-watermark';
import { consumedTopics, ensureAgentTopics } from './topics';
import { ChaosControl, ChaosCounter, ChaosFaults, chaosCodec, chaosStore } from '../chaos';

export interface WorkerOptions {
  brokers: string[];
  codec: EventCodec;
  idempotency: IdempotencyStore;
  /** Where ctx.checkpoint keeps step state; default in-process (a restart starts long handlers over). */
  checkpoints?: CheckpointStore;
  /** Where ctx.state keeps the agent's versioned state; default Redis ($REDIS_URL, connected on first use) when `idempotency` is Redis, else in-process. */
  stateStore?: AgentStateStore;
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
  /**
   * Runs the consumer's pauses (a retry tier's record not due yet, a dependency away); default real time. A test
   * passes a virtual clock here and as `clock`, so retry tiers minutes apart pass as soon as it advances.
   */
  scheduler?: Scheduler;
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
  /**
   * Where the process stops taking work before it falls over (heap, resident memory, event-loop delay):
   * consumption pauses while one is crossed, and readiness and heartbeats say so. Default
   * DEFAULT_RESOURCE_WATERMARKS; false turns it off.
   */
  resourceWatermarks?: (ResourceWatermarks & { sampleEveryMs?: number }) | false;
  /** How often the consumer lag is read from the cluster (committed offsets against high watermarks). Default 5 s. */
  lagEveryMs?: number;
  /** Process-level counters added to every heartbeat's counters (a supervised process's restarts). */
  processCounters?: () => ReadonlyMap<string, number>;
  /**
   * Chaos commands on mesh.control (chaos/): true obeys them, false refuses each one and logs it, absent
   * does not listen. `mesh run` listens always and obeys with --chaos.
   */
  chaos?: boolean;
  /** Where a one-active agent's instances keep their lease; default Redis ($REDIS_URL) when `idempotency` is Redis, else in-process. */
  activeLeases?: ActiveLeaseStore;
  /** A one-active agent's lease timing; default DEFAULT_LEASE_TIMING. */
  leaseTiming?: Partial<LeaseTiming>;
  kafka?: Partial<KafkaConfig>;
}

export interface RunningWorker {
  readonly agent: string;
  readonly instanceId: string;
  /** Resolves the first time the worker joins its group. */
  readonly joined: Promise<void>;
  /** Joined its group and not paused by a dead dependency. */
  readiness(): Promise<Record<string, ReadinessCheckResult>>;
  /** Finishes in-flight handlers, commits, leaves the group. */
  stop(): Promise<void>;
}

/**
 * Runs an agent as its own consumer group: consumes its topics and its retry
 * tiers, decides every event, writes outputs, retries and dead letters in one
 * produce per batch, marks completions in the idempotency store, and only then
 * commits offsets.
 */
export async function startWorker(agent: Agent, options: WorkerOptions): Promise<RunningWorker> {
  const instanceId = options.instanceId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const logger = childWithNewFields(options.logger ?? pino({ level: process.env.LOG_LEVEL ?? 'info' }), { agent: agent.name, instance: instanceId });
  // Handler durations also feed the heartbeat's p50/p99 of each interval.
  const latency = new LatencyWindow();
  const metrics = recordingLatency(options.metrics ?? new NoopWorkerMetrics(), latency);
  const clock = options.clock ?? Date.now;
  const topics = consumedTopics(agent);

  const kafka = createKafkaClient({ clientId: `mesh-${agent.name}`, brokers: options.brokers, ...(options.kafka ? { kafka: options.kafka } : {}) });
  // One admin client for the process: the topics now, the consumer lag (CommittedLagMonitor) from then on.
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureAgentTopics(admin, agent, options.defaultPartitions ?? 3);
  } catch (error) {
    await admin.disconnect();
    throw error;
  }
  const producer = new BatchProducer(() => idempotentProducer(kafka), logger);
  await producer.connect();
  // Faults of chaos commands reach the events' codec, store, breakers and handler only when chaos is enabled.
  const faults = options.chaos ? new ChaosFaults(clock) : undefined;

  const breakers = new BreakerRegistry(agent.breakers, {
    onOpen: (name, retryAfterMs) => {
      logger.warn({ breaker: name, retryAfterMs }, 'breaker opened');
      faults?.noteAll(ChaosCounter.breakersOpened);
    },
    onStateChange: (name, state) => metrics.breakerState(agent.name, name, state),
  });
  const ownStateStore = options.stateStore ?? defaultAgentStateStore(options.idempotency, logger);
  // A one-active agent: its lease decides when this instance consumes, and fences every write it makes.
  const oneActive = agent.instances === 'one-active' ? { timing: leaseTiming(options.leaseTiming), leases: options.activeLeases ?? defaultActiveLeaseStore(options.idempotency, logger) } : undefined;
  let lease: ActiveLease | undefined;
  const fence = { assertLive: () => lease?.assertLive(), fence: () => lease?.fence() };
  const checkpoints = oneActive ? new FencedCheckpointStore(options.checkpoints ?? new MemoryCheckpointStore(logger), fence) : (options.checkpoints ?? new MemoryCheckpointStore(logger));
  const stateStore = oneActive ? new FencedAgentStateStore(ownStateStore, fence) : ownStateStore;
  let assignedPartitions = 0;
  let assignment: Record<string, number[]> = {};
  const consumer = new ConsumerSlot(
    () =>
      new SupervisedConsumer(
        kafka,
        {
          groupId: agent.name,
          topics,
          partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 4,
          ...(oneActive
            ? { sessionTimeoutMs: oneActiveSessionTimeoutMs(oneActive.timing, options.sessionTimeoutMs) }
            : options.sessionTimeoutMs !== undefined
              ? { sessionTimeoutMs: options.sessionTimeoutMs }
              : {}),
          ...(options.heartbeatIntervalMs !== undefined ? { heartbeatIntervalMs: options.heartbeatIntervalMs } : {}),
          ...(options.maxWaitTimeInMs !== undefined ? { maxWaitTimeInMs: options.maxWaitTimeInMs } : {}),
          ...(options.scheduler ? { scheduler: options.scheduler } : {}),
        },
        {
          eachBatch: (scope) => batches.handle(scope),
          onJoin: (joined) => {
            assignedPartitions = Object.values(joined).reduce((n, parts) => n + parts.length, 0);
            assignment = joined;
            batches.lagByPartition.clear();
            logger.info('joined group');
          },
          // The crash may have come from the producer (an idempotent one out of sequence): start it clean too.
          onRestart: () => producer.renew(),
        },
        logger,
      ),
  );
  const batches = new BatchHandler({
    agent,
    // One-active instances claim events under one name: the instance taking over picks up the events its
    // fenced predecessor held at once, instead of waiting out their leases.
    instanceId: oneActive ? `${agent.name}/active` : instanceId,
    writeFence: oneActive ? fence : undefined,
    store: faults ? chaosStore(options.idempotency, faults) : options.idempotency,
    producer,
    checkpoints,
    keyBarrier: options.keyBarrier ?? new MemoryKeyBarrier(),
    metrics,
    logger,
    clock,
    // A lease outlives one handler call (bounded by its deadline) plus the batch's writes, so a live
    // instance's event is not taken over mid-flight, while a crashed instance's events wait only this long.
    leaseMs: agent.timeoutMs + 5_000,
    completionTtlMs: options.completionTtlMs ?? 7 * 24 * 3600 * 1000,
    parkRecheckMs: parkRecheckMs(agent.retry.delaysMs[0]),
    pauseAll: (reason, ms) => consumer.pauseAll(reason, ms),
    events: {
      dependencyAway: (reason, ms) => consumer.pauseAll(reason, ms),
      agent,
      codec: faults ? chaosCodec(options.codec, faults) : options.codec,
      chaos: faults,
      breakers,
      metrics,
      logger,
      clock,
      random: options.random ?? Math.random,
      checkpoints,
      stateStore,
      writeFence: oneActive ? fence : undefined,
      tracing: eventTracing(options.tracer ?? trace.getTracer('agentmesh'), agent.name),
      deadlines: new DeadlineQueue(agent.timeoutMs),
    },
  });

  let stopping = false;
  const heartbeats = new HeartbeatPublisher({
    identity: { agent: agent.name, instanceId, host: hostname(), pid: process.pid, version: options.version ?? null, topics },
    everyMs: options.heartbeatEveryMs ?? 5_000,
    codec: options.codec,
    producer,
    logger,
    clock,
    storeIdentity: () => options.idempotency.identity(),
    snapshot: () => ({
      // A standby is ready to take over, out of the group on purpose.
      joined: consumer.isJoined() || (lease?.decidedYet === true && lease.role === 'standby'),
      stopping,
      pausedFor: consumer.pausedFor(),
      assignedPartitions,
      lagByPartition: batches.lagByPartition,
      openBreakers: Object.entries(breakers.states())
        .filter(([, state]) => state === 'open')
        .map(([name]) => name),
      counters: options.processCounters ? new Map([...batches.counters, ...options.processCounters()]) : batches.counters,
      inFlight: batches.inFlightCount,
      breakers: breakers.states(),
      latency: latency.drain(),
      ...(lease ? { role: lease.role } : {}),
      ...(lease?.token !== undefined ? { fencingToken: lease.token } : {}),
    }),
  });

  const watermarks = options.resourceWatermarks === false ? undefined : { ...DEFAULT_RESOURCE_WATERMARKS, ...options.resourceWatermarks };
  const resources = watermarks
    ? new ResourceMonitor({
        limits: watermarks,
        ...(watermarks.sampleEveryMs !== undefined ? { sampleEveryMs: watermarks.sampleEveryMs } : {}),
        // Paused for two sample windows, extended while the pressure holds.
        onPressure: (reason) => consumer.pauseAll(reason, 2 * (watermarks.sampleEveryMs ?? 1_000)),
      })
    : undefined;

  if (oneActive) {
    lease = oneActiveLease({ agent, instanceId, store: oneActive.leases, timing: oneActive.timing, slot: consumer, drainTimeoutMs: options.drainTimeoutMs ?? 30_000, logger });
    lease.start();
  } else await consumer.start();
  heartbeats.start();
  resources?.start();
  // Lag from the cluster, not from fetches: right while consumption is paused (a fetch-time figure reads 0 then).
  const lag = new CommittedLagMonitor({
    admin,
    groupId: agent.name,
    assignment: () => assignment,
    everyMs: options.lagEveryMs ?? 5_000,
    logger,
    onLag: (lags) => {
      for (const l of lags) {
        metrics.consumerLag(agent.name, l.topic, l.partition, l.lag);
        batches.lagByPartition.set(`${l.topic}/${l.partition}`, l.lag);
      }
    },
  });
  lag.start();
  const chaos =
    options.chaos === undefined
      ? undefined
      : new ChaosControl({
          agent: agent.name,
          instanceId,
          enabled: options.chaos,
          kafka,
          codec: options.codec,
          producer,
          logger,
          clock,
          faults: faults ?? new ChaosFaults(clock),
          pause: (reason, ms) => consumer.pauseAll(reason, ms),
        });
  // In the background: the worker consumes whether or not its chaos listener could start.
  void chaos?.start().catch((err: unknown) => logger.warn({ error: (err as Error).message }, 'chaos: cannot listen on mesh.control'));

  let stopped: Promise<void> | undefined;
  return {
    agent: agent.name,
    instanceId,
    // A standby has joined the mesh once it knows another instance is active.
    joined: lease ? lease.decided.then((role) => (role === 'active' ? consumer.joined : undefined)) : consumer.joined,
    async readiness() {
      const paused = consumer.pausedFor();
      const checks: Record<string, ReadinessCheckResult> = {
        group: consumer.groupCheck(),
        consumption: paused ? { ok: false, detail: `paused: ${paused}` } : { ok: true },
      };
      if (lease) checks.activity = { ok: true, detail: lease.role === 'active' ? `active instance (fencing token ${lease.token})` : 'standby instance' };
      try {
        await options.idempotency.ping();
        checks.idempotency = { ok: true };
      } catch (err) {
        checks.idempotency = { ok: false, detail: (err as Error).message };
      }
      return checks;
    },
    stop() {
      stopped ??= (async () => {
        stopping = true;
        resources?.stop();
        lag.stop();
        // Not waiting for a listener still connecting: its stop() ends it wherever it is.
        await chaos?.stop();
        await heartbeats.stop();
        if (lease) await lease.stop();
        else if ((await consumer.stop(options.drainTimeoutMs ?? 30_000)) === 'timeout') logger.warn('drain timeout: leaving with handlers in flight');
        // Writes the idempotency store missed while it was away: one last try, else say what is left undone.
        if (batches.owedWrites > 0)
          await batches.flushOwed().catch((err: unknown) => logger.warn({ owedWrites: batches.owedWrites, error: (err as Error).message }, 'leaving with idempotency store writes not done'));
        await producer.disconnect();
        await admin.disconnect();
        if (!options.stateStore) await ownStateStore.close(); // only the ones it made itself
        if (oneActive && !options.activeLeases) await oneActive.leases.close();
        logger.info('stopped');
      })();
      return stopped;
    },
  };
}
