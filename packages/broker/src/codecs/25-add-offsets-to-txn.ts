import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';

export interface AddOffsetsToTxnRequest {
  transactionalId: string;
  groupId: string;
}

export interface AddOffsetsToTxnResponse {
  errorCode: number;
}

export function decodeAddOffsetsToTxnRequest(r: Reader, _version: number): AddOffsetsToTxnRequest {
  const transactionalId = r.string();
  r.int64(); // producer id
  r.int16(); // producer epoch
  return { transactionalId, groupId: r.string() };
}

export function encodeAddOffsetsToTxnResponse(w: Writer, res: AddOffsetsToTxnResponse, _version: number): void {
  w.int32(0).int16(res.errorCode);
}
