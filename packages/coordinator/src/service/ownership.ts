import { backoffDelayMs } from '@agentmesh/runtime/internal';
import type { Fence } from '../store/saga-store';

/** Waits between claims of an assignment that failed (the saga store away): short, so sagas move soon after it returns. */
export const CLAIM_RETRY_DELAYS_MS: readonly number[] = [100, 200, 400, 800, 1_000];
const CLAIM_RETRY_JITTER = 0.2;

/** An assignment this instance holds but cannot act on yet: its claims keep failing. */
export interface UnclaimedAssignment {
  partitions: number[];
  /** When the first claim failed. */
  since: number;
  attempts: number;
  lastError: string;
}

export interface ClaimHooks {
  claim(partition: number): Promise<Fence>;
  /** Runs on the partitions gained, after the claims and before the instance acts on any partition. */
  takeOver?(gained: number[]): Promise<void>;
  /** A claim failed; it is tried again after `retryInMs` unless the assignment changes first. */
  onClaimFailed?(error: unknown, unclaimed: UnclaimedAssignment, retryInMs: number): void;
}

/** Ownership options: the clock and randomness of the retry delays (tests pin them). */
export interface OwnershipOptions {
  clock?: () => number;
  random?: () => number;
  /** Default CLAIM_RETRY_DELAYS_MS. */
  retryDelaysMs?: readonly number[];
}

/**
 * Which saga.replies partitions this instance may act on, and the fence of
 * each. Between a rebalance starting and the new assignment being claimed it
 * acts on none: the group may be handing partitions to another instance.
 * A claim that fails (the saga store away) is tried again with back-off until
 * it succeeds or the assignment changes: a group where no member restarts
 * must not stay frozen.
 */
export class PartitionOwnership {
  private readonly fences = new Map<number, Fence>();
  private suspended = true;
  private settling: Promise<void> = Promise.resolve();
  /** Bumped by every suspend and assignment: a claim loop of an older one stops. */
  private generation = 0;
  private wakeRetry: () => void = () => undefined;
  private unclaimedNow: UnclaimedAssignment | undefined;
  private readonly clock: () => number;
  private readonly random: () => number;
  private readonly retryDelaysMs: readonly number[];

  constructor(options: OwnershipOptions = {}) {
    this.clock = options.clock ?? Date.now;
    this.random = options.random ?? Math.random;
    this.retryDelaysMs = options.retryDelaysMs ?? CLAIM_RETRY_DELAYS_MS;
  }

  /** A rebalance began (or the consumer crashed, or the instance stops): stop acting, and stop claiming the old assignment. */
  suspend(): void {
    this.suspended = true;
    this.supersede();
  }

  /**
   * Claims the newly assigned partitions (each claim bumps the partition's
   * epoch, fencing off any earlier owner), trying again while claims fail, and
   * resolves to the partitions this instance did not hold before (whose
   * in-flight commands it must re-send), or to null when a newer assignment or
   * a suspend came first. `takeOver` runs on those after the claims and before
   * the instance acts on any partition, so it sees the in-flight commands as
   * the old owner left them.
   */
  assign(partitions: readonly number[], hooks: ClaimHooks): Promise<number[] | null> {
    this.supersede();
    const generation = this.generation;
    const result = this.settling.then(async () => {
      if (generation !== this.generation) return null;
      this.suspended = true; // acting on none until claimed and taken over, even without a REBALANCING event first
      const before = new Set(this.fences.keys());
      this.fences.clear();
      for (let attempt = 1; ; attempt++) {
        try {
          const fences = await Promise.all(partitions.map((p) => hooks.claim(p)));
          if (generation !== this.generation) return null;
          for (const fence of fences) this.fences.set(fence.partition, fence);
          break;
        } catch (error) {
          if (generation !== this.generation) return null;
          const since = this.unclaimedNow?.since ?? this.clock();
          this.unclaimedNow = { partitions: [...partitions], since, attempts: attempt, lastError: error instanceof Error ? error.message : String(error) };
          const retryInMs = backoffDelayMs(this.retryDelaysMs, attempt, CLAIM_RETRY_JITTER, this.random());
          hooks.onClaimFailed?.(error, this.unclaimedNow, retryInMs);
          if (!(await this.waitToRetry(retryInMs, generation))) return null;
        }
      }
      const gained = partitions.filter((p) => !before.has(p));
      if (hooks.takeOver) await hooks.takeOver(gained);
      if (generation !== this.generation) return null;
      this.unclaimedNow = undefined;
      this.suspended = false;
      return gained;
    });
    this.settling = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  /** Resolves once any claim under way is done (claimed, or given up for a newer assignment). */
  settled(): Promise<void> {
    return this.settling;
  }

  fenceFor(partition: number): Fence | undefined {
    return this.suspended ? undefined : this.fences.get(partition);
  }

  /** Another instance claimed the partition after us: forget it until the group gives it back. */
  lost(fenced: Fence): void {
    // Only the fence that was refused: a drive begun before a newer claim of the same partition holds an older one.
    if (this.fences.get(fenced.partition)?.epoch === fenced.epoch) this.fences.delete(fenced.partition);
  }

  active(): Fence[] {
    return this.suspended ? [] : [...this.fences.values()];
  }

  get isActive(): boolean {
    return !this.suspended;
  }

  /** The assignment held but not acted on because its claims keep failing, if any. */
  unclaimed(): UnclaimedAssignment | undefined {
    return this.unclaimedNow;
  }

  private supersede(): void {
    this.generation++;
    this.unclaimedNow = undefined;
    this.wakeRetry();
  }

  /** Resolves true after `ms`, or false at once when the assignment is superseded first. */
  private waitToRetry(ms: number, generation: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(generation === this.generation), ms);
      this.wakeRetry = () => {
        clearTimeout(timer);
        resolve(false);
      };
    });
  }
}
