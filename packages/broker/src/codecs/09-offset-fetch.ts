import { endStruct, readArray, readNullableArray, readScalarArray, readString, skipTaggedFields, writeArray, writeNullableString, writeString } from '../protocol/flexible';
import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';

export const OFFSET_FETCH_FLEXIBLE_FROM = 6;

export interface OffsetFetchGroupRequest {
  groupId: string;
  /** null (v2+) asks for every partition the group has committed. */
  topics: Array<{ name: string; partitions: number[] }> | null;
}

export interface OffsetFetchRequest {
  /** v0-7 ask for one group; v8+ (KIP-709) for several. */
  groups: OffsetFetchGroupRequest[];
  /** v7+: wait out pending transactional commits (answered UNSTABLE_OFFSET_COMMIT by Kafka). */
  requireStable: boolean;
}

export interface OffsetFetchPartition {
  index: number;
  offset: number;
  metadata: string | null;
  errorCode: number;
}

export interface OffsetFetchGroupResponse {
  groupId: string;
  topics: Array<{ name: string; partitions: OffsetFetchPartition[] }>;
  /** v2+: a group-level error. */
  errorCode: number;
}

export interface OffsetFetchResponse {
  groups: OffsetFetchGroupResponse[];
}

/** No committed leader epoch: leadership never moves on one broker. */
const NO_LEADER_EPOCH = -1;

export function decodeOffsetFetchRequest(r: Reader, version: number): OffsetFetchRequest {
  const flexible = version >= OFFSET_FETCH_FLEXIBLE_FROM;
  const readTopics = (x: Reader) => readNullableArray(x, flexible, (t) => ({ name: readString(t, flexible), partitions: readScalarArray(t, flexible, (p) => p.int32()) }));
  let groups: OffsetFetchGroupRequest[];
  if (version <= 7) {
    const groupId = readString(r, flexible);
    groups = [{ groupId, topics: readTopics(r) }];
  } else {
    groups = readArray(r, flexible, (g) => ({ groupId: readString(g, flexible), topics: readTopics(g) }));
  }
  const requireStable = version >= 7 ? r.boolean() : false;
  skipTaggedFields(r, flexible);
  return { groups, requireStable };
}

function writeTopics(w: Writer, topics: OffsetFetchGroupResponse['topics'], version: number, flexible: boolean): void {
  writeArray(w, topics, flexible, (w, t) => {
    writeString(w, t.name, flexible);
    writeArray(w, t.partitions, flexible, (w, p) => {
      w.int32(p.index).int64(p.offset);
      if (version >= 5) w.int32(NO_LEADER_EPOCH);
      writeNullableString(w, p.metadata, flexible);
      w.int16(p.errorCode);
    });
  });
}

export function encodeOffsetFetchResponse(w: Writer, res: OffsetFetchResponse, version: number): void {
  const flexible = version >= OFFSET_FETCH_FLEXIBLE_FROM;
  if (version >= 3) w.int32(0); // throttle time
  if (version <= 7) {
    const g = res.groups[0]!;
    writeTopics(w, g.topics, version, flexible);
    if (version >= 2) w.int16(g.errorCode);
  } else {
    writeArray(w, res.groups, flexible, (w, g) => {
      writeString(w, g.groupId, flexible);
      writeTopics(w, g.topics, version, flexible);
      w.int16(g.errorCode);
    });
  }
  endStruct(w, flexible);
}
