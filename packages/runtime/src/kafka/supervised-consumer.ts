import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import { restartDelayMs } from './restart-delay';
import { Timers, type Scheduler } from './timers';

/**
 * How long the group waits for a silent member (a kill -9, a frozen host) before moving its partitions. Short
 * enough that a dead replica's partitions move within seconds; long batches cannot trip it, since heartbeats
 * go on during them (every tenth of it).
 */
export const DEFAULT_SESSION_TIMEOUT_MS = 10_000;

export interface SupervisedConsumerSettings {
  groupId: string;
  topics: readonly string[];
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /** Fetch long-poll; also bounds how fast an idle consumer notices new records. Default 100 ms. */
  maxWaitTimeInMs?: number;
  partitionsConsumedConcurrently: number;
  /** Runs the pause and restart timers; default the real clock (a test kit passes a virtual one). */
  scheduler?: Scheduler;
}

/** One fetched batch of one partition, with what a handler may do about it. */
export interface BatchScope {
  readonly topic: string;
  readonly partition: number;
  readonly messages: KafkaMessage[];
  /** Records behind the partition's high watermark after this batch. */
  readonly lag: number;
  /** False once a rebalance or a stop has begun: the batch is no longer this consumer's to finish. */
  isCurrent(): boolean;
  /** Commits the partition's offset through `offset` (inclusive). Counts as progress. */
  commitThrough(offset: string): Promise<void>;
  /** Stops fetching this partition for `ms`; the records after the last commit are fetched again then. */
  pauseFor(ms: number): void;
}

export interface SupervisedConsumerHooks {
  eachBatch(scope: BatchScope): Promise<void>;
  /** Every (re)join, with the partitions assigned by topic. */
  onJoin?(assignment: Record<string, number[]>): void;
  /** A rebalance began: assignments are about to change. */
  onRebalancing?(): void;
  /** Before a crashed consumer is replaced (renew what may have caused the crash, say a producer). */
  onRestart?(): void;
}

/** A readiness line: ok, or why not. */
export interface CheckResult {
  ok: boolean;
  detail?: string;
}

/**
 * A kafkajs consumer group member kept alive for the life of a mesh process:
 *
 * - Restarts: kafkajs restarts its consumer after retriable errors only; after any other (a
 *   non-retriable broker error, a TypeError thrown in a batch) it leaves the group for good and the
 *   process would live on consuming nothing. Here a fresh consumer takes over, after restartDelayMs
 *   while crashes repeat without a commit. Nothing is lost: offsets move only through commitThrough.
 * - Pauses: pauseAll (a dead dependency) and BatchScope.pauseFor (one partition), resumed by timers
 *   that a stop cancels.
 * - Heartbeats during long batches, so a slow batch does not cost the group its member.
 * - Commits: explicit offsets, also while a stop is draining (kafkajs skips a bare commit then).
 */
export class SupervisedConsumer {
  private consumer: Consumer | undefined;
  private stopping = false;
  /** Stopped without waiting on its batches: they no longer keep the member in the group. */
  private abandoned = false;
  private joinedNow = false;
  private crashedWith: string | undefined;
  private crashesWithoutProgress = 0;
  private pausedReason: string | undefined;
  private pausedUntil = 0;
  /** Pauses run on the settings' scheduler (virtual time in a test kit); restarts after a crash on real time. */
  private readonly timers: Timers;
  private readonly restarts = new Timers();
  private markJoined: () => void = () => undefined;
  /** Resolves the first time the consumer joins its group. */
  readonly joined: Promise<void> = new Promise<void>((resolve) => (this.markJoined = resolve));

  constructor(
    private readonly kafka: Kafka,
    private readonly settings: SupervisedConsumerSettings,
    private readonly hooks: SupervisedConsumerHooks,
    private readonly logger: Logger,
  ) {
    this.timers = new Timers(settings.scheduler);
  }

  async start(): Promise<void> {
    this.consumer = await this.open();
  }

  isJoined(): boolean {
    return this.joinedNow;
  }

  /** Why consumption is paused as a whole, if it is. */
  pausedFor(): string | undefined {
    return this.pausedReason;
  }

  /** The group line of a readiness report. */
  groupCheck(): CheckResult {
    if (this.joinedNow) return { ok: true };
    return { ok: false, detail: this.crashedWith ? `consumer crashed (${this.crashedWith}); restarting` : `not joined to consumer group ${this.settings.groupId}` };
  }

  /**
   * Stops fetching every topic for `ms`, so nothing is consumed into retries or dead letters meanwhile. Asked
   * again for the same reason while paused, the pause lasts until the later end (a condition still holding).
   */
  pauseAll(reason: string, ms: number): void {
    if (this.stopping) return;
    const until = this.timers.now() + ms;
    if (this.pausedReason !== undefined) {
      if (reason === this.pausedReason) this.pausedUntil = Math.max(this.pausedUntil, until);
      return;
    }
    this.pausedReason = reason;
    this.pausedUntil = until;
    this.logger.warn({ reason, resumeAfterMs: ms }, 'pausing consumption');
    this.consumer?.pause(this.allTopics());
    this.resumeAfter(ms);
  }

