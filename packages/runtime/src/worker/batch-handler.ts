import type { Logger } from 'pino';
import type { Agent } from '../agent/types';
import type { CheckpointStore } from '../checkpoint/store';
import type { ClaimResult, IdempotencyStore } from '../idempotency/store';
import type { BatchProducer } from '../kafka/batch-producer';
import type { BatchScope } from '../kafka/supervised-consumer';
import type { WorkerMetrics } from '../observability/metrics';
import { BatchKeyLines, barrierKey } from '../ordering/batch-lines';
import type { KeyBarrier } from '../ordering/key-barrier';
import { nextFetch, readBatch, settleBatch, type ReadBatch, type RecordResult, type SettledBatch } from './batch';
import { runKeyOrdered } from './key-chains';
import { processEvent, type EventProcessorDeps } from './process-event';
import { retryTierOf } from './topics';

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
  /** Lag per topic/partition at its last batch, for heartbeats. */
  readonly lagByPartition = new Map<string, number>();

  constructor(private readonly deps: BatchHandlerDeps) {}

  async handle(scope: BatchScope): Promise<void> {
    const { agent, metrics, clock } = this.deps;
    const { topic, partition } = scope;
    metrics.consumerLag(agent.name, topic, partition, scope.lag);
    this.lagByPartition.set(`${topic}/${partition}`, scope.lag);

    const retryTier = retryTierOf(agent.name, topic);
    const batch = readBatch(scope.messages, { topic, partition, retryTier, now: clock() });
    let claims: Map<string, ClaimResult>;
    try {
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
    const lines = new BatchKeyLines(this.deps.keyBarrier, agent.name, () => clock() + this.deps.parkRecheckMs);
    const held: string[] = [];
    try {
      const results = await this.decide(batch, claims, lines, retryTier !== undefined, scope, held);
      const settled = settleBatch(batch.records, results);
      await this.write(settled, lines);
      this.count(settled);
      if (settled.commitThrough !== undefined) await scope.commitThrough(settled.commitThrough);
      const next = nextFetch(settled.stoppedBy, batch.notDueInMs);
      if (next.action === 'pause-all') this.deps.pauseAll(next.reason, next.ms);
      else if (next.action === 'pause-partition') scope.pauseFor(next.ms);
    } finally {
      for (const id of held) this.inFlight.delete(id);
    }
  }

  /** Every record's result: records of a key in order, keys side by side up to the agent's concurrency. */
  private async decide(batch: ReadBatch, claims: Map<string, ClaimResult>, lines: BatchKeyLines, fromRetryTier: boolean, scope: BatchScope, held: string[]): Promise<RecordResult[]> {
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
        if (batch.repeats[i] || claim?.state === 'done') {
          results[i] = { kind: 'duplicate' };
          if (claim?.state === 'done' && ordered && record.key !== null) lines.release(barrierKey(line), record.eventId);
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
        const process = () => processEvent(record, this.deps.events);
        const result = ordered && record.key !== null ? await lines.inLine(record, barrierKey(line), fromRetryTier, process) : await process();
        if (result.kind === 'hold') heldLines.add(line);
        results[i] = result;
      },
    );
    return results;
  }

  /** Outputs, retries and dead letters first; then what is done is marked done, leases given up, lines moved. */
  private async write(settled: SettledBatch, lines: BatchKeyLines): Promise<void> {
    const { agent, store, checkpoints } = this.deps;
    await this.deps.producer.send(settled.outgoing);
    if (settled.completions.length > 0) {
      await store.complete(agent.name, settled.completions, this.deps.completionTtlMs);
      // A finished event's step state is no longer needed. Failing to clear costs memory until its TTL.
      if (settled.checkpointed.length > 0) void Promise.all(settled.checkpointed.map((id) => checkpoints.clear(agent.name, id))).catch(() => undefined);
    }
    if (settled.retried.length > 0) await store.release(agent.name, settled.retried, this.deps.instanceId);
    await lines.apply();
  }

  private count(settled: SettledBatch): void {
    for (const [outcome, n] of settled.outcomes) {
      this.deps.metrics.eventOutcome(this.deps.agent.name, outcome, n);
      this.counters.set(outcome, (this.counters.get(outcome) ?? 0) + n);
    }
  }
}
