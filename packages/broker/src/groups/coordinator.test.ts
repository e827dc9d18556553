import { ErrorCode } from '../protocol/errors';
import { MemoryStorage } from '../storage/memory-storage';
import type { CommittedOffsetRecord, PartitionStorage, Storage, TopicRecord } from '../storage/storage';
import { CommittedOffsets } from './committed-offsets';
import { GroupCoordinator, type JoinRequest } from './coordinator';

/** Memory storage that, unlike MemoryStorage, keeps committed offsets, as a data dir would across restarts. */
class OffsetKeepingStorage implements Storage {
  private readonly memory = new MemoryStorage();
  readonly persistent = true;
  readonly saved = new Map<string, CommittedOffsetRecord>();
  saveCalls = 0;

  loadTopics(): TopicRecord[] {
    return this.memory.loadTopics();
  }
  saveTopic(): void {}
  deleteTopic(): void {}
  partition(): PartitionStorage {
    return this.memory.partition();
  }
  close(): void {}

  loadCommittedOffsets(): CommittedOffsetRecord[] {
    return [...this.saved.values()];
  }

  saveCommittedOffsets(records: CommittedOffsetRecord[]): void {
    this.saveCalls++;
    for (const r of records) {
      const key = `${r.group}/${r.topic}/${r.partition}`;
      if (r.offset === -1) this.saved.delete(key);
      else this.saved.set(key, r);
    }
  }
}

const commit = (topic: string, partition: number, offset: number, metadata: string | null = null) => ({ topic, partition, offset, metadata, commitTimestamp: 1000 });

describe('committed offsets', () => {
  test('are saved on every commit and loaded again by a new instance (a restart)', () => {
    const storage = new OffsetKeepingStorage();
    const before = new CommittedOffsets(storage);
    before.commit('g', [commit('t', 0, 5, 'meta'), commit('t', 1, 7)]);
    expect(storage.saveCalls).toBe(1);
    const after = new CommittedOffsets(storage);
    expect(after.get('g', 't', 0)).toEqual({ offset: 5, metadata: 'meta', commitTimestamp: 1000 });
    expect(after.forGroup('g')).toEqual([
      {
        topic: 't',
        partitions: [
          { partition: 0, offset: 5, metadata: 'meta', commitTimestamp: 1000 },
          { partition: 1, offset: 7, metadata: null, commitTimestamp: 1000 },
        ],
      },
    ]);
  });

  test('a deleted topic or group takes its offsets along, in storage too', () => {
    const storage = new OffsetKeepingStorage();
    const offsets = new CommittedOffsets(storage);
    offsets.commit('g1', [commit('keep', 0, 1), commit('drop', 0, 2)]);
    offsets.commit('g2', [commit('drop', 3, 4)]);
    offsets.deleteTopic('drop', 2000);
    expect(offsets.get('g1', 'drop', 0)).toBeUndefined();
    expect(offsets.hasGroup('g2')).toBe(false);
    expect(offsets.get('g1', 'keep', 0)?.offset).toBe(1);
    offsets.deleteGroup('g1', 2000);
    expect(offsets.groups()).toEqual([]);
    expect(new CommittedOffsets(storage).groups()).toEqual([]);
  });

  test('committing -1 forgets the entry, as storage does', () => {
    const storage = new OffsetKeepingStorage();
    const offsets = new CommittedOffsets(storage);
    offsets.commit('g', [commit('t', 0, 3)]);
    offsets.commit('g', [commit('t', 0, -1)]);
    expect(offsets.get('g', 't', 0)).toBeUndefined();
    expect(offsets.hasGroup('g')).toBe(false);
  });
});

