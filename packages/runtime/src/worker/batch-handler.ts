import type { Logger } from 'pino';
import type { Agent } from '../agent/types';
import type { CheckpointStore } from '../checkpoint/store';
import { REPLAYED_DUPLICATE_MESSAGE, replayedDuplicate } from '../idempotency/replayed-duplicate';
import type { ClaimResult, IdempotencyStore } from '../idempotency/store';
import type { BatchProducer } from '../kafka/batch-producer';
import type { BatchScope } from '../kafka/supervised-consumer';
import type { WorkerMetrics } from '../observability/metrics';
import { BatchKeyLines, barrierKey } from '../ordering/batch-lines';
import type { KeyBarrier } from '../ordering/key-barrier';
import { nextFetch, readBatch, settleBatch, type ReadBatch, type RecordResult, type SettledBatch } from './batch';
import { runKeyOrdered } from './key-chains';
import { OwedWrites, type OwedWrite } from './owed-writes';
import { processEvent, type EventProcessorDeps } from './process-event';
import { dlqTopic, retryTierOf } from './topics';
import { refusedEventResult, sendFindingRefused } from './refused-outputs';
import { authorizationFailure } from '../kafka/authorization';
import type { ConsumedRecord, OutgoingRecord } from './process-event';
import { FencedError } from '../activity/lease-store';
import { OutputRefusedError } from '../failure/errors';
import type { WriteFence } from '../activity/fenced-stores';
import { journalsToPrefetch, prefetchIds, prefetchedJournals } from '../journal/prefetch';
import type { StepJournalState } from '../journal/journal-record';

export interface BatchHandlerDeps {
  agent: Agent;
  instanceId: string;
  events: EventProcessorDeps;
  store: IdempotencyStore;
  producer: BatchProducer;
  checkpoints: CheckpointStore;
  keyBarrier: KeyBarrier;
  metrics: WorkerMetrics;
  logger: Logger;
  clock: () => number;
  /** How long an instance holds an event it is handling before another may take it over. */
  leaseMs: number;
  completionTtlMs: number;
  /** When a parked record (waiting its key's turn) looks again. */
  parkRecheckMs: number;
  /** Stops all consumption for a while: the idempotency store, or a dependency behind an open breaker, is down. */
  pauseAll(reason: string, ms: number): void;
  /** A one-active agent's lease: nothing is sent or committed unless this instance is still the active one. */
  writeFence?: Pick<WriteFence, 'assertLive'> | undefined;
}

/** How long consumption pauses when the idempotency store cannot be reached. */
const STORE_DOWN_PAUSE_MS = 2_000;

/**
 * Handles a worker's fetched batches: claim, process, send, complete, commit.
 * The decisions (what is due, what repeats, what to write, how far to commit, what to wait for)
 * are the pure functions of batch.ts; this is their I/O.
 */
export class BatchHandler {
  /** Event ids handled by this process right now, across partitions: a copy in another batch is busy here. */
  private readonly inFlight = new Set<string>();
  /** Outcomes since start, for heartbeats. */
  readonly counters = new Map<string, number>();
  /** Lag per topic/partition (read from the cluster by the worker), for heartbeats. */
  readonly lagByPartition = new Map<string, number>();

  /** Events being handled now, for heartbeats. */
  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** Store writes owed by batches whose outputs went out while the store was away. */
  private readonly owed: OwedWrites;
  /** The agent has called ctx.step: its batches' step journals are read up front (readJournals). */
  private stepsSeen = false;

  constructor(private readonly deps: BatchHandlerDeps) {
    this.owed = new OwedWrites(deps.clock);
  }

  /** Store writes owed (they run before the next claim); for stop and readiness. */
  get owedWrites(): number {
    return this.owed.size;
  }

  /** Runs the store writes owed; throws while the store is still away. */
  flushOwed(): Promise<void> {
    return this.owed.flush();
  }

