import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Admin, type Consumer, type LogEntry, type Producer } from 'kafkajs';
import { startBroker, type RunningBroker } from '@agentmesh/broker';
import { RawKafkaClient } from './support/raw-client';
import {
  consumerSubscription,
  decodeConsumerAssignment,
  deleteGroups,
  describeGroups,
  findCoordinator,
  heartbeat,
  joinAsNewMember,
  joinGroup,
  leaveGroup,
  listGroups,
  offsetCommit,
  offsetFetch,
  syncGroup,
  type RawJoinResult,
} from './support/raw-group-api';

const E = {
  NONE: 0,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  ILLEGAL_GENERATION: 22,
  INCONSISTENT_GROUP_PROTOCOL: 23,
  INVALID_GROUP_ID: 24,
  UNKNOWN_MEMBER_ID: 25,
  INVALID_SESSION_TIMEOUT: 26,
  REBALANCE_IN_PROGRESS: 27,
  NON_EMPTY_GROUP: 68,
  GROUP_ID_NOT_FOUND: 69,
  MEMBER_ID_REQUIRED: 79,
} as const;

// Rebalances wait on session timeouts and heartbeat intervals; the whole file still stays well under a minute.
jest.setTimeout(45_000);

let broker: RunningBroker;
const openClients: RawKafkaClient[] = [];

beforeAll(async () => {
  broker = await startBroker({ port: 0, logLevel: 'silent' });
});

afterAll(async () => {
  for (const c of openClients) c.destroy();
  await broker?.stop();
});

const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

async function rawClient(clientId = 'raw'): Promise<RawKafkaClient> {
  const c = await RawKafkaClient.open(broker.host, broker.port, clientId);
  openClients.push(c);
  return c;
}

function kafka(clientId: string, onLog?: (entry: LogEntry) => void): Kafka {
  return new Kafka({
    clientId,
    brokers: [broker.address],
    logLevel: onLog ? logLevel.DEBUG : logLevel.NOTHING,
    logCreator: () => (entry) => onLog?.(entry),
    retry: { initialRetryTime: 50, retries: 8 },
  });
}

