/**
 * The delay before retry number `attempt` (1 = the retry after the first failure): the delays
 * list's entry for it (the last one reused beyond its end), jittered by ±jitter of itself, never
 * negative. One rule for an agent's retry tiers and a saga step's retries.
 */
export function backoffDelayMs(delaysMs: readonly number[], attempt: number, jitter: number, random: number): number {
  if (delaysMs.length === 0) return 0;
  const base = delaysMs[Math.min(Math.max(attempt, 1) - 1, delaysMs.length - 1)]!;
  return Math.max(0, Math.round(base * (1 + jitter * (random * 2 - 1))));
}