  async handle(scope: BatchScope): Promise<void> {
    const { agent, clock } = this.deps;
    const { topic, partition } = scope;

    const retryTier = retryTierOf(agent.name, topic);
    const batch = readBatch(scope.messages, { topic, partition, retryTier, now: clock() });
    let claims: Map<string, ClaimResult>;
    try {
      await this.owed.flush();
      claims = await this.deps.store.claim(
        agent.name,
        batch.records.map((r) => r.eventId),
        this.deps.instanceId,
        this.deps.leaseMs,
      );
    } catch (err) {
      // Without the store there is no dedupe: pause rather than process blind.
      this.deps.pauseAll(`idempotency store unreachable: ${(err as Error).message}`, STORE_DOWN_PAUSE_MS);
      return;
    }
    const journals = await this.readJournals(batch, claims);
    const lines = new BatchKeyLines(this.deps.keyBarrier, agent.name, () => clock() + this.deps.parkRecheckMs);
    const held: string[] = [];
    try {
      const results = await this.decide(batch, claims, journals, lines, retryTier !== undefined, scope, held);
      let settled = settleBatch(batch.records, results);
      let storeError: Error | undefined;
      try {
        this.deps.writeFence?.assertLive();
        settled = await this.send(batch.records, results, settled);
        storeError = await this.write(settled, lines);
      } catch (err) {
        // No longer the active instance: the batch is left, unsent and uncommitted, to the one that is.
        if (!(err instanceof FencedError)) throw err;
        this.deps.logger.warn({ topic, partition, records: batch.records.length }, 'not the active instance any more: the batch is left to the active one');
        return;
      }
      this.count(settled);
      // Committed even when the store missed its writes: the outputs are out, and a batch fetched again after a
      // crash (when what this process owes the store is gone) would be handled again. Not when key lines were
      // left unmoved (they are the last write): a crash then would leave the key's line blocked, so the batch is
      // fetched again, found handed on here (or done in the store), and its lines moved.
      const linesOwed = storeError !== undefined && lines.changed;
      if (linesOwed) this.owed.rememberHandedOn([...settled.completions.map((c) => c.eventId), ...settled.retried]);
      else if (settled.commitThrough !== undefined) await scope.commitThrough(settled.commitThrough);
      if (storeError) {
        this.deps.pauseAll(`idempotency store unreachable: ${storeError.message}`, STORE_DOWN_PAUSE_MS);
        return;
      }
      const next = nextFetch(settled.stoppedBy, batch.notDueInMs);
      if (next.action === 'pause-all') this.deps.pauseAll(next.reason, next.ms);
      else if (next.action === 'pause-partition') scope.pauseFor(next.ms);
    } finally {
      for (const id of held) this.inFlight.delete(id);
    }
  }

  /**
   * The step journals of the batch's claimed events, in one round trip, once the agent is known to use ctx.step:
   * each event's first step then reads nothing. Read after the claim, so a journal is read only by its lease holder.
   * Unreadable, each step journal reads its own as before.
   */
  private async readJournals(batch: ReadBatch, claims: ReadonlyMap<string, ClaimResult>): Promise<Map<string, StepJournalState> | undefined> {
    const ids = journalsToPrefetch(
      batch.records.map((r) => r.eventId),
      batch.repeats,
      claims,
      this.stepsSeen,
    );
    if (ids.length === 0) return undefined;
    try {
      return prefetchedJournals(ids, await this.deps.checkpoints.loadMany(this.deps.agent.name, prefetchIds(ids), this.deps.logger));
    } catch (error) {
      this.deps.logger.warn({ error: (error as Error).message }, "could not read the batch's step journals; each step reads its own");
      return undefined;
    }
  }

  /** Every record's result: records of a key in order, keys side by side up to the agent's concurrency. */
  private async decide(
    batch: ReadBatch,
    claims: Map<string, ClaimResult>,
    journals: ReadonlyMap<string, StepJournalState> | undefined,
    lines: BatchKeyLines,
    fromRetryTier: boolean,
    scope: BatchScope,
    held: string[],
  ): Promise<RecordResult[]> {
    const { agent } = this.deps;
    const ordered = agent.ordering === 'key';
    const results = new Array<RecordResult>(batch.records.length);
    // A line with a record left undecided: the records behind it wait too.
    const heldLines = new Set<string | number>();
    await runKeyOrdered(
      batch.records,
      (_, i) => batch.lines[i]!,
      agent.concurrency,
      async (record, i) => {
        const line = batch.lines[i]!;
        const claim = claims.get(record.eventId);
        const done = claim?.state === 'done' || this.owed.takeHandedOn(record.eventId);
        if (batch.repeats[i] || done) {
          results[i] = { kind: 'duplicate' };
          // A replay dropped as a duplicate did not run: count it apart and name it (its completion outlived the replay).
          // Other duplicates are counted once per batch, in mesh_events_total{outcome="duplicate"}.
          const replayed = replayedDuplicate(record, claim);
          if (replayed) {
            this.deps.metrics.replayedDuplicateDropped(agent.name);
            this.deps.logger.warn(replayed, REPLAYED_DUPLICATE_MESSAGE);
          }
          if (done && ordered && record.key !== null) lines.release(barrierKey(line), record.eventId);
          return;
        }
        // The store hands an instance its own live lease again: a copy being handled by this process in another
        // partition's batch is busy here, not a second go.
        if (claim?.state === 'busy' || this.inFlight.has(record.eventId) || heldLines.has(line) || !scope.isCurrent()) {
          results[i] = { kind: 'busy' };
          heldLines.add(line);
          return;
        }
        this.inFlight.add(record.eventId);
        held.push(record.eventId);
        const process = () => processEvent(record, this.deps.events, journals?.get(record.eventId));
        const result = ordered && record.key !== null ? await lines.inLine(record, barrierKey(line), fromRetryTier, process) : await process();
        if (result.kind === 'finished' && result.stepsUsed) this.stepsSeen = true;
        if (result.kind === 'hold') heldLines.add(line);
        results[i] = result;
      },
    );
    return results;
  }

