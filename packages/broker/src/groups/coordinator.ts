import { randomUUID } from 'node:crypto';
import { ErrorCode } from '../protocol/errors';
import type { Storage } from '../storage/storage';
import { CommittedOffsets, type CommittedOffset } from './committed-offsets';
import { subscribedTopicsOf } from './consumer-subscription';
import {
  DEFAULT_GROUP_RULES,
  emptyGroup,
  expire,
  heartbeat as heartbeatStep,
  heldRequests,
  isVacant,
  join as joinStep,
  leave as leaveStep,
  nextDeadline,
  sync as syncStep,
  withdraw,
  type Group,
  type GroupRules,
  type GroupStateName,
  type JoinInput,
  type JoinResult,
  type Release,
  type Step,
  type SyncInput,
  type SyncResult,
} from './group-state';

export type { GroupRules, GroupStateName, JoinResult, SyncResult } from './group-state';

/** What a JoinGroup handler passes in; the coordinator generates member ids itself. */
export type JoinRequest = Omit<JoinInput, 'newMemberId'> & { readonly groupId: string };
export type SyncRequest = SyncInput & { readonly groupId: string };

export interface GroupMemberDescription {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  metadata: Buffer;
  assignment: Buffer;
}

export interface GroupDescription {
  errorCode: ErrorCode;
  groupId: string;
  state: GroupStateName;
  protocolType: string;
  protocol: string;
  members: GroupMemberDescription[];
}

export interface GroupListing {
  groupId: string;
  protocolType: string;
}

export interface OffsetCommitEntry {
  topic: string;
  partition: number;
  offset: number;
  metadata: string | null;
  /** -1 means "now" (OffsetCommit v1 lets clients pass their own). */
  commitTimestamp: number;
}

export interface OffsetFetchEntry {
  topic: string;
  partitions: Array<{ partition: number; offset: number; metadata: string | null }>;
}

/** Resolves a held request's promise with its answer. */
type Waiter = (release: Release) => void;

const EMPTY = Buffer.alloc(0);

function joinFailure(errorCode: ErrorCode, memberId: string): JoinResult {
  return { errorCode, generationId: -1, protocolName: '', leaderId: '', memberId, members: [] };
}

/**
 * The consumer-group coordinator: runs the pure state machine of
 * group-state.ts for every group, keeps the promises of held JoinGroup and
 * SyncGroup requests, one timer per group on the broker's clock for its next
 * deadline (session expiry, rebalance timeout, initial delay, pending member
 * ids), and the committed offsets.
 */
export class GroupCoordinator {
  private readonly groups = new Map<string, Group>();
  private readonly waiters = new Map<number, Waiter>();
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly offsets: CommittedOffsets;
  private readonly rules: GroupRules;
  private nextRequestId = 1;
  private closed = false;

  constructor(
    readonly storage: Storage,
    readonly clock: () => number,
    rules: Partial<GroupRules> = {},
  ) {
    this.rules = { ...DEFAULT_GROUP_RULES, ...rules };
    this.offsets = new CommittedOffsets(storage);
  }

  private group(groupId: string): Group {
    return this.groups.get(groupId) ?? emptyGroup(groupId);
  }

  /** Stores the step's group, answers what it released and re-arms the group's timer. */
  private apply(groupId: string, step: Step): void {
    if (isVacant(step.group)) this.groups.delete(groupId);
    else this.groups.set(groupId, step.group);
    for (const release of step.released) this.release(release);
    this.schedule(groupId);
  }

  private release(release: Release): void {
    const waiter = this.waiters.get(release.requestId);
    if (!waiter) return;
    this.waiters.delete(release.requestId);
    waiter(release);
  }

  private schedule(groupId: string): void {
    const group = this.groups.get(groupId);
    const at = group ? nextDeadline(group) : null;
    const current = this.timers.get(groupId);
    if (current && current.at === at) return;
    if (current) clearTimeout(current.timer);
    this.timers.delete(groupId);
    if (at === null || this.closed) return;
    const timer = setTimeout(() => this.onDeadline(groupId), Math.max(0, at - this.clock()));
    // Group timers alone must not keep a process alive (tests, CLI shutdown).
    timer.unref();
    this.timers.set(groupId, { at, timer });
  }

  private onDeadline(groupId: string): void {
    this.timers.delete(groupId);
    const group = this.groups.get(groupId);
    if (!group || this.closed) return;
    // expire() only acts on deadlines that passed by the broker's clock; schedule() re-arms for the rest.
    this.apply(groupId, expire(group, this.clock(), this.rules));
  }

