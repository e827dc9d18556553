import { endStruct, readString, skipTaggedFields } from '../protocol/flexible';
import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';
import { TXN_APIS_FLEXIBLE_FROM, type TxnProducer } from './txn-fields';

export interface EndTxnRequest extends TxnProducer {
  transactionalId: string;
  committed: boolean;
}

export interface EndTxnResponse {
  errorCode: number;
}

export function decodeEndTxnRequest(r: Reader, version: number): EndTxnRequest {
  const flexible = version >= TXN_APIS_FLEXIBLE_FROM;
  const transactionalId = readString(r, flexible);
  const producerId = r.int64();
  const producerEpoch = r.int16();
  const committed = r.boolean();
  skipTaggedFields(r, flexible);
  return { transactionalId, producerId, producerEpoch, committed };
}

export function encodeEndTxnResponse(w: Writer, res: EndTxnResponse, version: number): void {
  w.int32(0).int16(res.errorCode);
  endStruct(w, version >= TXN_APIS_FLEXIBLE_FROM);
}
