import { endStruct, readArray, readNullableString, readString, skipTaggedFields, writeArray, writeString } from '../protocol/flexible';
import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';

export const OFFSET_COMMIT_FLEXIBLE_FROM = 8;

export interface OffsetCommitPartitionRequest {
  index: number;
  offset: number;
  /** v1 only: the client's commit time, -1 for "now". */
  commitTimestamp: number;
  metadata: string | null;
}

export interface OffsetCommitRequest {
  groupId: string;
  /** -1 in v0 (no generation): a simple commit outside group management. */
  generationId: number;
  memberId: string;
  /** v7+ (static membership); not used for identity. */
  groupInstanceId: string | null;
  /** v2-4; not enforced (committed offsets are kept until the group or topic is deleted). */
  retentionTimeMs: number;
  topics: Array<{ name: string; partitions: OffsetCommitPartitionRequest[] }>;
}

export interface OffsetCommitResponse {
  topics: Array<{ name: string; partitions: Array<{ index: number; errorCode: number }> }>;
}

export function decodeOffsetCommitRequest(r: Reader, version: number): OffsetCommitRequest {
  const flexible = version >= OFFSET_COMMIT_FLEXIBLE_FROM;
  const groupId = readString(r, flexible);
  const generationId = version >= 1 ? r.int32() : -1;
  const memberId = version >= 1 ? readString(r, flexible) : '';
  const groupInstanceId = version >= 7 ? readNullableString(r, flexible) : null;
  const retentionTimeMs = version >= 2 && version <= 4 ? r.int64() : -1;
  const topics = readArray(r, flexible, (t) => ({
    name: readString(t, flexible),
    partitions: readArray(t, flexible, (p): OffsetCommitPartitionRequest => {
      const index = p.int32();
      const offset = p.int64();
      if (version >= 6) p.int32(); // committed leader epoch: one broker, leadership never moves
      const commitTimestamp = version === 1 ? p.int64() : -1;
      return { index, offset, commitTimestamp, metadata: readNullableString(p, flexible) };
    }),
  }));
  skipTaggedFields(r, flexible);
  return { groupId, generationId, memberId, groupInstanceId, retentionTimeMs, topics };
}

export function encodeOffsetCommitResponse(w: Writer, res: OffsetCommitResponse, version: number): void {
  const flexible = version >= OFFSET_COMMIT_FLEXIBLE_FROM;
  if (version >= 3) w.int32(0); // throttle time
  writeArray(w, res.topics, flexible, (w, t) => {
    writeString(w, t.name, flexible);
    writeArray(w, t.partitions, flexible, (w, p) => w.int32(p.index).int16(p.errorCode));
  });
  endStruct(w, flexible);
}
