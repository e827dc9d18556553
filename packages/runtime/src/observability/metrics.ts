/** What the worker reports; the Prometheus implementation lives beside this. */
export type EventOutcomeLabel = 'processed' | 'retried' | 'dead-lettered' | 'degraded' | 'duplicate';

export interface WorkerMetrics {
  eventOutcome(agent: string, outcome: EventOutcomeLabel, count?: number): void;
  handlerDuration(agent: string, seconds: number, ok: boolean): void;
  retryScheduled(agent: string, tier: number): void;
  deadLettered(agent: string, kind: string): void;
  breakerState(agent: string, breaker: string, state: 'closed' | 'open' | 'half-open'): void;
  consumerLag(agent: string, topic: string, partition: number, lag: number): void;
  /** An event `mesh dlq replay` sent was dropped as a duplicate (so the replay did not run). */
  replayedDuplicateDropped(agent: string): void;
  /** An output check of an agent with declared outputs: `by` the handler or an alternative, `result` valid, invalid or error. */
  outputAttempt(agent: string, by: string, result: OutputAttemptResult): void;
}

/** What became of one candidate output of an agent's validation chain. */
export type OutputAttemptResult = 'valid' | 'invalid' | 'error';

/** For processes and tests that run a worker without exporting metrics. */
export class NoopWorkerMetrics implements WorkerMetrics {
  eventOutcome(): void {}
  handlerDuration(): void {}
  retryScheduled(): void {}
  deadLettered(): void {}
  breakerState(): void {}
  consumerLag(): void {}
  replayedDuplicateDropped(): void {}
  outputAttempt(): void {}
}