  /**
   * Sends the batch's outputs, retries and dead letters. Refused by the broker's ACLs (a handler writing outside
   * its grants), the events whose records were refused are found (refused-outputs.ts) and dead-lettered, once,
   * as permanent failures naming the topics; the batch goes on instead of failing again on every fetch.
   */
  private async send(records: readonly ConsumedRecord[], results: readonly RecordResult[], settled: SettledBatch): Promise<SettledBatch> {
    try {
      await this.deps.producer.send(settled.outgoing);
      return settled;
    } catch (error) {
      if (authorizationFailure(error) !== 'TOPIC_AUTHORIZATION_FAILED') throw error;
    }
    const { agent, clock, logger, metrics, producer } = this.deps;
    const refused = await sendFindingRefused(
      results.map((r) => (r.kind === 'finished' || r.kind === 'retry' ? r.records : [])),
      (r) => producer.send(r),
    );
    if (refused.size === 0) return settled;
    const now = clock();
    const deadLetters: OutgoingRecord[] = [];
    const rewritten = results.map((result, i) => {
      const topics = refused.get(i);
      if (!topics || (result.kind !== 'finished' && result.kind !== 'retry')) return result;
      const rec = records[i]!;
      logger.error(
        { eventId: rec.eventId, topic: rec.topic, partition: rec.partition, offset: rec.offset, refusedTopics: topics, error: 'TOPIC_AUTHORIZATION_FAILED' },
        "output refused by the broker's ACLs: dead-lettered",
      );
      metrics.deadLettered(agent.name, 'permanent');
      const deadLettered = refusedEventResult(rec, result, topics, agent.name, now);
      deadLetters.push(...deadLettered.records);
      return deadLettered;
    });
    try {
      await producer.send(deadLetters);
    } catch (error) {
      // The agent's own DLQ refused too: its ACLs lack what every agent needs; nothing but a fix of them helps.
      if (authorizationFailure(error) === 'TOPIC_AUTHORIZATION_FAILED') throw new OutputRefusedError([dlqTopic(agent.name)], { cause: error });
      throw error;
    }
    return settleBatch(records, rewritten);
  }

  /**
   * Outputs, retries and dead letters are out (send); then what is done is marked done, leases given up, lines moved.
   * Once the outputs are out the batch must not be handled again: store writes that fail are owed (kept in
   * this process, run before the next claim), and the store's error is returned rather than thrown.
   */
  private async write(settled: SettledBatch, lines: BatchKeyLines): Promise<Error | undefined> {
    const { agent, store, checkpoints } = this.deps;
    const writes: OwedWrite[] = [];
    if (settled.completions.length > 0) {
      writes.push({
        run: async () => {
          await store.complete(agent.name, settled.completions, this.deps.completionTtlMs);
          // A finished event's step state is no longer needed. Failing to clear costs memory until its TTL.
          if (settled.checkpointed.length > 0) void Promise.all(settled.checkpointed.map((id) => checkpoints.clear(agent.name, id))).catch(() => undefined);
        },
      });
    }
    if (settled.retried.length > 0) writes.push({ run: () => store.release(agent.name, settled.retried, this.deps.instanceId) });
    if (lines.changed) writes.push({ run: () => lines.apply() });
    const error = await this.owed.perform(writes);
    if (error)
      this.deps.logger.warn({ error: error.message, owedWrites: this.owed.size }, 'idempotency store unreachable after the outputs were sent; its writes are kept in this process until it is back');
    return error;
  }

  private count(settled: SettledBatch): void {
    for (const [outcome, n] of settled.outcomes) {
      this.deps.metrics.eventOutcome(this.deps.agent.name, outcome, n);
      this.counters.set(outcome, (this.counters.get(outcome) ?? 0) + n);
    }
  }
}
