import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';

export interface ListOffsetsRequest {
  isolationLevel: number;
  topics: Array<{ name: string; partitions: Array<{ index: number; timestamp: number }> }>;
}

export interface ListOffsetsPartitionResponse {
  index: number;
  errorCode: number;
  timestamp: number;
  offset: number;
}

export interface ListOffsetsResponse {
  topics: Array<{ name: string; partitions: ListOffsetsPartitionResponse[] }>;
}

export function decodeListOffsetsRequest(r: Reader, version: number): ListOffsetsRequest {
  r.int32(); // replica id
  const isolationLevel = version >= 2 ? r.int8() : 0;
  const topics = r.array((t) => ({
    name: t.string(),
    partitions: t.array((p) => {
      const index = p.int32();
      const timestamp = p.int64();
      if (version === 0) p.int32(); // max number of offsets
      return { index, timestamp };
    }),
  }));
  return { isolationLevel, topics };
}

export function encodeListOffsetsResponse(w: Writer, res: ListOffsetsResponse, version: number): void {
  if (version >= 2) w.int32(0);
  w.array(res.topics, (w, t) => {
    w.string(t.name);
    w.array(t.partitions, (w, p) => {
      w.int32(p.index).int16(p.errorCode);
      if (version === 0) w.array(p.offset >= 0 ? [p.offset] : [], (w, o) => w.int64(o));
      else w.int64(p.timestamp).int64(p.offset);
    });
  });
}