  private resumeAfter(ms: number): void {
    this.timers.after(ms, () => {
      const left = this.pausedUntil - this.timers.now();
      if (left > 0) return this.resumeAfter(left);
      const reason = this.pausedReason;
      this.pausedReason = undefined;
      if (this.stopping) return;
      this.logger.info({ reason }, 'resuming consumption');
      this.consumer?.resume(this.allTopics());
    });
  }

  /**
   * Finishes the batches under way (for at most drainTimeoutMs), commits, leaves the group. `abandon`: the
   * batches under way are no longer this member's to finish (a one-active instance lost its lease), so they
   * stop heartbeating and a long one cannot hold the member in the group past its session.
   */
  async stop(drainTimeoutMs = 30_000, abandon = false): Promise<'drained' | 'timeout'> {
    this.stopping = true;
    this.abandoned ||= abandon;
    this.timers.clear();
    this.restarts.clear();
    const consumer = this.consumer;
    if (!consumer) return 'drained';
    let timeout: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => (timeout = setTimeout(() => resolve('timeout'), drainTimeoutMs)));
    const outcome = await Promise.race([consumer.disconnect().then(() => 'drained' as const), deadline]);
    clearTimeout(timeout);
    return outcome;
  }

  private allTopics(): Array<{ topic: string }> {
    return this.settings.topics.map((topic) => ({ topic }));
  }

  private async open(): Promise<Consumer> {
    const { groupId, topics, sessionTimeoutMs, heartbeatIntervalMs, maxWaitTimeInMs, partitionsConsumedConcurrently } = this.settings;
    const consumer = this.kafka.consumer({
      groupId,
      sessionTimeout: sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS,
      heartbeatInterval: heartbeatIntervalMs ?? Math.floor((sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS) / 10),
      maxWaitTimeInMs: maxWaitTimeInMs ?? 100,
      retry: { retries: 10 },
    });
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      if (consumer !== this.consumer) return;
      this.joinedNow = true;
      this.markJoined();
      this.hooks.onJoin?.(event.payload.memberAssignment);
    });
    consumer.on(consumer.events.REBALANCING, () => {
      if (consumer === this.consumer) this.hooks.onRebalancing?.();
    });
    consumer.on(consumer.events.CRASH, (event) => {
      if (consumer !== this.consumer) return;
      this.joinedNow = false;
      const error = event.payload.error?.message ?? 'unknown error';
      this.logger.error({ group: groupId, error, restart: event.payload.restart }, 'consumer crashed');
      if (!event.payload.restart && !this.stopping) this.restartLater(error);
    });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topics: [...topics], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently,
      eachBatch: (payload) => this.runBatch(payload),
    });
    if (this.pausedReason !== undefined) consumer.pause(this.allTopics());
    return consumer;
  }

  private restartLater(error: string): void {
    this.crashedWith = error;
    this.crashesWithoutProgress += 1;
    const delayMs = restartDelayMs(this.crashesWithoutProgress);
    this.logger.warn({ group: this.settings.groupId, delayMs }, 'restarting the consumer after a crash');
    this.restarts.after(delayMs, () => void this.reopen());
  }

  private async reopen(): Promise<void> {
    if (this.stopping) return;
    const crashed = this.consumer;
    try {
      await crashed?.disconnect().catch(() => undefined);
      if (this.stopping) return;
      this.hooks.onRestart?.();
      const fresh = await this.open();
      // stop() may have closed the old consumer meanwhile: then the fresh one is closed here.
      if (this.stopping) {
        await fresh.disconnect();
        return;
      }
      this.crashedWith = undefined;
      this.logger.info({ group: this.settings.groupId }, 'consumer restarted');
    } catch (error) {
      this.restartLater(error instanceof Error ? error.message : String(error));
    }
  }

  private async runBatch(payload: EachBatchPayload): Promise<void> {
    // kafkajs's payload functions are closures, not methods: taking them off the payload is safe.
    // eslint-disable-next-line @typescript-eslint/unbound-method
    const { batch, heartbeat, isRunning, isStale, pause, resolveOffset, commitOffsetsIfNecessary } = payload;
    const { topic, partition } = batch;
    const beat = setInterval(() => void (this.abandoned ? undefined : heartbeat().catch(() => undefined)), Math.max(500, (this.settings.heartbeatIntervalMs ?? 3_000) / 2));
    try {
      await this.hooks.eachBatch({
        topic,
        partition,
        messages: batch.messages,
        lag: Number(batch.offsetLag()),
        isCurrent: () => isRunning() && !isStale(),
        commitThrough: async (offset) => {
          resolveOffset(offset);
          // Explicit offsets: a bare commit is skipped once a stop's drain has begun, and the drained batch must still be committed.
          await commitOffsetsIfNecessary({ topics: [{ topic, partitions: [{ partition, offset: (BigInt(offset) + 1n).toString() }] }] });
          this.crashesWithoutProgress = 0;
        },
        pauseFor: (ms) => {
          if (this.stopping) return;
          const resume = pause();
          this.timers.after(ms, resume);
        },
      });
    } finally {
      clearInterval(beat);
    }
  }
}
