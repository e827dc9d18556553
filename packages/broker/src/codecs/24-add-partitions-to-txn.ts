import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';

export interface AddPartitionsToTxnRequest {
  transactionalId: string;
  topics: Array<{ name: string; partitions: number[] }>;
}

export interface AddPartitionsToTxnResponse {
  topics: Array<{ name: string; partitions: Array<{ index: number; errorCode: number }> }>;
}

export function decodeAddPartitionsToTxnRequest(r: Reader, _version: number): AddPartitionsToTxnRequest {
  const transactionalId = r.string();
  r.int64(); // producer id
  r.int16(); // producer epoch
  return { transactionalId, topics: r.array((t) => ({ name: t.string(), partitions: t.array((p) => p.int32()) })) };
}

export function encodeAddPartitionsToTxnResponse(w: Writer, res: AddPartitionsToTxnResponse, _version: number): void {
  w.int32(0);
  w.array(res.topics, (w, t) => {
    w.string(t.name);
    w.array(t.partitions, (w, p) => w.int32(p.index).int16(p.errorCode));
  });
}
