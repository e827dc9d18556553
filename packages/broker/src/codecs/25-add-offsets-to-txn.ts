import { endStruct, readString, skipTaggedFields } from '../protocol/flexible';
import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';
import { TXN_APIS_FLEXIBLE_FROM, type TxnProducer } from './txn-fields';

export interface AddOffsetsToTxnRequest extends TxnProducer {
  transactionalId: string;
  groupId: string;
}

export interface AddOffsetsToTxnResponse {
  errorCode: number;
}

export function decodeAddOffsetsToTxnRequest(r: Reader, version: number): AddOffsetsToTxnRequest {
  const flexible = version >= TXN_APIS_FLEXIBLE_FROM;
  const transactionalId = readString(r, flexible);
  const producerId = r.int64();
  const producerEpoch = r.int16();
  const groupId = readString(r, flexible);
  skipTaggedFields(r, flexible);
  return { transactionalId, producerId, producerEpoch, groupId };
}

export function encodeAddOffsetsToTxnResponse(w: Writer, res: AddOffsetsToTxnResponse, version: number): void {
  w.int32(0).int16(res.errorCode);
  endStruct(w, version >= TXN_APIS_FLEXIBLE_FROM);
}
