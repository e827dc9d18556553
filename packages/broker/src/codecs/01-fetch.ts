import { ZERO_UUID } from './03-metadata';
import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';

/** v12+ are flexible (KIP-482); v13+ name topics by id (KIP-516); v15 drops the replica id (KIP-903). */
export const FETCH_FLEXIBLE_FROM = 12;
export const FETCH_TOPIC_IDS_FROM = 13;

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
  /** v13+ carry the topic id and no name (the handler looks the name up); before, the name and a zero id. */
  topics: Array<{ name: string; topicId: string; partitions: FetchPartitionRequest[] }>;
}

export interface FetchPartitionResponse {
  index: number;
  errorCode: number;
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
  /** read_committed only: the aborted transactions the records overlap, by first offset. */
  abortedTransactions: Array<{ producerId: number; firstOffset: number }>;
  records: Buffer[];
}

export interface FetchResponse {
  errorCode: number;
  sessionId: number;
  topics: Array<{ name: string; topicId?: string; partitions: FetchPartitionResponse[] }>;
}

export function decodeFetchRequest(r: Reader, version: number): FetchRequest {
  const flexible = version >= FETCH_FLEXIBLE_FROM;
  const byId = version >= FETCH_TOPIC_IDS_FROM;
  const array = <T>(x: Reader, readItem: (y: Reader) => T): T[] =>
    flexible
      ? x.compactArray((y) => {
          const item = readItem(y);
          y.taggedFields();
          return item;
        })
      : x.array(readItem);
  const topicName = (x: Reader): string => (flexible ? x.compactString() : x.string());
  if (version <= 14) r.int32(); // replica id: always a consumer here
  const maxWaitMs = r.int32();
  const minBytes = r.int32();
  const maxBytes = version >= 3 ? r.int32() : 0x7fffffff;
  const isolationLevel = version >= 4 ? r.int8() : 0;
  const sessionId = version >= 7 ? r.int32() : 0;
  const sessionEpoch = version >= 7 ? r.int32() : -1;
  const topics = array(r, (t) => ({
    ...(byId ? { name: '', topicId: t.uuid() } : { name: topicName(t), topicId: ZERO_UUID }),
    partitions: array(t, (p) => {
      const index = p.int32();
      if (version >= 9) p.int32(); // current leader epoch
      const fetchOffset = p.int64();
      if (version >= 12) p.int32(); // last fetched epoch (followers)
      if (version >= 5) p.int64(); // follower's log start offset
      return { index, fetchOffset, maxBytes: p.int32() };
    }),
  }));
  if (version >= 7) array(r, (t) => ({ topic: byId ? t.uuid() : topicName(t), partitions: flexible ? t.compactArray((p) => p.int32()) : t.array((p) => p.int32()) }));
  if (version >= 11) topicName(r); // rack id
  if (flexible) r.taggedFields();
  return { maxWaitMs, minBytes, maxBytes, isolationLevel, sessionId, sessionEpoch, topics };
}

export function encodeFetchResponse(w: Writer, res: FetchResponse, version: number): void {
  const flexible = version >= FETCH_FLEXIBLE_FROM;
  const array = <T>(items: readonly T[], writeItem: (item: T) => void): void => {
    if (flexible) w.uvarint(items.length + 1);
    else w.int32(items.length);
    for (const item of items) {
      writeItem(item);
      if (flexible) w.taggedFields();
    }
  };
  if (version >= 1) w.int32(0);
  if (version >= 7) w.int16(res.errorCode).int32(res.sessionId);
  array(res.topics, (t) => {
    if (version >= FETCH_TOPIC_IDS_FROM) w.uuid(t.topicId ?? ZERO_UUID);
    else if (flexible) w.compactString(t.name);
    else w.string(t.name);
    array(t.partitions, (p) => {
      w.int32(p.index).int16(p.errorCode).int64(p.highWatermark);
      if (version >= 4) w.int64(p.lastStableOffset);
      if (version >= 5) w.int64(p.logStartOffset);
      if (version >= 4) array(p.abortedTransactions, (a) => w.int64(a.producerId).int64(a.firstOffset));
      if (version >= 11) w.int32(-1); // preferred read replica
      const size = p.records.reduce((n, b) => n + b.length, 0);
      if (flexible) w.uvarint(size + 1);
      else w.int32(size);
      for (const b of p.records) w.raw(b);
    });
  });
  if (flexible) w.taggedFields();
}
