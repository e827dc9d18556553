import { Reader } from '../../../packages/broker/src/protocol/reader';
import { Writer } from '../../../packages/broker/src/protocol/writer';
import type { RawKafkaClient } from './raw-client';

/**
 * Client-side encoders and decoders of the group APIs, written from the
 * protocol guide independently of the broker's codecs, so a codec bug cannot
 * cancel itself out in a round trip.
 */

const API = { OffsetCommit: 8, OffsetFetch: 9, FindCoordinator: 10, JoinGroup: 11, Heartbeat: 12, LeaveGroup: 13, SyncGroup: 14, DescribeGroups: 15, ListGroups: 16, DeleteGroups: 42 } as const;

export interface RawJoin {
  groupId: string;
  memberId: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs?: number;
  protocolType?: string;
  protocols: Array<{ name: string; metadata: Buffer }>;
}

export interface RawJoinResult {
  errorCode: number;
  generationId: number;
  protocolName: string;
  leaderId: string;
  memberId: string;
  members: Array<{ memberId: string; metadata: Buffer }>;
}

export async function joinGroup(client: RawKafkaClient, version: number, req: RawJoin): Promise<RawJoinResult> {
  const r = await client.request(API.JoinGroup, version, (w) => {
    w.string(req.groupId).int32(req.sessionTimeoutMs);
    if (version >= 1) w.int32(req.rebalanceTimeoutMs ?? req.sessionTimeoutMs);
    w.string(req.memberId);
    if (version >= 5) w.nullableString(null);
    w.string(req.protocolType ?? 'consumer');
    w.array(req.protocols, (w, p) => w.string(p.name).bytes(p.metadata));
  });
  if (version >= 2) r.int32();
  const result: RawJoinResult = {
    errorCode: r.int16(),
    generationId: r.int32(),
    protocolName: r.string(),
    leaderId: r.string(),
    memberId: r.string(),
    members: r.array((m) => {
      const memberId = m.string();
      if (version >= 5) m.nullableString();
      return { memberId, metadata: Buffer.from(m.bytes()) };
    }),
  };
  expectConsumed(r);
  return result;
}

/** JoinGroup v4+ the way clients do it: an empty id, MEMBER_ID_REQUIRED, then again with the given id. */
export async function joinAsNewMember(client: RawKafkaClient, req: Omit<RawJoin, 'memberId'>): Promise<RawJoinResult> {
  const first = await joinGroup(client, 5, { ...req, memberId: '' });
  if (first.errorCode !== 79) return first;
  return joinGroup(client, 5, { ...req, memberId: first.memberId });
}

export async function syncGroup(
  client: RawKafkaClient,
  version: number,
  req: { groupId: string; generationId: number; memberId: string; assignments: Array<{ memberId: string; assignment: Buffer }> },
): Promise<{ errorCode: number; assignment: Buffer }> {
  const r = await client.request(API.SyncGroup, version, (w) => {
    w.string(req.groupId).int32(req.generationId).string(req.memberId);
    if (version >= 3) w.nullableString(null);
    w.array(req.assignments, (w, a) => w.string(a.memberId).bytes(a.assignment));
  });
  if (version >= 1) r.int32();
  const result = { errorCode: r.int16(), assignment: Buffer.from(r.bytes()) };
  expectConsumed(r);
  return result;
}

export async function heartbeat(client: RawKafkaClient, version: number, req: { groupId: string; generationId: number; memberId: string }): Promise<number> {
  const r = await client.request(API.Heartbeat, version, (w) => {
    w.string(req.groupId).int32(req.generationId).string(req.memberId);
    if (version >= 3) w.nullableString(null);
  });
  if (version >= 1) r.int32();
  const errorCode = r.int16();
  expectConsumed(r);
  return errorCode;
}

export async function leaveGroup(client: RawKafkaClient, version: number, req: { groupId: string; memberId: string }): Promise<number> {
  const r = await client.request(API.LeaveGroup, version, (w) => w.string(req.groupId).string(req.memberId));
  if (version >= 1) r.int32();
  const errorCode = r.int16();
  expectConsumed(r);
  return errorCode;
}

export interface RawCommitPartition {
  partition: number;
  offset: number;
  metadata: string | null;
}

export async function offsetCommit(
  client: RawKafkaClient,
  version: number,
  req: { groupId: string; generationId: number; memberId: string; topics: Array<{ topic: string; partitions: RawCommitPartition[] }> },
): Promise<Array<{ topic: string; partition: number; errorCode: number }>> {
  const r = await client.request(API.OffsetCommit, version, (w) => {
    w.string(req.groupId);
    if (version >= 1) w.int32(req.generationId).string(req.memberId);
    if (version >= 2 && version <= 4) w.int64(-1);
    w.array(req.topics, (w, t) => {
      w.string(t.topic);
      w.array(t.partitions, (w, p) => {
        w.int32(p.partition).int64(p.offset);
        if (version === 1) w.int64(-1);
        w.nullableString(p.metadata);
      });
    });
  });
  if (version >= 3) r.int32();
  const result = r.array((t) => {
    const topic = t.string();
    return t.array((p) => ({ topic, partition: p.int32(), errorCode: p.int16() }));
  });
  expectConsumed(r);
  return result.flat();
}

