import type { Fence } from '../store/saga-store';
import { PartitionOwnership, type UnclaimedAssignment } from './ownership';

const fence = (partition: number): Fence => ({ partition, epoch: 1 });
const DOWN = new Error('saga store unavailable');

/** A claim that fails while `down` says so. */
function flakyStore() {
  const store = { down: true, claims: 0, claim: async (p: number) => (store.claims++, store.down ? Promise.reject(DOWN) : fence(p)) };
  return store;
}

describe('PartitionOwnership', () => {
  it('claims an assignment and acts on it', async () => {
    const ownership = new PartitionOwnership();
    expect(ownership.isActive).toBe(false);
    await expect(ownership.assign([0, 2], { claim: async (p) => fence(p) })).resolves.toEqual([0, 2]);
    expect(ownership.active().map((f) => f.partition)).toEqual([0, 2]);
    expect(ownership.unclaimed()).toBeUndefined();
    // Re-assigned what it held: nothing gained, so nothing to take over.
    await expect(ownership.assign([0, 2, 4], { claim: async (p) => fence(p) })).resolves.toEqual([4]);
  });

  it('tries a failed claim again until the store is back, saying what it holds but cannot act on meanwhile', async () => {
    const ownership = new PartitionOwnership({ retryDelaysMs: [1], clock: () => 1_000 });
    const store = flakyStore();
    const failures: UnclaimedAssignment[] = [];
    const taken: number[][] = [];
    const assigned = ownership.assign([1, 3], {
      claim: store.claim,
      takeOver: async (gained) => void taken.push(gained),
      onClaimFailed: (error, unclaimed) => {
        expect(error).toBe(DOWN);
        failures.push({ ...unclaimed });
        if (failures.length === 1) {
          expect(ownership.isActive).toBe(false);
          expect(ownership.unclaimed()).toEqual({ partitions: [1, 3], since: 1_000, attempts: 1, lastError: 'saga store unavailable' });
        }
        if (failures.length === 3) store.down = false;
      },
    });
    await expect(assigned).resolves.toEqual([1, 3]);
    expect(failures.map((f) => f.attempts)).toEqual([1, 2, 3]);
    expect(taken).toEqual([[1, 3]]);
    expect(ownership.isActive).toBe(true);
    expect(ownership.unclaimed()).toBeUndefined();
  });

  it('stops claiming an assignment a newer one replaced, and claims the newer one', async () => {
    const ownership = new PartitionOwnership({ retryDelaysMs: [60_000] });
    const store = flakyStore();
    let failed: () => void = () => undefined;
    const firstFailure = new Promise<void>((resolve) => (failed = resolve));
    const first = ownership.assign([0], { claim: store.claim, onClaimFailed: () => failed() });
    await firstFailure;
    store.down = false;
    // Would wait a minute to retry; the next assignment wakes it and it gives up.
    const second = ownership.assign([5], { claim: store.claim });
    await expect(first).resolves.toBeNull();
    await expect(second).resolves.toEqual([5]);
    expect(ownership.active().map((f) => f.partition)).toEqual([5]);
  });

  it('forgets a partition whose fence was refused, but not a newer claim of it', async () => {
    const ownership = new PartitionOwnership();
    let epoch = 1;
    const claim = async (p: number) => ({ partition: p, epoch: epoch++ });
    await ownership.assign([0], { claim });
    const old = ownership.fenceFor(0)!;
    await ownership.assign([0], { claim });
    // A drive begun under the first claim is refused now: the second claim stands.
    ownership.lost(old);
    expect(ownership.fenceFor(0)).toEqual({ partition: 0, epoch: 2 });
    ownership.lost(ownership.fenceFor(0)!);
    expect(ownership.fenceFor(0)).toBeUndefined();
  });

  it('stops claiming on suspend (a rebalance began) and acts on nothing', async () => {
    const ownership = new PartitionOwnership({ retryDelaysMs: [60_000] });
    const store = flakyStore();
    let failed: () => void = () => undefined;
    const firstFailure = new Promise<void>((resolve) => (failed = resolve));
    const assigned = ownership.assign([0], { claim: store.claim, onClaimFailed: () => failed() });
    await firstFailure;
    ownership.suspend();
    await expect(assigned).resolves.toBeNull();
    expect(store.claims).toBe(1);
    expect(ownership.unclaimed()).toBeUndefined();
    expect(ownership.active()).toEqual([]);
  });
});
