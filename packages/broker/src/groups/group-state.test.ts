import { ErrorCode } from '../protocol/errors';
import {
  emptyGroup,
  expire,
  heartbeat,
  leave,
  nextDeadline,
  selectProtocol,
  sync,
  withdraw,
  join,
  type Group,
  type GroupRules,
  type JoinInput,
  type JoinResult,
  type Member,
  type Release,
  type Step,
  type SyncResult,
} from './group-state';

const RULES: GroupRules = { minSessionTimeoutMs: 1000, maxSessionTimeoutMs: 300_000, initialRebalanceDelayMs: 0 };
const SESSION = 10_000;
const REBALANCE = 30_000;

function input(memberId: string, overrides: Partial<JoinInput> = {}): JoinInput {
  return {
    memberId,
    groupInstanceId: null,
    clientId: 'client',
    clientHost: '127.0.0.1',
    sessionTimeoutMs: SESSION,
    rebalanceTimeoutMs: REBALANCE,
    protocolType: 'consumer',
    protocols: [{ name: 'roundrobin', metadata: Buffer.from(`meta-${memberId}`) }],
    requireKnownMemberId: false,
    newMemberId: memberId === '' ? 'generated' : memberId,
    ...overrides,
  };
}

/** A new member: empty member id, given this id by the broker (v0-3 style, no MEMBER_ID_REQUIRED). */
function fresh(memberId: string, overrides: Partial<JoinInput> = {}): JoinInput {
  return input('', { ...overrides, newMemberId: memberId, protocols: overrides.protocols ?? [{ name: 'roundrobin', metadata: Buffer.from(`meta-${memberId}`) }] });
}

function joinReleases(step: Step): Map<number, JoinResult> {
  return new Map(step.released.flatMap((r: Release) => (r.kind === 'join' ? [[r.requestId, r.result] as const] : [])));
}

function syncReleases(step: Step): Map<number, SyncResult> {
  return new Map(step.released.flatMap((r: Release) => (r.kind === 'sync' ? [[r.requestId, r.result] as const] : [])));
}

/** Runs joins of new members a, b, ... at t=0 (a completes alone, the rest rebalance in) and syncs to Stable. */
function stableGroup(ids: string[]): Group {
  let g = emptyGroup('g');
  let requestId = 1;
  // All join in one rebalance: the first join starts it, the rest arrive while it is open (initial delay
  // off, so the first would complete at once); join them through a PreparingRebalance with the others held.
  g = join(g, fresh(ids[0]!), requestId++, 0, RULES).group;
  for (const id of ids.slice(1)) g = join(g, fresh(id), requestId++, 0, RULES).group;
  // Everyone rejoins the rebalance the later members caused.
  let last: Step = { group: g, released: [] };
  for (const id of ids) {
    if (last.group.state !== 'PreparingRebalance') break;
    if (last.group.members.get(id)!.heldJoin !== null) continue;
    last = join(last.group, input(id), requestId++, 0, RULES);
  }
  g = last.group;
  expect(g.state).toBe('CompletingRebalance');
  const assignments = ids.map((memberId) => ({ memberId, assignment: Buffer.from(`assign-${memberId}`) }));
  g = sync(g, { generationId: g.generationId, memberId: g.leaderId!, assignments }, requestId++, 0, RULES).group;
  expect(g.state).toBe('Stable');
  return g;
}

