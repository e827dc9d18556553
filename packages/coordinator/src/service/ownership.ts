import type { Fence } from '../store/saga-store';

/**
 * Which saga.replies partitions this instance may act on, and the fence of
 * each. Between a rebalance starting and the new assignment being claimed it
 * acts on none: the group may be handing partitions to another instance.
 */
export class PartitionOwnership {
  private readonly fences = new Map<number, Fence>();
  private suspended = true;
  private settling: Promise<void> = Promise.resolve();

  /** A rebalance began: stop acting until the next assignment is claimed. */
  suspend(): void {
    this.suspended = true;
  }

  /**
   * Claims the newly assigned partitions (each claim bumps the partition's
   * epoch, fencing off any earlier owner) and resolves to the partitions this
   * instance did not hold before, whose in-flight commands it must re-send.
   * `takeOver` runs on those after the claims and before the instance acts on
   * any partition, so it sees the in-flight commands as the old owner left them.
   */
  assign(partitions: readonly number[], claim: (partition: number) => Promise<Fence>, takeOver?: (gained: number[]) => Promise<void>): Promise<number[]> {
    const result = this.settling.then(async () => {
      this.suspended = true; // acting on none until claimed and taken over, even without a REBALANCING event first
      const before = new Set(this.fences.keys());
      this.fences.clear();
      const fences = await Promise.all(partitions.map((p) => claim(p)));
      for (const fence of fences) this.fences.set(fence.partition, fence);
      const gained = partitions.filter((p) => !before.has(p));
      if (takeOver) await takeOver(gained);
      this.suspended = false;
      return gained;
    });
    this.settling = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  /** Resolves once any claim under way is done. */
  settled(): Promise<void> {
    return this.settling;
  }

  fenceFor(partition: number): Fence | undefined {
    return this.suspended ? undefined : this.fences.get(partition);
  }

  /** Another instance claimed the partition after us: forget it until the group gives it back. */
  lost(partition: number): void {
    this.fences.delete(partition);
  }

  active(): Fence[] {
    return this.suspended ? [] : [...this.fences.values()];
  }

  get isActive(): boolean {
    return !this.suspended;
  }
}
