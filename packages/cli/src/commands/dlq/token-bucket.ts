/** Waits `ms`; injectable so tests run without real time. */
export type Sleep = (ms: number) => Promise<void>;

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A token bucket for `--rate N` (records per second): holds at most
 * `capacity` tokens (one second's worth by default, so a pause never turns
 * into a burst bigger than that), refills continuously, and a taker that
 * finds it empty sleeps exactly until the next token is due — no polling.
 */
export class TokenBucket {
  private tokens: number;
  private refilledAt: number;

  constructor(
    readonly ratePerSecond: number,
    private readonly clock: () => number = Date.now,
    private readonly sleep: Sleep = realSleep,
    readonly capacity: number = Math.max(1, ratePerSecond),
  ) {
    if (!(ratePerSecond > 0) || !Number.isFinite(ratePerSecond)) throw new RangeError(`rate must be a positive number, got ${ratePerSecond}`);
    this.tokens = this.capacity;
    this.refilledAt = clock();
  }

  private refill(): void {
    const now = this.clock();
    const elapsed = Math.max(0, now - this.refilledAt);
    this.tokens = Math.min(this.capacity, this.tokens + (elapsed * this.ratePerSecond) / 1000);
    this.refilledAt = now;
  }

  /** Takes a token if one is there now; never waits. */
  tryTake(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Takes a token, sleeping until one is due if the bucket is empty. */
  async take(): Promise<void> {
    // Bounded: each pass sleeps until the missing fraction of a token has refilled.
    while (!this.tryTake()) {
      await this.sleep(Math.ceil(((1 - this.tokens) * 1000) / this.ratePerSecond));
    }
  }
}
