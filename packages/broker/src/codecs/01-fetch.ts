import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';

export interface FetchPartitionRequest {
  index: number;
  fetchOffset: number;
  maxBytes: number;
}

export interface FetchRequest {
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  isolationLevel: number;
  sessionId: number;
  sessionEpoch: number;
  topics: Array<{ name: string; partitions: FetchPartitionRequest[] }>;
}

export interface FetchPartitionResponse {
  index: number;
  errorCode: number;
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
  records: Buffer[];
}

export interface FetchResponse {
  errorCode: number;
  sessionId: number;
  topics: Array<{ name: string; partitions: FetchPartitionResponse[] }>;
}

export function decodeFetchRequest(r: Reader, version: number): FetchRequest {
  r.int32(); // replica id: always a consumer here
  const maxWaitMs = r.int32();
  const minBytes = r.int32();
  const maxBytes = version >= 3 ? r.int32() : 0x7fffffff;
  const isolationLevel = version >= 4 ? r.int8() : 0;
  const sessionId = version >= 7 ? r.int32() : 0;
  const sessionEpoch = version >= 7 ? r.int32() : -1;
  const topics = r.array((t) => ({
    name: t.string(),
    partitions: t.array((p) => {
      const index = p.int32();
      if (version >= 9) p.int32(); // current leader epoch
      const fetchOffset = p.int64();
      if (version >= 5) p.int64(); // follower's log start offset
      return { index, fetchOffset, maxBytes: p.int32() };
    }),
  }));
  if (version >= 7) r.array((t) => ({ name: t.string(), partitions: t.array((p) => p.int32()) }));
  if (version >= 11) r.string(); // rack id
  return { maxWaitMs, minBytes, maxBytes, isolationLevel, sessionId, sessionEpoch, topics };
}

export function encodeFetchResponse(w: Writer, res: FetchResponse, version: number): void {
  if (version >= 1) w.int32(0);
  if (version >= 7) w.int16(res.errorCode).int32(res.sessionId);
  w.array(res.topics, (w, t) => {
    w.string(t.name);
    w.array(t.partitions, (w, p) => {
      w.int32(p.index).int16(p.errorCode).int64(p.highWatermark);
      if (version >= 4) w.int64(p.lastStableOffset);
      if (version >= 5) w.int64(p.logStartOffset);
      if (version >= 4) w.array([], () => undefined); // aborted transactions: none, transactions are refused
      if (version >= 11) w.int32(-1); // preferred read replica
      const size = p.records.reduce((n, b) => n + b.length, 0);
      w.int32(size);
      for (const b of p.records) w.raw(b);
    });
  });
}
