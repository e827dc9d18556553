import { endStruct, readArray, readString, skipTaggedFields, writeArray, writeScalarArray, writeString } from '../protocol/flexible';
import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';

export const LIST_OFFSETS_FLEXIBLE_FROM = 6;

export interface ListOffsetsRequest {
  isolationLevel: number;
  topics: Array<{ name: string; partitions: Array<{ index: number; timestamp: number }> }>;
}

export interface ListOffsetsPartitionResponse {
  index: number;
  errorCode: number;
  timestamp: number;
  offset: number;
  leaderEpoch: number;
}

export interface ListOffsetsResponse {
  topics: Array<{ name: string; partitions: ListOffsetsPartitionResponse[] }>;
}

export function decodeListOffsetsRequest(r: Reader, version: number): ListOffsetsRequest {
  const flexible = version >= LIST_OFFSETS_FLEXIBLE_FROM;
  r.int32(); // replica id
  const isolationLevel = version >= 2 ? r.int8() : 0;
  const topics = readArray(r, flexible, (t) => ({
    name: readString(t, flexible),
    partitions: readArray(t, flexible, (p) => {
      const index = p.int32();
      if (version >= 4) p.int32(); // current leader epoch
      const timestamp = p.int64();
      if (version === 0) p.int32(); // max number of offsets
      return { index, timestamp };
    }),
  }));
  skipTaggedFields(r, flexible);
  return { isolationLevel, topics };
}

export function encodeListOffsetsResponse(w: Writer, res: ListOffsetsResponse, version: number): void {
  const flexible = version >= LIST_OFFSETS_FLEXIBLE_FROM;
  if (version >= 2) w.int32(0); // throttle time
  writeArray(w, res.topics, flexible, (w, t) => {
    writeString(w, t.name, flexible);
    writeArray(w, t.partitions, flexible, (w, p) => {
      w.int32(p.index).int16(p.errorCode);
      if (version === 0) writeScalarArray(w, p.offset >= 0 ? [p.offset] : [], false, (w, o) => w.int64(o));
      else w.int64(p.timestamp).int64(p.offset);
      if (version >= 4) w.int32(p.leaderEpoch);
    });
  });
  endStruct(w, flexible);
}