describe('GroupCoordinator', () => {
  const request = (memberId: string, overrides: Partial<JoinRequest> = {}): JoinRequest => ({
    groupId: 'g',
    memberId,
    groupInstanceId: null,
    clientId: 'c',
    clientHost: 'h',
    sessionTimeoutMs: 1000,
    rebalanceTimeoutMs: 1000,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: Buffer.alloc(0) }],
    requireKnownMemberId: false,
    ...overrides,
  });

  test('the initial delay, then session expiry, run on timers; close() stops them and answers held requests', async () => {
    const coordinator = new GroupCoordinator(new MemoryStorage(), () => Date.now(), { initialRebalanceDelayMs: 50 });
    const signal = new AbortController().signal;
    const started = Date.now();
    // The first to join leads; it has a 1 s session, the follower a longer one so only the leader expires below.
    const [leader, follower] = await Promise.all([coordinator.join(request(''), signal), coordinator.join(request('', { sessionTimeoutMs: 10_000 }), signal)]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(leader.generationId).toBe(1);
    expect(follower.generationId).toBe(1);
    expect(leader.leaderId).toBe(leader.memberId);
    expect(leader.members).toHaveLength(2);

    // The follower's sync is held for the leader; the leader never syncs, its session ends, the sync is answered.
    const followerSync = coordinator.sync({ groupId: 'g', generationId: 1, memberId: follower.memberId, assignments: [] }, signal);
    expect((await followerSync).errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    expect(coordinator.describe('g').members.map((m) => m.memberId)).toEqual([follower.memberId]);

    // A join held (the follower has not rejoined yet) while the coordinator closes is answered, not left dangling.
    const held = coordinator.join(request(''), signal);
    expect(coordinator.describe('g').state).toBe('PreparingRebalance');
    coordinator.close();
    expect((await held).errorCode).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    // Joins after close are refused at once.
    expect((await coordinator.join(request(''), signal)).errorCode).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
  });

  test('aborting a held join (closed connection) resolves it and withdraws it from the group', async () => {
    const coordinator = new GroupCoordinator(new MemoryStorage(), () => Date.now(), { initialRebalanceDelayMs: 0 });
    try {
      const first = await coordinator.join(request('', { sessionTimeoutMs: 5000, rebalanceTimeoutMs: 5000 }), new AbortController().signal);
      const connection = new AbortController();
      const newcomer = coordinator.join(request('', { sessionTimeoutMs: 5000 }), connection.signal);
      connection.abort();
      expect((await newcomer).errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
      expect(coordinator.describe('g').state).toBe('PreparingRebalance');
      expect(first.errorCode).toBe(ErrorCode.NONE);
    } finally {
      coordinator.close();
    }
  });

  test('commits follow the group rules and reach storage; DeleteGroups clears them', () => {
    const storage = new OffsetKeepingStorage();
    const coordinator = new GroupCoordinator(storage, () => 5000);
    expect(coordinator.commitOffsets('simple', -1, '', [commit('t', 0, 9, 'x')])).toBe(ErrorCode.NONE);
    expect(coordinator.commitOffsets('unknown', 4, 'm', [commit('t', 0, 9)])).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(coordinator.commitOffsets('', -1, '', [commit('t', 0, 9)])).toBe(ErrorCode.INVALID_GROUP_ID);
    expect(storage.saved.get('simple/t/0')).toMatchObject({ offset: 9, metadata: 'x', commitTimestamp: 1000 });
    expect(coordinator.commitOffsets('simple', -1, '', [{ ...commit('t', 1, 3), commitTimestamp: -1 }])).toBe(ErrorCode.NONE);
    expect(storage.saved.get('simple/t/1')?.commitTimestamp).toBe(5000);

    const restarted = new GroupCoordinator(storage, () => 6000);
    expect(restarted.fetchOffsets('simple', [{ topic: 't', partitions: [0, 2] }])).toEqual([
      {
        topic: 't',
        partitions: [
          { partition: 0, offset: 9, metadata: 'x' },
          { partition: 2, offset: -1, metadata: '' },
        ],
      },
    ]);
    expect(restarted.describe('simple').state).toBe('Empty');
    expect(restarted.list()).toEqual([{ groupId: 'simple', protocolType: '' }]);
    restarted.forgetTopic('other');
    expect(restarted.deleteGroup('simple')).toBe(ErrorCode.NONE);
    expect(storage.saved.size).toBe(0);
    expect(restarted.deleteGroup('simple')).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
    coordinator.close();
    restarted.close();
  });
});
