/** The first wait before restarting a consumer kafkajs gave up on. */
export const RESTART_FIRST_DELAY_MS = 1_000;
/** The longest wait, however often it crashes. */
export const RESTART_MAX_DELAY_MS = 30_000;

/**
 * How long to wait before restarting a crashed consumer, given how many times it has crashed
 * since it last made progress (a commit): 1 s, doubling per crash, at most 30 s. A batch that
 * crashes the consumer every time is retried at a bounded pace instead of in a hot loop.
 */
export function restartDelayMs(crashesWithoutProgress: number): number {
  const doublings = Math.max(0, crashesWithoutProgress - 1);
  return Math.min(RESTART_FIRST_DELAY_MS * 2 ** Math.min(doublings, 16), RESTART_MAX_DELAY_MS);
}