describe('group state machine', () => {
  test('a first member completes the join at once and leads generation 1', () => {
    const step = join(emptyGroup('g'), fresh('a'), 1, 0, RULES);
    expect(step.group.state).toBe('CompletingRebalance');
    expect(step.group.generationId).toBe(1);
    const answer = joinReleases(step).get(1)!;
    expect(answer).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 1, leaderId: 'a', memberId: 'a', protocolName: 'roundrobin' });
    expect(answer.members.map((m) => m.memberId)).toEqual(['a']);
    expect(answer.members[0]!.metadata.toString()).toBe('meta-a');
  });

  test('a join is held until every known member has rejoined; leader gets members, followers an empty list', () => {
    let g = stableGroup(['a']);
    const genBefore = g.generationId;
    const bJoin = join(g, fresh('b'), 10, 100, RULES);
    expect(bJoin.group.state).toBe('PreparingRebalance');
    expect(bJoin.released).toEqual([]);
    // a learns of the rebalance through its heartbeat.
    const hb = heartbeat(bJoin.group, { generationId: genBefore, memberId: 'a' }, 200, RULES);
    expect(hb.errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const aJoin = join(hb.group, input('a'), 11, 300, RULES);
    g = aJoin.group;
    expect(g.state).toBe('CompletingRebalance');
    expect(g.generationId).toBe(genBefore + 1);
    const answers = joinReleases(aJoin);
    expect(answers.get(11)!.leaderId).toBe('a');
    expect(
      answers
        .get(11)!
        .members.map((m) => m.memberId)
        .sort(),
    ).toEqual(['a', 'b']);
    expect(answers.get(10)!.members).toEqual([]);
    expect(answers.get(10)!.generationId).toBe(genBefore + 1);
  });

  test('members that do not rejoin before the rebalance deadline are dropped', () => {
    const g = stableGroup(['a', 'b']);
    const cJoin = join(g, fresh('c'), 20, 1000, RULES);
    expect(cJoin.group.rebalanceDeadline).toBe(1000 + REBALANCE);
    const aJoin = join(cJoin.group, input('a'), 21, 1100, RULES);
    expect(aJoin.group.state).toBe('PreparingRebalance');
    // b keeps heartbeating (so its session lives) but never rejoins.
    let held = aJoin.group;
    for (let t = 2000; t < 1000 + REBALANCE; t += 5000) held = heartbeat(held, { generationId: g.generationId, memberId: 'b' }, t, RULES).group;
    expect(nextDeadline(held)).toBe(1000 + REBALANCE);
    const done = expire(held, 1000 + REBALANCE, RULES);
    expect(done.group.state).toBe('CompletingRebalance');
    expect([...done.group.members.keys()].sort()).toEqual(['a', 'c']);
    expect([...joinReleases(done).keys()].sort()).toEqual([20, 21]);
  });

  test('session expiry removes a member and starts a rebalance; its rejoin is then unknown', () => {
    const g = stableGroup(['a', 'b']);
    const a = g.members.get('a')!;
    const kept = heartbeat(g, { generationId: g.generationId, memberId: 'b' }, SESSION - 1, RULES).group;
    expect(nextDeadline(kept)).toBe(a.sessionDeadline);
    const expired = expire(kept, a.sessionDeadline, RULES);
    expect(expired.group.members.has('a')).toBe(false);
    expect(expired.group.state).toBe('PreparingRebalance');
    expect(heartbeat(expired.group, { generationId: g.generationId, memberId: 'a' }, a.sessionDeadline + 1, RULES).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    // b rejoins and is alone in the next generation, leading it.
    const bJoin = join(expired.group, input('b'), 30, a.sessionDeadline + 2, RULES);
    expect(bJoin.group.state).toBe('CompletingRebalance');
    expect(bJoin.group.leaderId).toBe('b');
    expect(bJoin.group.generationId).toBe(g.generationId + 1);
  });

  test('expire before a deadline changes nothing', () => {
    const g = stableGroup(['a']);
    const step = expire(g, nextDeadline(g)! - 1, RULES);
    expect(step.group.members.has('a')).toBe(true);
    expect(step.group.state).toBe('Stable');
  });

  test('leave of the last member empties the group and bumps the generation', () => {
    const g = stableGroup(['a']);
    const step = leave(g, 'a', 10, RULES);
    expect(step.errorCode).toBe(ErrorCode.NONE);
    expect(step.group.state).toBe('Empty');
    expect(step.group.generationId).toBe(g.generationId + 1);
    expect(leave(step.group, 'a', 11, RULES).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  test('leave during PreparingRebalance completes the join when the rest have rejoined', () => {
    const g = stableGroup(['a', 'b']);
    const aJoin = join(g, input('a', { protocols: [{ name: 'roundrobin', metadata: Buffer.from('changed') }] }), 40, 10, RULES);
    expect(aJoin.group.state).toBe('PreparingRebalance');
    const bLeaves = leave(aJoin.group, 'b', 20, RULES);
    expect(bLeaves.group.state).toBe('CompletingRebalance');
    expect(
      joinReleases(bLeaves)
        .get(40)!
        .members.map((m) => m.memberId),
    ).toEqual(['a']);
  });

  test('followers wait for the leader’s SyncGroup, then all get their own assignment', () => {
    let g = join(emptyGroup('g'), fresh('a'), 1, 0, RULES).group;
    g = join(g, fresh('b'), 2, 0, RULES).group;
    const aRejoin = join(g, input('a'), 3, 0, RULES);
    g = aRejoin.group;
    expect(g.state).toBe('CompletingRebalance');
    const followerSync = sync(g, { generationId: g.generationId, memberId: 'b', assignments: [] }, 4, 1, RULES);
    expect(followerSync.released).toEqual([]);
    const leaderSync = sync(
      followerSync.group,
      {
        generationId: g.generationId,
        memberId: 'a',
        assignments: [
          { memberId: 'a', assignment: Buffer.from('A') },
          { memberId: 'b', assignment: Buffer.from('B') },
        ],
      },
      5,
      2,
      RULES,
    );
    expect(leaderSync.group.state).toBe('Stable');
    const answers = syncReleases(leaderSync);
    expect(answers.get(4)!.assignment.toString()).toBe('B');
    expect(answers.get(5)!.assignment.toString()).toBe('A');
    // A late follower sync in Stable is answered at once with the stored assignment.
    const late = sync(leaderSync.group, { generationId: g.generationId, memberId: 'b', assignments: [] }, 6, 3, RULES);
    expect(syncReleases(late).get(6)).toMatchObject({ errorCode: ErrorCode.NONE });
    expect(syncReleases(late).get(6)!.assignment.toString()).toBe('B');
  });

  test('a held follower sync is told REBALANCE_IN_PROGRESS when the group starts over', () => {
    let g = join(emptyGroup('g'), fresh('a'), 1, 0, RULES).group;
    g = join(g, fresh('b'), 2, 0, RULES).group;
    g = join(g, input('a'), 3, 0, RULES).group;
    const held = sync(g, { generationId: g.generationId, memberId: 'b', assignments: [] }, 4, 1, RULES).group;
    const newcomer = join(held, fresh('c'), 5, 2, RULES);
    expect(newcomer.group.state).toBe('PreparingRebalance');
    expect(syncReleases(newcomer).get(4)!.errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
  });

  test('sync with a wrong generation, an unknown member, or during PreparingRebalance', () => {
    const g = stableGroup(['a', 'b']);
    expect(syncReleases(sync(g, { generationId: g.generationId + 5, memberId: 'a', assignments: [] }, 9, 1, RULES)).get(9)!.errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(syncReleases(sync(g, { generationId: g.generationId, memberId: 'zz', assignments: [] }, 9, 1, RULES)).get(9)!.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    const preparing = join(g, fresh('c'), 8, 1, RULES).group;
    expect(syncReleases(sync(preparing, { generationId: g.generationId, memberId: 'a', assignments: [] }, 9, 1, RULES)).get(9)!.errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
  });

  test('heartbeat answers: ok in Stable, 22 for an old generation, 25 for strangers, and it extends the session', () => {
    const g = stableGroup(['a']);
    const ok = heartbeat(g, { generationId: g.generationId, memberId: 'a' }, 5000, RULES);
    expect(ok.errorCode).toBe(ErrorCode.NONE);
    expect(ok.group.members.get('a')!.sessionDeadline).toBe(5000 + SESSION);
    expect(heartbeat(g, { generationId: g.generationId - 1, memberId: 'a' }, 5000, RULES).errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(heartbeat(g, { generationId: g.generationId, memberId: 'x' }, 5000, RULES).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(heartbeat(emptyGroup('other'), { generationId: 1, memberId: 'a' }, 5000, RULES).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  test('a protocol no current member offers is refused with 23, as is a different protocol type', () => {
    const g = stableGroup(['a']);
    const range = fresh('b', { protocols: [{ name: 'range', metadata: Buffer.alloc(0) }] });
    expect(joinReleases(join(g, range, 50, 1, RULES)).get(50)!.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    expect(joinReleases(join(g, fresh('b', { protocolType: 'connect' }), 51, 1, RULES)).get(51)!.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    // Offering the common protocol among others is fine, and the common one is chosen.
    const both = fresh('b', {
      protocols: [
        { name: 'range', metadata: Buffer.alloc(0) },
        { name: 'roundrobin', metadata: Buffer.from('rr') },
      ],
    });
    let step = join(g, both, 52, 1, RULES);
    step = join(step.group, input('a'), 53, 2, RULES);
    expect(step.group.protocolName).toBe('roundrobin');
    expect(joinReleases(step).get(52)!.protocolName).toBe('roundrobin');
  });

  test('the protocol with most first-choice votes among common ones wins', () => {
    const member = (id: string, names: string[]): Member => ({
      memberId: id,
      groupInstanceId: null,
      clientId: 'c',
      clientHost: 'h',
      sessionTimeoutMs: SESSION,
      rebalanceTimeoutMs: REBALANCE,
      protocolType: 'consumer',
      protocols: names.map((name) => ({ name, metadata: Buffer.alloc(0) })),
      assignment: Buffer.alloc(0),
      sessionDeadline: 0,
      heldJoin: 1,
      heldSync: null,
    });
    expect(selectProtocol([member('a', ['x', 'y']), member('b', ['y', 'x']), member('c', ['y', 'x', 'z'])])).toBe('y');
    expect(selectProtocol([member('a', ['x', 'y', 'z']), member('b', ['z', 'y'])])).toBe('y');
  });

  test('JoinGroup v4+ without a member id gets 79 with an id, which is then accepted and otherwise forgotten', () => {
    const v4 = input('', { requireKnownMemberId: true, newMemberId: 'client-123' });
    const first = join(emptyGroup('g'), v4, 1, 0, RULES);
    const answer = joinReleases(first).get(1)!;
    expect(answer.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    expect(answer.memberId).toBe('client-123');
    expect(first.group.members.size).toBe(0);
    expect(first.group.pendingMembers.get('client-123')).toBe(SESSION);
    // The id comes back: it becomes a member.
    const second = join(first.group, input('client-123', { requireKnownMemberId: true }), 2, 10, RULES);
    expect(joinReleases(second).get(2)).toMatchObject({ errorCode: ErrorCode.NONE, memberId: 'client-123', leaderId: 'client-123' });
    // Never used: forgotten after the session timeout, and the group can be dropped.
    expect(nextDeadline(first.group)).toBe(SESSION);
    const forgotten = expire(first.group, SESSION, RULES);
    expect(forgotten.group.pendingMembers.size).toBe(0);
    expect(joinReleases(join(forgotten.group, input('client-123'), 3, SESSION + 1, RULES)).get(3)!.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  test('a pending member id holds a rebalance open until it joins', () => {
    const g = stableGroup(['a']);
    const pending = join(g, input('', { requireKnownMemberId: true, newMemberId: 'n1' }), 60, 1, RULES).group;
    expect(pending.state).toBe('Stable');
    const bJoins = join(pending, fresh('b'), 61, 2, RULES).group;
    const aRejoins = join(bJoins, input('a'), 62, 3, RULES);
    expect(aRejoins.group.state).toBe('PreparingRebalance');
    const n1Joins = join(aRejoins.group, input('n1'), 63, 4, RULES);
    expect(n1Joins.group.state).toBe('CompletingRebalance');
    expect(n1Joins.group.members.size).toBe(3);
  });

  test('session timeouts outside the bounds are refused with 26; an empty group id with 24', () => {
    expect(joinReleases(join(emptyGroup('g'), fresh('a', { sessionTimeoutMs: 999 }), 1, 0, RULES)).get(1)!.errorCode).toBe(ErrorCode.INVALID_SESSION_TIMEOUT);
    expect(joinReleases(join(emptyGroup('g'), fresh('a', { sessionTimeoutMs: 300_001 }), 1, 0, RULES)).get(1)!.errorCode).toBe(ErrorCode.INVALID_SESSION_TIMEOUT);
    expect(joinReleases(join(emptyGroup(''), fresh('a'), 1, 0, RULES)).get(1)!.errorCode).toBe(ErrorCode.INVALID_GROUP_ID);
  });

  test('a known member with an unknown id, or a rejoin to an empty group, is refused with 25', () => {
    expect(joinReleases(join(emptyGroup('g'), input('ghost'), 1, 0, RULES)).get(1)!.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    const g = stableGroup(['a']);
    expect(joinReleases(join(g, input('ghost'), 2, 0, RULES)).get(2)!.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  test('an unchanged follower rejoining a Stable group gets the current generation without a rebalance', () => {
    const g = stableGroup(['a', 'b']);
    const follower = g.leaderId === 'a' ? 'b' : 'a';
    const step = join(g, input(follower), 70, 5, RULES);
    expect(step.group.state).toBe('Stable');
    expect(joinReleases(step).get(70)).toMatchObject({ errorCode: ErrorCode.NONE, generationId: g.generationId, members: [] });
    // The leader rejoining asks for a new assignment.
    expect(join(g, input(g.leaderId!), 71, 5, RULES).group.state).toBe('PreparingRebalance');
  });

  test('the initial delay holds the first rebalance so members started together share generation 1', () => {
    const rules: GroupRules = { ...RULES, initialRebalanceDelayMs: 300 };
    const a = join(emptyGroup('g'), fresh('a'), 1, 0, rules);
    expect(a.group.state).toBe('PreparingRebalance');
    expect(nextDeadline(a.group)).toBe(300);
    const b = join(a.group, fresh('b'), 2, 200, rules);
    // A newcomer extends the delay.
    expect(nextDeadline(b.group)).toBe(500);
    expect(expire(b.group, 499, rules).group.state).toBe('PreparingRebalance');
    const done = expire(b.group, 500, rules);
    expect(done.group.state).toBe('CompletingRebalance');
    expect(done.group.generationId).toBe(1);
    expect([...joinReleases(done).keys()].sort()).toEqual([1, 2]);
  });

  test('the initial delay never outlasts the rebalance timeout', () => {
    const rules: GroupRules = { ...RULES, initialRebalanceDelayMs: 1000 };
    let g = join(emptyGroup('g'), fresh('a', { rebalanceTimeoutMs: 1500 }), 1, 0, rules).group;
    g = join(g, fresh('b', { rebalanceTimeoutMs: 1500 }), 2, 900, rules).group;
    expect(nextDeadline(g)).toBe(1500);
  });

  test('a withdrawn join (closed connection) no longer counts as rejoined and its session runs again', () => {
    const g = stableGroup(['a', 'b']);
    const aJoin = join(g, input('a', { protocols: [{ name: 'roundrobin', metadata: Buffer.from('new') }] }), 80, 10, RULES);
    const bJoin = join(aJoin.group, input('b'), 81, 20, RULES).group;
    expect(bJoin.state).toBe('CompletingRebalance');
    const cJoin = join(bJoin, fresh('c'), 82, 30, RULES);
    const cWithdrawn = withdraw(cJoin.group, 82, 40, RULES);
    expect(joinReleases(cWithdrawn).get(82)!.errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    expect(cWithdrawn.group.members.get('c')!.heldJoin).toBeNull();
    // c's session deadline (set when it joined) now bounds it like any silent member.
    expect(nextDeadline(cWithdrawn.group)).toBeLessThanOrEqual(30 + SESSION);
  });

  test('a duplicate join from a member answers the older held join with 27', () => {
    const g = stableGroup(['a', 'b']);
    const first = join(g, input('b', { protocols: [{ name: 'roundrobin', metadata: Buffer.from('v2') }] }), 90, 1, RULES);
    const second = join(first.group, input('b', { protocols: [{ name: 'roundrobin', metadata: Buffer.from('v2') }] }), 91, 2, RULES);
    expect(joinReleases(second).get(90)!.errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    expect(second.group.members.get('b')!.heldJoin).toBe(91);
  });

  test('held requests keep a member alive past its session deadline', () => {
    const g = stableGroup(['a', 'b']);
    const aJoin = join(g, input('a', { protocols: [{ name: 'roundrobin', metadata: Buffer.from('x') }] }), 100, 0, RULES);
    // b is silent: it expires at its deadline, which completes the rebalance for a, whose held join kept it.
    const later = expire(aJoin.group, SESSION * 2, RULES);
    expect(later.group.members.has('a')).toBe(true);
    expect(later.group.members.has('b')).toBe(false);
    expect(joinReleases(later).get(100)!.errorCode).toBe(ErrorCode.NONE);
  });
});
