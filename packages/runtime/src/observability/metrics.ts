/** What the worker reports; the Prometheus implementation lives beside this. */
export type EventOutcomeLabel = 'processed' | 'retried' | 'dead-lettered' | 'degraded' | 'duplicate';

export interface WorkerMetrics {
  eventOutcome(agent: string, outcome: EventOutcomeLabel, count?: number): void;
  handlerDuration(agent: string, seconds: number, ok: boolean): void;
  retryScheduled(agent: string, tier: number): void;
  deadLettered(agent: string, kind: string): void;
  breakerState(agent: string, breaker: string, state: 'closed' | 'open' | 'half-open'): void;
  consumerLag(agent: string, topic: string, partition: number, lag: number): void;
}
