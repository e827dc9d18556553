import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';

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
  /** v2-4; not enforced (committed offsets are kept until the group or topic is deleted). */
  retentionTimeMs: number;
  topics: Array<{ name: string; partitions: OffsetCommitPartitionRequest[] }>;
}

export interface OffsetCommitResponse {
  topics: Array<{ name: string; partitions: Array<{ index: number; errorCode: number }> }>;
}

export function decodeOffsetCommitRequest(r: Reader, version: number): OffsetCommitRequest {
  const groupId = r.string();
  const generationId = version >= 1 ? r.int32() : -1;
  const memberId = version >= 1 ? r.string() : '';
  const retentionTimeMs = version >= 2 && version <= 4 ? r.int64() : -1;
  const topics = r.array((t) => ({
    name: t.string(),
    partitions: t.array((p): OffsetCommitPartitionRequest => {
      const index = p.int32();
      const offset = p.int64();
      const commitTimestamp = version === 1 ? p.int64() : -1;
      return { index, offset, commitTimestamp, metadata: p.nullableString() };
    }),
  }));
  return { groupId, generationId, memberId, retentionTimeMs, topics };
}

export function encodeOffsetCommitResponse(w: Writer, res: OffsetCommitResponse, version: number): void {
  if (version >= 3) w.int32(0); // throttle time
  w.array(res.topics, (w, t) => {
    w.string(t.name);
    w.array(t.partitions, (w, p) => w.int32(p.index).int16(p.errorCode));
  });
}