  /**
   * Holds the request until the state machine answers it. When the client's
   * connection closes first, the request is withdrawn from the group so it
   * no longer counts as a rejoined member, and the promise resolves.
   */
  private hold<R>(groupId: string, signal: AbortSignal, run: (requestId: number) => Step, pick: (release: Release) => R | null, stale: R): Promise<R> {
    const requestId = this.nextRequestId++;
    return new Promise<R>((resolve) => {
      if (this.closed) return resolve(stale);
      const onAbort = () => {
        const group = this.groups.get(groupId);
        if (group) this.apply(groupId, withdraw(group, requestId, this.clock(), this.rules));
        // Not held by the group (any more): answer it ourselves; the connection drops the answer anyway.
        if (this.waiters.delete(requestId)) resolve(stale);
      };
      this.waiters.set(requestId, (release) => {
        const result = pick(release);
        if (result === null) return;
        signal.removeEventListener('abort', onAbort);
        resolve(result);
      });
      signal.addEventListener('abort', onAbort, { once: true });
      this.apply(groupId, run(requestId));
      if (signal.aborted) onAbort();
    });
  }

  join(request: JoinRequest, signal: AbortSignal): Promise<JoinResult> {
    const { groupId, ...input } = request;
    const newMemberId = `${input.clientId || 'member'}-${randomUUID()}`;
    return this.hold(
      groupId,
      signal,
      (id) => joinStep(this.group(groupId), { ...input, newMemberId }, id, this.clock(), this.rules),
      (release) => (release.kind === 'join' ? release.result : null),
      joinFailure(ErrorCode.COORDINATOR_NOT_AVAILABLE, input.memberId),
    );
  }

  sync(request: SyncRequest, signal: AbortSignal): Promise<SyncResult> {
    const { groupId, ...input } = request;
    return this.hold(
      groupId,
      signal,
      (id) => syncStep(this.group(groupId), input, id, this.clock(), this.rules),
      (release) => (release.kind === 'sync' ? release.result : null),
      { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, assignment: EMPTY },
    );
  }

  heartbeat(groupId: string, generationId: number, memberId: string): ErrorCode {
    const step = heartbeatStep(this.group(groupId), { generationId, memberId }, this.clock(), this.rules);
    this.apply(groupId, step);
    return step.errorCode;
  }

  leave(groupId: string, memberId: string): ErrorCode {
    const step = leaveStep(this.group(groupId), memberId, this.clock(), this.rules);
    this.apply(groupId, step);
    return step.errorCode;
  }

