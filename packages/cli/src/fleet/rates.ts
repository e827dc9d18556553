/** Per-second rates of an agent's event outcomes over the window. */
export interface OutcomeRates {
  processed: number;
  failed: number;
  retried: number;
  deadLettered: number;
  degraded: number;
}

export const NO_RATES: OutcomeRates = { processed: 0, failed: 0, retried: 0, deadLettered: 0, degraded: 0 };

/** How much a counter grew from `before` to `after`; a counter that went down was reset (the process restarted), so all of `after` is new. */
export function counterDelta(before: number | undefined, after: number | undefined): number {
  const a = after ?? 0;
  const b = before ?? 0;
  return a >= b ? a - b : a;
}

/** Deltas already worked out, by the later counters object: a long-running reader keeps its heartbeats from one refresh to the next. */
const deltas = new WeakMap<object, { before: object; delta: OutcomeRates }>();

/** Outcome counts between two heartbeats of one instance. */
export function outcomeDeltas(before: Readonly<Record<string, number>>, after: Readonly<Record<string, number>>): OutcomeRates {
  const known = deltas.get(after);
  if (known?.before === before) return known.delta;
  const delta = countDeltas(before, after);
  deltas.set(after, { before, delta });
  return delta;
}

function countDeltas(before: Readonly<Record<string, number>>, after: Readonly<Record<string, number>>): OutcomeRates {
  const d = (name: string) => counterDelta(before[name], after[name]);
  const retried = d('retried');
  const deadLettered = d('dead-lettered');
  return { processed: d('processed'), retried, deadLettered, degraded: d('degraded'), failed: retried + deadLettered };
}

export function addRates(a: OutcomeRates, b: OutcomeRates): OutcomeRates {
  return { processed: a.processed + b.processed, failed: a.failed + b.failed, retried: a.retried + b.retried, deadLettered: a.deadLettered + b.deadLettered, degraded: a.degraded + b.degraded };
}

/** Adds `b` into `into` (an accumulator of the caller's own): a refresh sums thousands of deltas, each sum a new object otherwise. */
export function addRatesInto(into: OutcomeRates, b: OutcomeRates): OutcomeRates {
  into.processed += b.processed;
  into.failed += b.failed;
  into.retried += b.retried;
  into.deadLettered += b.deadLettered;
  into.degraded += b.degraded;
  return into;
}

export function scaleRates(r: OutcomeRates, factor: number): OutcomeRates {
  return { processed: r.processed * factor, failed: r.failed * factor, retried: r.retried * factor, deadLettered: r.deadLettered * factor, degraded: r.degraded * factor };
}

/** Failed (retried or dead-lettered) over every decided event; 0 with no events. */
export function errorRate(counts: OutcomeRates): number {
  const total = counts.processed + counts.failed + counts.degraded;
  return total > 0 ? counts.failed / total : 0;
}

/**
 * One instance's rates over its heartbeats in the window (ascending by time): the counters' growth from the first to
 * the last, per second of the span between them. Restarts inside the window are summed piecewise.
 */
export function instanceRates(beats: ReadonlyArray<{ sentAt: number; counters: Readonly<Record<string, number>> }>): { counts: OutcomeRates; spanMs: number } {
  const counts = { ...NO_RATES };
  for (let i = 1; i < beats.length; i++) addRatesInto(counts, outcomeDeltas(beats[i - 1]!.counters, beats[i]!.counters));
  const spanMs = beats.length > 1 ? beats[beats.length - 1]!.sentAt - beats[0]!.sentAt : 0;
  return { counts, spanMs };
}
