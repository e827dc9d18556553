import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';

export interface TxnOffsetCommitRequest {
  transactionalId: string;
  groupId: string;
  topics: Array<{ name: string; partitions: number[] }>;
}

export interface TxnOffsetCommitResponse {
  topics: Array<{ name: string; partitions: Array<{ index: number; errorCode: number }> }>;
}

export function decodeTxnOffsetCommitRequest(r: Reader, _version: number): TxnOffsetCommitRequest {
  const transactionalId = r.string();
  const groupId = r.string();
  r.int64(); // producer id
  r.int16(); // producer epoch
  const topics = r.array((t) => ({
    name: t.string(),
    partitions: t.array((p) => {
      const index = p.int32();
      p.int64(); // offset
      p.nullableString(); // metadata
      return index;
    }),
  }));
  return { transactionalId, groupId, topics };
}

export function encodeTxnOffsetCommitResponse(w: Writer, res: TxnOffsetCommitResponse, _version: number): void {
  w.int32(0);
  w.array(res.topics, (w, t) => {
    w.string(t.name);
    w.array(t.partitions, (w, p) => w.int32(p.index).int16(p.errorCode));
  });
}
