import { endStruct, readArray, readString, skipTaggedFields, writeArray, writeString } from '../protocol/flexible';
import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';

export const OFFSET_FOR_LEADER_EPOCH_FLEXIBLE_FROM = 4;

export interface OffsetForLeaderEpochRequest {
  /** currentLeaderEpoch -1: no check (v0-1 have none). */
  topics: Array<{ name: string; partitions: Array<{ index: number; currentLeaderEpoch: number; leaderEpoch: number }> }>;
}

export interface OffsetForLeaderEpochResponse {
  topics: Array<{ name: string; partitions: Array<{ errorCode: number; index: number; leaderEpoch: number; endOffset: number }> }>;
}

export function decodeOffsetForLeaderEpochRequest(r: Reader, version: number): OffsetForLeaderEpochRequest {
  const flexible = version >= OFFSET_FOR_LEADER_EPOCH_FLEXIBLE_FROM;
  if (version >= 3) r.int32(); // replica id: a consumer here
  const topics = readArray(r, flexible, (t) => ({
    name: readString(t, flexible),
    partitions: readArray(t, flexible, (p) => {
      const index = p.int32();
      const currentLeaderEpoch = version >= 2 ? p.int32() : -1;
      return { index, currentLeaderEpoch, leaderEpoch: p.int32() };
    }),
  }));
  skipTaggedFields(r, flexible);
  return { topics };
}

export function encodeOffsetForLeaderEpochResponse(w: Writer, res: OffsetForLeaderEpochResponse, version: number): void {
  const flexible = version >= OFFSET_FOR_LEADER_EPOCH_FLEXIBLE_FROM;
  if (version >= 2) w.int32(0); // throttle time
  writeArray(w, res.topics, flexible, (w, t) => {
    writeString(w, t.name, flexible);
    writeArray(w, t.partitions, flexible, (w, p) => {
      w.int16(p.errorCode).int32(p.index);
      if (version >= 1) w.int32(p.leaderEpoch);
      w.int64(p.endOffset);
    });
  });
  endStruct(w, flexible);
}
