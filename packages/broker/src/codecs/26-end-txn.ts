import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';

export interface EndTxnRequest {
  transactionalId: string;
  committed: boolean;
}

export interface EndTxnResponse {
  errorCode: number;
}

export function decodeEndTxnRequest(r: Reader, _version: number): EndTxnRequest {
  const transactionalId = r.string();
  r.int64(); // producer id
  r.int16(); // producer epoch
  return { transactionalId, committed: r.boolean() };
}

export function encodeEndTxnResponse(w: Writer, res: EndTxnResponse, _version: number): void {
  w.int32(0).int16(res.errorCode);
}