  describe(groupId: string): GroupDescription {
    const group = this.groups.get(groupId);
    if (!group) {
      // Kafka describes a group it does not know as Dead, not as an error; kafkajs' resetOffsets relies on that.
      const state: GroupStateName = this.offsets.hasGroup(groupId) ? 'Empty' : 'Dead';
      return { errorCode: ErrorCode.NONE, groupId, state, protocolType: '', protocol: '', members: [] };
    }
    // Like Kafka, metadata and assignments are shown only once a generation is settled.
    const settled = group.state === 'Stable';
    return {
      errorCode: ErrorCode.NONE,
      groupId,
      state: group.state,
      protocolType: group.protocolType ?? '',
      protocol: settled ? (group.protocolName ?? '') : '',
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        metadata: settled ? (m.protocols.find((p) => p.name === group.protocolName)?.metadata ?? EMPTY) : EMPTY,
        assignment: settled ? m.assignment : EMPTY,
      })),
    };
  }

  /** Groups with members, and groups that only have committed offsets (protocol type unknown: ''). */
  list(): GroupListing[] {
    const listed = new Map<string, GroupListing>();
    for (const groupId of this.offsets.groups()) listed.set(groupId, { groupId, protocolType: '' });
    for (const group of this.groups.values()) listed.set(group.groupId, { groupId: group.groupId, protocolType: group.protocolType ?? '' });
    return [...listed.values()].sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0));
  }

  deleteGroup(groupId: string): ErrorCode {
    if (groupId === '') return ErrorCode.INVALID_GROUP_ID;
    const group = this.groups.get(groupId);
    if (!group && !this.offsets.hasGroup(groupId)) return ErrorCode.GROUP_ID_NOT_FOUND;
    if (group && group.members.size > 0) return ErrorCode.NON_EMPTY_GROUP;
    this.offsets.deleteGroup(groupId, this.clock());
    if (group) {
      const timer = this.timers.get(groupId);
      if (timer) clearTimeout(timer.timer);
      this.timers.delete(groupId);
      this.groups.delete(groupId);
    }
    return ErrorCode.NONE;
  }

  /** Whether this member may commit for the group now (Kafka's rules; generation -1 is a simple commit). */
  commitPermission(groupId: string, generationId: number, memberId: string): ErrorCode {
    if (groupId === '') return ErrorCode.INVALID_GROUP_ID;
    const group = this.groups.get(groupId);
    if (!group) return generationId < 0 ? ErrorCode.NONE : ErrorCode.ILLEGAL_GENERATION;
    if (generationId < 0 && group.state === 'Empty') return ErrorCode.NONE;
    if (group.state === 'CompletingRebalance') return ErrorCode.REBALANCE_IN_PROGRESS;
    const member = group.members.get(memberId);
    if (!member) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    return ErrorCode.NONE;
  }

  /**
   * Commits after the group checks; the caller has already dropped
   * partitions that do not exist. A commit also counts as a sign of life.
   */
  commitOffsets(groupId: string, generationId: number, memberId: string, entries: readonly OffsetCommitEntry[]): ErrorCode {
    const permission = this.commitPermission(groupId, generationId, memberId);
    if (permission !== ErrorCode.NONE) return permission;
    const now = this.clock();
    this.offsets.commit(
      groupId,
      entries.map((e) => ({ ...e, commitTimestamp: e.commitTimestamp < 0 ? now : e.commitTimestamp })),
    );
    const group = this.groups.get(groupId);
    if (group && group.members.has(memberId) && (group.state === 'Stable' || group.state === 'PreparingRebalance')) {
      this.apply(groupId, heartbeatStep(group, { generationId, memberId }, now, this.rules));
    }
    return ErrorCode.NONE;
  }

  /** A committed transaction's offsets (TxnOffsetCommit): no member checks, as in Kafka, whose markers materialise them. */
  commitTransactionalOffsets(groupId: string, entries: readonly OffsetCommitEntry[]): void {
    this.offsets.commit(groupId, entries);
  }

  committed(groupId: string, topic: string, partition: number): CommittedOffset | undefined {
    return this.offsets.get(groupId, topic, partition);
  }

  /** Committed offsets of the asked partitions (-1 when none), or of every committed partition when topics is null. */
  fetchOffsets(groupId: string, topics: ReadonlyArray<{ topic: string; partitions: readonly number[] }> | null): OffsetFetchEntry[] {
    if (topics === null) {
      return this.offsets.forGroup(groupId).map((t) => ({
        topic: t.topic,
        partitions: t.partitions.map((p) => ({ partition: p.partition, offset: p.offset, metadata: p.metadata })),
      }));
    }
    return topics.map((t) => ({
      topic: t.topic,
      partitions: t.partitions.map((partition) => {
        const c = this.offsets.get(groupId, t.topic, partition);
        return c ? { partition, offset: c.offset, metadata: c.metadata } : { partition, offset: -1, metadata: '' };
      }),
    }));
  }

  /** OffsetDelete's group checks: the group must exist, and a group with members must be a consumer group. */
  offsetDeletePermission(groupId: string): ErrorCode {
    if (groupId === '') return ErrorCode.INVALID_GROUP_ID;
    const group = this.groups.get(groupId);
    if (!group && !this.offsets.hasGroup(groupId)) return ErrorCode.GROUP_ID_NOT_FOUND;
    if (group && group.members.size > 0 && group.protocolType !== 'consumer') return ErrorCode.NON_EMPTY_GROUP;
    return ErrorCode.NONE;
  }

  /** Topics the group's live members subscribe to (their chosen protocol's metadata); none for an empty group. */
  subscribedTopics(groupId: string): Set<string> {
    const group = this.groups.get(groupId);
    const topics = new Set<string>();
    if (!group || group.protocolType !== 'consumer') return topics;
    for (const m of group.members.values()) {
      const offer = m.protocols.find((p) => p.name === group.protocolName) ?? m.protocols[0];
      if (offer) for (const t of subscribedTopicsOf(offer.metadata)) topics.add(t);
    }
    return topics;
  }

  /** Deletes committed offsets (OffsetDelete); the caller has checked the partitions. */
  deleteOffsets(groupId: string, partitions: ReadonlyArray<{ topic: string; partition: number }>): void {
    const now = this.clock();
    this.offsets.commit(
      groupId,
      partitions.map((p) => ({ ...p, offset: -1, metadata: null, commitTimestamp: now })),
    );
  }

  /** Call when a topic is deleted (Cluster.onTopicDeleted), so its committed offsets go too. */
  forgetTopic(topic: string): void {
    this.offsets.deleteTopic(topic, this.clock());
  }

  /** Stops every timer and answers every held request (their connections are closing too). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const group of this.groups.values()) {
      for (const held of heldRequests(group)) {
        const release: Release =
          held.kind === 'join'
            ? { kind: 'join', requestId: held.requestId, result: joinFailure(ErrorCode.COORDINATOR_NOT_AVAILABLE, held.memberId) }
            : { kind: 'sync', requestId: held.requestId, result: { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, assignment: EMPTY } };
        this.release(release);
      }
    }
    this.groups.clear();
  }
}