async function createTopic(topic: string, numPartitions: number): Promise<void> {
  const admin = kafka('topic-maker').admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

/** Tracks whether a promise has settled, to assert a request is still held. */
function track<T>(p: Promise<T>): { promise: Promise<T>; settled: () => boolean } {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  return { promise: p, settled: () => done };
}

/** Resolves when `check` holds, re-checked whenever `poke` is called; fails after timeoutMs with a description. */
class Conditions {
  private readonly waiting: Array<{ check: () => boolean; resolve: () => void }> = [];

  poke(): void {
    for (const w of [...this.waiting]) {
      if (w.check()) {
        this.waiting.splice(this.waiting.indexOf(w), 1);
        w.resolve();
      }
    }
  }

  until(check: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const entry = {
        check,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(entry), 1);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what()}`));
      }, timeoutMs);
      this.waiting.push(entry);
    });
  }
}

const SUBSCRIPTION_PROTOCOL = (topics: string[]) => [{ name: 'range', metadata: consumerSubscription(topics) }];

describe('group coordinator over the wire (raw protocol)', () => {
  test('FindCoordinator v0-v2 answers node 1 at the connected address for groups and transactions', async () => {
    const c = await rawClient();
    for (const version of [0, 1, 2]) {
      for (const keyType of version === 0 ? [0] : [0, 1]) {
        const answer = await findCoordinator(c, version, 'some-group', keyType);
        expect(answer).toEqual({ errorCode: E.NONE, nodeId: 1, host: broker.host, port: broker.port });
      }
    }
  });

  test('joins: MEMBER_ID_REQUIRED, a join held for the known member, 27 to heartbeats meanwhile, follower sync held for the leader', async () => {
    const group = unique('raw-join');
    const a = await rawClient('raw-a');
    const b = await rawClient('raw-b');
    const base = { groupId: group, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, protocols: SUBSCRIPTION_PROTOCOL(['t']) };

    const aJoin = await joinAsNewMember(a, base);
    expect(aJoin).toMatchObject({ errorCode: E.NONE, generationId: 1, protocolName: 'range' });
    expect(aJoin.leaderId).toBe(aJoin.memberId);
    expect(aJoin.members.map((m) => m.memberId)).toEqual([aJoin.memberId]);
    expect(
      (await syncGroup(a, 3, { groupId: group, generationId: 1, memberId: aJoin.memberId, assignments: [{ memberId: aJoin.memberId, assignment: Buffer.from('all') }] })).assignment.toString(),
    ).toBe('all');

    const bFirst = await joinGroup(b, 5, { ...base, memberId: '' });
    expect(bFirst.errorCode).toBe(E.MEMBER_ID_REQUIRED);
    expect(bFirst.memberId).toMatch(/^raw-b-/);
    const bJoin = track(joinGroup(b, 5, { ...base, memberId: bFirst.memberId }));

    // a is told to rejoin; until it does, b's join is held.
    expect(await heartbeat(a, 3, { groupId: group, generationId: 1, memberId: aJoin.memberId })).toBe(E.REBALANCE_IN_PROGRESS);
    expect((await describeGroups(a, 2, [group]))[0]!.state).toBe('PreparingRebalance');
    expect(bJoin.settled()).toBe(false);

    const aRejoin = await joinGroup(a, 5, { ...base, memberId: aJoin.memberId });
    const bAnswer = await bJoin.promise;
    expect(aRejoin).toMatchObject({ errorCode: E.NONE, generationId: 2, leaderId: aJoin.memberId });
    expect(aRejoin.members.map((m) => m.memberId).sort()).toEqual([aJoin.memberId, bFirst.memberId].sort());
    expect(aRejoin.members.find((m) => m.memberId === bFirst.memberId)!.metadata).toEqual(consumerSubscription(['t']));
    expect(bAnswer).toMatchObject({ errorCode: E.NONE, generationId: 2, leaderId: aJoin.memberId, memberId: bFirst.memberId, members: [] });

    const bSync = track(syncGroup(b, 3, { groupId: group, generationId: 2, memberId: bFirst.memberId, assignments: [] }));
    expect((await describeGroups(a, 2, [group]))[0]!.state).toBe('CompletingRebalance');
    expect(bSync.settled()).toBe(false);
    const assignments = [
      { memberId: aJoin.memberId, assignment: Buffer.from('for-a') },
      { memberId: bFirst.memberId, assignment: Buffer.from('for-b') },
    ];
    expect((await syncGroup(a, 0, { groupId: group, generationId: 2, memberId: aJoin.memberId, assignments })).assignment.toString()).toBe('for-a');
    expect(await bSync.promise).toEqual({ errorCode: E.NONE, assignment: Buffer.from('for-b') });

    // Stable: heartbeats pass, stale generations and strangers do not.
    for (const version of [0, 1, 2, 3]) expect(await heartbeat(b, version, { groupId: group, generationId: 2, memberId: bFirst.memberId })).toBe(E.NONE);
    expect(await heartbeat(b, 3, { groupId: group, generationId: 1, memberId: bFirst.memberId })).toBe(E.ILLEGAL_GENERATION);
    expect(await heartbeat(b, 3, { groupId: group, generationId: 2, memberId: 'stranger' })).toBe(E.UNKNOWN_MEMBER_ID);
    const described = (await describeGroups(a, 0, [group]))[0]!;
    expect(described).toMatchObject({ errorCode: E.NONE, state: 'Stable', protocolType: 'consumer', protocol: 'range' });
    expect(described.memberIds.sort()).toEqual([aJoin.memberId, bFirst.memberId].sort());

    // b leaves: a is told to rejoin and forms generation 3 alone.
    expect(await leaveGroup(b, 1, { groupId: group, memberId: bFirst.memberId })).toBe(E.NONE);
    expect(await leaveGroup(b, 0, { groupId: group, memberId: bFirst.memberId })).toBe(E.UNKNOWN_MEMBER_ID);
    expect(await heartbeat(a, 3, { groupId: group, generationId: 2, memberId: aJoin.memberId })).toBe(E.REBALANCE_IN_PROGRESS);
    const alone = await joinGroup(a, 5, { ...base, memberId: aJoin.memberId });
    expect(alone).toMatchObject({ errorCode: E.NONE, generationId: 3 });
    expect(alone.members.map((m) => m.memberId)).toEqual([aJoin.memberId]);
  });

  test('JoinGroup v0-v3 join without MEMBER_ID_REQUIRED', async () => {
    for (const version of [0, 1, 2, 3]) {
      const c = await rawClient(`raw-v${version}`);
      const answer = await joinGroup(c, version, { groupId: unique(`raw-v${version}`), memberId: '', sessionTimeoutMs: 6000, protocols: SUBSCRIPTION_PROTOCOL(['t']) });
      expect(answer).toMatchObject({ errorCode: E.NONE, generationId: 1 });
      expect(answer.memberId).toMatch(new RegExp(`^raw-v${version}-`));
    }
  });

  test('a member that stops heartbeating is expired after its session timeout and the group rebalances without it', async () => {
    const group = unique('raw-expiry');
    const live = await rawClient('live');
    const silent = await rawClient('silent');
    const protocols = SUBSCRIPTION_PROTOCOL(['t']);
    const liveJoin = await joinAsNewMember(live, { groupId: group, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 5000, protocols });
    await syncGroup(live, 3, { groupId: group, generationId: liveJoin.generationId, memberId: liveJoin.memberId, assignments: [] });
    const silentFirst = await joinGroup(silent, 5, { groupId: group, memberId: '', sessionTimeoutMs: 1000, rebalanceTimeoutMs: 1000, protocols });
    const silentJoin = track(joinGroup(silent, 5, { groupId: group, memberId: silentFirst.memberId, sessionTimeoutMs: 1000, rebalanceTimeoutMs: 1000, protocols }));
    const both = await joinGroup(live, 5, { groupId: group, memberId: liveJoin.memberId, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 5000, protocols });
    const silentAnswer = await silentJoin.promise;
    expect(both.members).toHaveLength(2);
    await Promise.all([
      syncGroup(live, 3, { groupId: group, generationId: both.generationId, memberId: liveJoin.memberId, assignments: [] }),
      syncGroup(silent, 3, { groupId: group, generationId: silentAnswer.generationId, memberId: silentFirst.memberId, assignments: [] }),
    ]);
    const silentSince = Date.now();
    // The live member heartbeats until told to rejoin: that happens once the silent one's 1 s session ran out.
    let code: number = E.NONE;
    while (code === E.NONE && Date.now() - silentSince < 5000) {
      code = await heartbeat(live, 3, { groupId: group, generationId: both.generationId, memberId: liveJoin.memberId });
      if (code === E.NONE) await new Promise((r) => setTimeout(r, 100)); // heartbeat interval of a real client
    }
    expect(code).toBe(E.REBALANCE_IN_PROGRESS);
    expect(Date.now() - silentSince).toBeGreaterThanOrEqual(900);
    const after = await joinGroup(live, 5, { groupId: group, memberId: liveJoin.memberId, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 5000, protocols });
    expect(after.generationId).toBe(both.generationId + 1);
    expect(after.members.map((m) => m.memberId)).toEqual([liveJoin.memberId]);
    expect(await heartbeat(silent, 3, { groupId: group, generationId: both.generationId, memberId: silentFirst.memberId })).toBe(E.UNKNOWN_MEMBER_ID);
  });

  test('a join held on a connection that closes is withdrawn, so the rebalance does not count that member in', async () => {
    const group = unique('raw-withdraw');
    const a = await rawClient('a');
    const b = await rawClient('b');
    const c = await rawClient('c');
    const protocols = SUBSCRIPTION_PROTOCOL(['t']);
    const aJoin = await joinAsNewMember(a, { groupId: group, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 20_000, protocols });
    await syncGroup(a, 3, { groupId: group, generationId: aJoin.generationId, memberId: aJoin.memberId, assignments: [] });
    // c takes a member id and never uses it: the rebalance waits for it until its 2 s session ends,
    // which leaves the broker ample time to notice b's closed connection before the generation forms.
    const cPending = await joinGroup(c, 5, { groupId: group, memberId: '', sessionTimeoutMs: 2000, rebalanceTimeoutMs: 20_000, protocols });
    expect(cPending.errorCode).toBe(E.MEMBER_ID_REQUIRED);
    const started = Date.now();
    const bFirst = await joinGroup(b, 5, { groupId: group, memberId: '', sessionTimeoutMs: 1000, rebalanceTimeoutMs: 20_000, protocols });
    const bHeld = track(joinGroup(b, 5, { groupId: group, memberId: bFirst.memberId, sessionTimeoutMs: 1000, rebalanceTimeoutMs: 20_000, protocols }).catch(() => null));
    const aHeld = track(joinGroup(a, 5, { groupId: group, memberId: aJoin.memberId, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 20_000, protocols }));
    expect((await describeGroups(c, 2, [group]))[0]!.state).toBe('PreparingRebalance');
    expect(aHeld.settled()).toBe(false);
    b.destroy();
    await bHeld.promise;
    // Had b's join stayed held, b would be in the generation; withdrawn, its 1 s session ends it.
    const aAgain: RawJoinResult = await aHeld.promise;
    expect(aAgain.errorCode).toBe(E.NONE);
    expect(aAgain.members.map((m) => m.memberId)).toEqual([aJoin.memberId]);
    // Bounded by the pending id's session, not by the 20 s rebalance timeout.
    expect(Date.now() - started).toBeLessThan(5000);
  });

  test('JoinGroup refusals: 23 for a protocol the group does not share, 26 for session timeouts out of bounds, 24 for an empty group id', async () => {
    const group = unique('raw-refuse');
    const a = await rawClient();
    const first = await joinAsNewMember(a, { groupId: group, sessionTimeoutMs: 10_000, protocols: SUBSCRIPTION_PROTOCOL(['t']) });
    expect(first.errorCode).toBe(E.NONE);
    const other = await rawClient();
    const mismatch = await joinGroup(other, 3, { groupId: group, memberId: '', sessionTimeoutMs: 10_000, protocols: [{ name: 'roundrobin', metadata: Buffer.alloc(0) }] });
    expect(mismatch.errorCode).toBe(E.INCONSISTENT_GROUP_PROTOCOL);
    const wrongType = await joinGroup(other, 3, { groupId: group, memberId: '', sessionTimeoutMs: 10_000, protocolType: 'connect', protocols: SUBSCRIPTION_PROTOCOL(['t']) });
    expect(wrongType.errorCode).toBe(E.INCONSISTENT_GROUP_PROTOCOL);
    for (const sessionTimeoutMs of [10, 3_600_000]) {
      expect((await joinGroup(other, 5, { groupId: unique('g'), memberId: '', sessionTimeoutMs, protocols: SUBSCRIPTION_PROTOCOL(['t']) })).errorCode).toBe(E.INVALID_SESSION_TIMEOUT);
    }
    expect((await joinGroup(other, 5, { groupId: '', memberId: '', sessionTimeoutMs: 10_000, protocols: SUBSCRIPTION_PROTOCOL(['t']) })).errorCode).toBe(E.INVALID_GROUP_ID);
    expect((await joinGroup(other, 5, { groupId: group, memberId: 'made-up', sessionTimeoutMs: 10_000, protocols: SUBSCRIPTION_PROTOCOL(['t']) })).errorCode).toBe(E.UNKNOWN_MEMBER_ID);
  });

  test('OffsetCommit v0-v5 checks generation and member; OffsetFetch v1-v4 keeps metadata, answers -1 for unknowns, null means all', async () => {
    const topic = unique('commit-topic');
    await createTopic(topic, 3);
    const c = await rawClient();

    // Simple commits (no group management) to a fresh group, every version.
    const simple = unique('simple');
    for (const version of [0, 1, 2, 3, 4, 5]) {
      const result = await offsetCommit(c, version, {
        groupId: simple,
        generationId: -1,
        memberId: '',
        topics: [{ topic, partitions: [{ partition: 0, offset: 10 + version, metadata: `v${version}` }] }],
      });
      expect(result).toEqual([{ topic, partition: 0, errorCode: E.NONE }]);
    }
    expect(
      await offsetCommit(c, 2, {
        groupId: simple,
        generationId: -1,
        memberId: '',
        topics: [
          { topic: 'no-such-topic', partitions: [{ partition: 0, offset: 1, metadata: null }] },
          { topic, partitions: [{ partition: 7, offset: 1, metadata: null }] },
        ],
      }),
    ).toEqual([
      { topic: 'no-such-topic', partition: 0, errorCode: E.UNKNOWN_TOPIC_OR_PARTITION },
      { topic, partition: 7, errorCode: E.UNKNOWN_TOPIC_OR_PARTITION },
    ]);
    for (const version of [1, 2, 3, 4]) {
      const fetched = await offsetFetch(c, version, { groupId: simple, topics: [{ topic, partitions: [0, 1] }] });
      expect(fetched.errorCode).toBe(E.NONE);
      expect(fetched.offsets).toEqual([
        { topic, partition: 0, offset: 15, metadata: 'v5', errorCode: E.NONE },
        { topic, partition: 1, offset: -1, metadata: '', errorCode: E.NONE },
      ]);
    }
    const unknownGroup = await offsetFetch(c, 3, { groupId: unique('nobody'), topics: [{ topic, partitions: [2] }] });
    expect(unknownGroup.offsets).toEqual([{ topic, partition: 2, offset: -1, metadata: '', errorCode: E.NONE }]);
    await offsetCommit(c, 5, { groupId: simple, generationId: -1, memberId: '', topics: [{ topic, partitions: [{ partition: 2, offset: 7, metadata: null }] }] });
    const all = await offsetFetch(c, 2, { groupId: simple, topics: null });
    expect(all.offsets).toEqual([
      { topic, partition: 0, offset: 15, metadata: 'v5', errorCode: E.NONE },
      // Null metadata is stored and answered as "", as Kafka does.
      { topic, partition: 2, offset: 7, metadata: '', errorCode: E.NONE },
    ]);

    // A managed group: only its members, in its generation, may commit.
    const managed = unique('managed');
    const member = await joinAsNewMember(c, { groupId: managed, sessionTimeoutMs: 10_000, protocols: SUBSCRIPTION_PROTOCOL([topic]) });
    await syncGroup(c, 3, { groupId: managed, generationId: member.generationId, memberId: member.memberId, assignments: [] });
    const commitAs = (generationId: number, memberId: string) =>
      offsetCommit(c, 5, { groupId: managed, generationId, memberId, topics: [{ topic, partitions: [{ partition: 1, offset: 42, metadata: 'm' }] }] });
    expect((await commitAs(member.generationId, member.memberId))[0]!.errorCode).toBe(E.NONE);
    expect((await commitAs(member.generationId + 1, member.memberId))[0]!.errorCode).toBe(E.ILLEGAL_GENERATION);
    expect((await commitAs(member.generationId, 'intruder'))[0]!.errorCode).toBe(E.UNKNOWN_MEMBER_ID);
    expect((await commitAs(-1, ''))[0]!.errorCode).toBe(E.UNKNOWN_MEMBER_ID);
    expect((await offsetFetch(c, 4, { groupId: managed, topics: [{ topic, partitions: [1] }] })).offsets[0]).toMatchObject({ offset: 42, metadata: 'm' });
    // A generation for a group that does not exist is stale by definition.
    expect((await offsetCommit(c, 5, { groupId: unique('gone'), generationId: 3, memberId: 'x', topics: [{ topic, partitions: [{ partition: 0, offset: 1, metadata: null }] }] }))[0]!.errorCode).toBe(
      E.ILLEGAL_GENERATION,
    );
  });

  test('DescribeGroups, ListGroups and DeleteGroups over all versions', async () => {
    const topic = unique('dg-topic');
    await createTopic(topic, 1);
    const c = await rawClient('describer');
    const active = unique('active');
    const offsetsOnly = unique('offsets-only');
    const member = await joinAsNewMember(c, { groupId: active, sessionTimeoutMs: 10_000, protocols: SUBSCRIPTION_PROTOCOL([topic]) });
    await syncGroup(c, 3, { groupId: active, generationId: member.generationId, memberId: member.memberId, assignments: [{ memberId: member.memberId, assignment: Buffer.from('x') }] });
    await offsetCommit(c, 5, { groupId: offsetsOnly, generationId: -1, memberId: '', topics: [{ topic, partitions: [{ partition: 0, offset: 3, metadata: null }] }] });

    for (const version of [0, 1, 2]) {
      const [a, o, u] = await describeGroups(c, version, [active, offsetsOnly, 'never-seen']);
      expect(a).toMatchObject({ errorCode: E.NONE, groupId: active, state: 'Stable', protocolType: 'consumer', protocol: 'range', memberIds: [member.memberId] });
      expect(o).toMatchObject({ errorCode: E.NONE, state: 'Empty', memberIds: [] });
      expect(u).toMatchObject({ errorCode: E.NONE, groupId: 'never-seen', state: 'Dead', memberIds: [] });
      const listed = await listGroups(c, version);
      expect(listed.errorCode).toBe(E.NONE);
      expect(listed.groups).toEqual(
        expect.arrayContaining([
          { groupId: active, protocolType: 'consumer' },
          { groupId: offsetsOnly, protocolType: '' },
        ]),
      );
    }

    expect(await deleteGroups(c, 0, [active, 'never-seen'])).toEqual([
      { groupId: active, errorCode: E.NON_EMPTY_GROUP },
      { groupId: 'never-seen', errorCode: E.GROUP_ID_NOT_FOUND },
    ]);
    expect(await deleteGroups(c, 1, [offsetsOnly])).toEqual([{ groupId: offsetsOnly, errorCode: E.NONE }]);
    expect((await offsetFetch(c, 4, { groupId: offsetsOnly, topics: null })).offsets).toEqual([]);
    expect((await describeGroups(c, 2, [offsetsOnly]))[0]!.state).toBe('Dead');

    expect(await leaveGroup(c, 1, { groupId: active, memberId: member.memberId })).toBe(E.NONE);
    // With no members and no committed offsets nothing is left of the group: it is forgotten.
    expect((await describeGroups(c, 2, [active]))[0]!.state).toBe('Dead');
    expect(await deleteGroups(c, 1, [active])).toEqual([{ groupId: active, errorCode: E.GROUP_ID_NOT_FOUND }]);
  });
});

// ---------------------------------------------------------------------------------------------
// kafkajs
// ---------------------------------------------------------------------------------------------

interface Delivery {
  member: string;
  generation: number;
  partition: number;
  offset: string;
  value: string;
}

/**
 * Watches a kafkajs consumer group from the members' side: which generation
 * each member is in and what it was assigned there (kafkajs logs "Received
 * assignment" with the generation id at debug level), and every message each
 * member processed, labelled with its generation at the time.
 */
class GroupWatch {
  readonly conditions = new Conditions();
  readonly generationOf = new Map<string, number>();
  /** generation -> member -> partitions */
  readonly assignments = new Map<number, Map<string, number[]>>();
  readonly deliveries: Delivery[] = [];

  constructor(private readonly topic: string) {}

  logSink(member: string): (entry: LogEntry) => void {
    return ({ log }) => {
      if (log.message !== 'Received assignment') return;
      const generation = log.generationId as number;
      const assigned = (log.memberAssignment as Record<string, number[]>)[this.topic] ?? [];
      this.recordAssignment(member, generation, assigned);
    };
  }

  recordAssignment(member: string, generation: number, partitions: number[]): void {
    this.generationOf.set(member, generation);
    let byMember = this.assignments.get(generation);
    if (!byMember) this.assignments.set(generation, (byMember = new Map<string, number[]>()));
    byMember.set(
      member,
      [...partitions].sort((a, b) => a - b),
    );
    this.conditions.poke();
  }

  deliver(member: string, partition: number, offset: string, value: string): void {
    this.deliveries.push({ member, generation: this.generationOf.get(member) ?? -1, partition, offset, value });
    this.conditions.poke();
  }

  latestGeneration(): number {
    return Math.max(-1, ...this.assignments.keys());
  }

  /** Waits until one generation has exactly these members, all synced, covering every partition. */
  async settledWith(members: string[], partitions: number, timeoutMs = 20_000): Promise<number> {
    let settled = -1;
    await this.conditions.until(
      () => {
        const gen = this.latestGeneration();
        const byMember = this.assignments.get(gen);
        if (!byMember) return false;
        const names = [...byMember.keys()].sort();
        const covered = new Set([...byMember.values()].flat());
        if (names.join() !== [...members].sort().join() || covered.size !== partitions) return false;
        settled = gen;
        return true;
      },
      timeoutMs,
      () => `a generation of ${members.join(', ')}; saw ${JSON.stringify([...this.assignments].map(([g, m]) => [g, [...m]]))}`,
    );
    return settled;
  }

  consumed(values: Iterable<string>): boolean {
    const seen = new Set(this.deliveries.map((d) => d.value));
    for (const v of values) if (!seen.has(v)) return false;
    return true;
  }
}

describe('consumer groups with kafkajs', () => {
  const consumers: Consumer[] = [];
  const producers: Producer[] = [];
  const admins: Admin[] = [];

  afterEach(async () => {
    await Promise.allSettled([...consumers.splice(0).map((c) => c.disconnect()), ...producers.splice(0).map((p) => p.disconnect()), ...admins.splice(0).map((a) => a.disconnect())]);
  });

  const FAST = { sessionTimeout: 6000, heartbeatInterval: 500, rebalanceTimeout: 10_000, maxWaitTimeInMs: 100 };

  async function producerFor(): Promise<Producer> {
    const producer = kafka('producer').producer();
    await producer.connect();
    producers.push(producer);
    return producer;
  }

  async function adminFor(): Promise<Admin> {
    const admin = kafka('admin').admin();
    await admin.connect();
    admins.push(admin);
    return admin;
  }

  test('a 3-member group over 6 partitions rebalances on join, leave and a silent member without losing or sharing messages', async () => {
    const topic = unique('rebalance');
    const groupId = unique('rebalance-group');
    const PARTITIONS = 6;
    await createTopic(topic, PARTITIONS);
    const watch = new GroupWatch(topic);
    const producer = await producerFor();
    const produced: string[] = [];
    const produceRound = async (round: string) => {
      const messages = Array.from({ length: 30 }, (_, i) => ({ partition: i % PARTITIONS, value: `${round}-${i}` }));
      await producer.send({ topic, messages });
      produced.push(...messages.map((m) => m.value));
    };

    const startMember = async (name: string): Promise<Consumer> => {
      const consumer = kafka(name, watch.logSink(name)).consumer({ groupId, ...FAST });
      consumers.push(consumer);
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ partition, message }) => watch.deliver(name, partition, message.offset, message.value!.toString()),
      });
      return consumer;
    };

    await Promise.all([startMember('c1'), startMember('c2')]);
    await watch.settledWith(['c1', 'c2'], PARTITIONS);
    await produceRound('two-members');

    const c3 = await startMember('c3');
    await watch.settledWith(['c1', 'c2', 'c3'], PARTITIONS);
    await produceRound('three-members');
    await watch.conditions.until(
      () => watch.consumed(produced),
      15_000,
      () => 'messages of the 3-member generation',
    );

    // c3 leaves cleanly (LeaveGroup on disconnect).
    await c3.disconnect();
    await watch.settledWith(['c1', 'c2'], PARTITIONS);
    await produceRound('after-leave');

    // A member that joins, takes partitions, then goes silent: no heartbeats, no fetches, connection left open.
    const silent = await rawClient('silent-member');
    const joining = joinAsNewMember(silent, { groupId, sessionTimeoutMs: 2000, rebalanceTimeoutMs: 10_000, protocols: [{ name: 'RoundRobinAssigner', metadata: consumerSubscription([topic]) }] });
    const silentJoin = await joining;
    expect(silentJoin.errorCode).toBe(E.NONE);
    const silentSync = await syncGroup(silent, 3, { groupId, generationId: silentJoin.generationId, memberId: silentJoin.memberId, assignments: [] });
    expect(silentSync.errorCode).toBe(E.NONE);
    const silentPartitions = decodeConsumerAssignment(silentSync.assignment)[topic] ?? [];
    expect(silentPartitions.length).toBeGreaterThan(0);
    watch.recordAssignment('silent', silentJoin.generationId, silentPartitions);
    await watch.settledWith(['c1', 'c2', 'silent'], PARTITIONS);
    await produceRound('silent-member-holds-partitions');

    // Its session (2 s) runs out; c1 and c2 take its partitions over and read what was waiting there.
    await watch.settledWith(['c1', 'c2'], PARTITIONS);
    await watch.conditions.until(
      () => watch.consumed(produced),
      15_000,
      () => {
        const seen = new Set(watch.deliveries.map((d) => d.value));
        return `every message; missing ${produced
          .filter((v) => !seen.has(v))
          .slice(0, 10)
          .join(', ')}`;
      },
    );

    // Nothing lost (checked above); within one generation no message went to two members and no partition to two members.
    const holders = new Map<string, Set<string>>();
    for (const d of watch.deliveries) {
      const key = `${d.generation}/${d.partition}/${d.offset}`;
      if (!holders.has(key)) holders.set(key, new Set());
      holders.get(key)!.add(d.member);
    }
    const shared = [...holders].filter(([, members]) => members.size > 1);
    expect(shared).toEqual([]);
    for (const [generation, byMember] of watch.assignments) {
      const all = [...byMember.values()].flat();
      expect({ generation, duplicates: all.length - new Set(all).size }).toEqual({ generation, duplicates: 0 });
    }
    // Every delivery happened in a generation the member was assigned that partition in.
    for (const d of watch.deliveries) expect({ ...d, assigned: watch.assignments.get(d.generation)?.get(d.member)?.includes(d.partition) }).toMatchObject({ assigned: true });
    // Generations only go up, and there were at least: 2 members, 3, 2, 3 (with the silent one), 2.
    expect(watch.assignments.size).toBeGreaterThanOrEqual(5);
  });

  test('admin: fetch, set and reset offsets; describe, list and delete groups', async () => {
    const topic = unique('admin-groups');
    const groupId = unique('admin-group');
    await createTopic(topic, 2);
    const producer = await producerFor();
    await producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ partition: i % 2, value: `m${i}` })) });

    const admin = await adminFor();
    expect((await admin.describeGroups([groupId])).groups[0]).toMatchObject({ groupId, state: 'Dead', members: [] });

    // A consumer reads everything and commits.
    const consumer = kafka('admin-reader').consumer({ groupId, ...FAST });
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const conditions = new Conditions();
    let seen = 0;
    await consumer.run({
      eachMessage: async () => {
        seen++;
        conditions.poke();
      },
    });
    await conditions.until(
      () => seen >= 10,
      15_000,
      () => `10 messages, got ${seen}`,
    );

    const running = (await admin.describeGroups([groupId])).groups[0]!;
    expect(running).toMatchObject({ groupId, state: 'Stable', protocolType: 'consumer', protocol: 'RoundRobinAssigner' });
    expect(running.members).toHaveLength(1);
    expect(running.members[0]!.clientId).toBe('admin-reader');
    expect(running.members[0]!.memberAssignment.length).toBeGreaterThan(0);
    expect((await admin.listGroups()).groups).toEqual(expect.arrayContaining([{ groupId, protocolType: 'consumer' }]));
    await expect(admin.deleteGroups([groupId])).rejects.toMatchObject({ groups: [expect.objectContaining({ groupId, errorCode: E.NON_EMPTY_GROUP })] });

    await consumer.disconnect();
    const offsetsAfterRun = await admin.fetchOffsets({ groupId, topics: [topic] });
    expect(offsetsAfterRun).toEqual([
      { topic, partitions: expect.arrayContaining([expect.objectContaining({ partition: 0, offset: '5' }), expect.objectContaining({ partition: 1, offset: '5' })]) as unknown },
    ]);
    expect((await admin.describeGroups([groupId])).groups[0]!.state).toBe('Empty');

    // Each setOffsets/resetOffsets runs a kafkajs consumer that idles ~5 s in a fetch of paused partitions,
    // so the two run side by side: set offsets on this group, reset a never-used group to the earliest.
    const resetGroup = unique('reset-group');
    const committer = await rawClient('committer');
    await offsetCommit(committer, 5, { groupId: resetGroup, generationId: -1, memberId: '', topics: [{ topic, partitions: [0, 1].map((partition) => ({ partition, offset: 5, metadata: null })) }] });
    await Promise.all([
      admin.setOffsets({
        groupId,
        topic,
        partitions: [
          { partition: 0, offset: '2' },
          { partition: 1, offset: '4' },
        ],
      }),
      admin.resetOffsets({ groupId: resetGroup, topic, earliest: true }),
    ]);
    const set = (await admin.fetchOffsets({ groupId, topics: [topic] }))[0]!.partitions.sort((a, b) => a.partition - b.partition);
    expect(set.map((p) => p.offset)).toEqual(['2', '4']);
    // kafkajs stores the special offset -2 (earliest) and resolves it when a consumer starts.
    expect((await admin.fetchOffsets({ groupId: resetGroup, topics: [topic] }))[0]!.partitions.map((p) => p.offset)).toEqual(['-2', '-2']);

    // Consumers of both groups start where the offsets now say (kafkajs reads -2 as "use the earliest").
    const readFrom = async (group: string, expected: number): Promise<string[]> => {
      const reader = kafka('admin-checker').consumer({ groupId: group, ...FAST });
      consumers.push(reader);
      await reader.connect();
      await reader.subscribe({ topic, fromBeginning: true });
      const values: string[] = [];
      const arrived = new Conditions();
      await reader.run({
        eachMessage: async ({ message }) => {
          values.push(message.value!.toString());
          arrived.poke();
        },
      });
      await arrived.until(
        () => values.length >= expected,
        15_000,
        () => `${expected} messages for ${group}, got ${values.join()}`,
      );
      await reader.disconnect();
      return values.sort();
    };
    // Before the reset, resetGroup had committed everything and would have read nothing.
    const [fromSet, fromReset] = await Promise.all([readFrom(groupId, 4), readFrom(resetGroup, 10)]);
    // Partition 0 holds m0,m2,..,m8 (offset 2 on: m4,m6,m8), partition 1 holds m1,..,m9 (offset 4 on: m9).
    expect(fromSet).toEqual(['m4', 'm6', 'm8', 'm9']);
    expect(fromReset).toHaveLength(10);

    expect(await admin.deleteGroups([groupId])).toEqual([expect.objectContaining({ groupId, errorCode: E.NONE })]);
    const afterDelete = (await admin.fetchOffsets({ groupId, topics: [topic] }))[0]!.partitions;
    expect(afterDelete.map((p) => p.offset)).toEqual(['-1', '-1']);
    expect((await admin.listGroups()).groups.map((g) => g.groupId)).not.toContain(groupId);
    await expect(admin.deleteGroups([groupId])).rejects.toMatchObject({ groups: [expect.objectContaining({ groupId, errorCode: E.GROUP_ID_NOT_FOUND })] });
  });

  test('a restarted consumer resumes from the committed offsets', async () => {
    const topic = unique('resume');
    const groupId = unique('resume-group');
    await createTopic(topic, 1);
    const producer = await producerFor();
    await producer.send({ topic, messages: [{ value: 'a' }, { value: 'b' }] });
    const read = async (expected: number): Promise<string[]> => {
      const consumer = kafka('resumer').consumer({ groupId, ...FAST });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const got: string[] = [];
      const conditions = new Conditions();
      await consumer.run({
        eachMessage: async ({ message }) => {
          got.push(message.value!.toString());
          conditions.poke();
        },
      });
      try {
        await conditions.until(
          () => got.length >= expected,
          15_000,
          () => `${expected} messages, got ${got.join()}`,
        );
      } finally {
        await consumer.disconnect();
      }
      return got;
    };
    expect(await read(2)).toEqual(['a', 'b']);
    await producer.send({ topic, messages: [{ value: 'c' }] });
    expect(await read(1)).toEqual(['c']);
  });

  test('pause, resume and seek', async () => {
    const topic = unique('pause');
    const groupId = unique('pause-group');
    await createTopic(topic, 2);
    const producer = await producerFor();
    const consumer = kafka('pauser').consumer({ groupId, ...FAST });
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const got: Array<{ partition: number; value: string }> = [];
    const conditions = new Conditions();
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        got.push({ partition, value: message.value!.toString() });
        conditions.poke();
      },
    });
    await joined;
    const values = (partition: number) => got.filter((g) => g.partition === partition).map((g) => g.value);

    await producer.send({
      topic,
      messages: [
        { partition: 0, value: 'p0-a' },
        { partition: 1, value: 'p1-a' },
      ],
    });
    await conditions.until(
      () => got.length >= 2,
      15_000,
      () => `first two messages, got ${JSON.stringify(got)}`,
    );

    consumer.pause([{ topic, partitions: [0] }]);
    expect(consumer.paused()).toEqual([{ topic, partitions: [0] }]);
    await producer.send({
      topic,
      messages: [
        { partition: 0, value: 'p0-b' },
        { partition: 1, value: 'p1-b' },
      ],
    });
    await conditions.until(
      () => values(1).includes('p1-b'),
      15_000,
      () => 'p1-b while partition 0 is paused',
    );
    // p1-b came through after p0-b was produced, yet p0-b is held back by the pause.
    expect(values(0)).toEqual(['p0-a']);

    consumer.resume([{ topic, partitions: [0] }]);
    await conditions.until(
      () => values(0).includes('p0-b'),
      15_000,
      () => 'p0-b after resume',
    );

    consumer.seek({ topic, partition: 1, offset: '0' });
    await conditions.until(
      () => values(1).length >= 4,
      15_000,
      () => `partition 1 re-read after seek, got ${values(1).join()}`,
    );
    expect(values(1)).toEqual(['p1-a', 'p1-b', 'p1-a', 'p1-b']);
  });
});