export interface RawFetchedOffset {
  topic: string;
  partition: number;
  offset: number;
  metadata: string | null;
  errorCode: number;
}

export async function offsetFetch(
  client: RawKafkaClient,
  version: number,
  req: { groupId: string; topics: Array<{ topic: string; partitions: number[] }> | null },
): Promise<{ errorCode: number; offsets: RawFetchedOffset[] }> {
  const r = await client.request(API.OffsetFetch, version, (w) => {
    w.string(req.groupId);
    w.nullableArray(req.topics, (w, t) => w.string(t.topic).array(t.partitions, (w, p) => w.int32(p)));
  });
  if (version >= 3) r.int32();
  const offsets = r
    .array((t) => {
      const topic = t.string();
      return t.array((p) => ({ topic, partition: p.int32(), offset: p.int64(), metadata: p.nullableString(), errorCode: p.int16() }));
    })
    .flat();
  const errorCode = version >= 2 ? r.int16() : 0;
  expectConsumed(r);
  return { errorCode, offsets };
}

export async function findCoordinator(client: RawKafkaClient, version: number, key: string, keyType: number): Promise<{ errorCode: number; nodeId: number; host: string; port: number }> {
  const r = await client.request(API.FindCoordinator, version, (w) => {
    w.string(key);
    if (version >= 1) w.int8(keyType);
  });
  if (version >= 1) r.int32();
  const errorCode = r.int16();
  if (version >= 1) r.nullableString();
  const result = { errorCode, nodeId: r.int32(), host: r.string(), port: r.int32() };
  expectConsumed(r);
  return result;
}

export async function describeGroups(
  client: RawKafkaClient,
  version: number,
  groupIds: string[],
): Promise<Array<{ errorCode: number; groupId: string; state: string; protocolType: string; protocol: string; memberIds: string[] }>> {
  const r = await client.request(API.DescribeGroups, version, (w) => w.array(groupIds, (w, g) => w.string(g)));
  if (version >= 1) r.int32();
  const groups = r.array((g) => ({
    errorCode: g.int16(),
    groupId: g.string(),
    state: g.string(),
    protocolType: g.string(),
    protocol: g.string(),
    memberIds: g.array((m) => {
      const id = m.string();
      m.string();
      m.string();
      m.bytes();
      m.bytes();
      return id;
    }),
  }));
  expectConsumed(r);
  return groups;
}

export async function listGroups(client: RawKafkaClient, version: number): Promise<{ errorCode: number; groups: Array<{ groupId: string; protocolType: string }> }> {
  const r = await client.request(API.ListGroups, version, () => undefined);
  if (version >= 1) r.int32();
  const result = { errorCode: r.int16(), groups: r.array((g) => ({ groupId: g.string(), protocolType: g.string() })) };
  expectConsumed(r);
  return result;
}

export async function deleteGroups(client: RawKafkaClient, version: number, groupIds: string[]): Promise<Array<{ groupId: string; errorCode: number }>> {
  const r = await client.request(API.DeleteGroups, version, (w) => w.array(groupIds, (w, g) => w.string(g)));
  r.int32();
  const result = r.array((g) => ({ groupId: g.string(), errorCode: g.int16() }));
  expectConsumed(r);
  return result;
}

/** A response with bytes left over means the broker encoded a different shape than the version asks for. */
function expectConsumed(r: Reader): void {
  if (r.remaining !== 0) throw new Error(`response has ${r.remaining} unread bytes`);
}

/** The consumer protocol's subscription (what kafkajs' assigners put in JoinGroup metadata). */
export function consumerSubscription(topics: string[]): Buffer {
  const w = new Writer();
  w.int16(1)
    .array(topics, (w, t) => w.string(t))
    .bytes(Buffer.alloc(0));
  return w.toBuffer();
}

/** Decodes a consumer protocol assignment: topic -> partitions. */
export function decodeConsumerAssignment(bytes: Buffer): Record<string, number[]> {
  if (bytes.length === 0) return {};
  const r = new Reader(bytes);
  r.int16();
  const out: Record<string, number[]> = {};
  for (const t of r.array((t) => ({ topic: t.string(), partitions: t.array((p) => p.int32()) }))) out[t.topic] = t.partitions;
  return out;
}
