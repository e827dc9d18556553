import { endStruct, readArray, readScalarArray, readString, skipTaggedFields, writeArray, writeString } from '../protocol/flexible';
import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';
import { TXN_APIS_FLEXIBLE_FROM, type TxnProducer } from './txn-fields';

export interface AddPartitionsToTxnRequest extends TxnProducer {
  transactionalId: string;
  topics: Array<{ name: string; partitions: number[] }>;
}

export interface AddPartitionsToTxnResponse {
  topics: Array<{ name: string; partitions: Array<{ index: number; errorCode: number }> }>;
}

/** v0-3, the client's form (v4, the brokers' batched form, is not served). */
export function decodeAddPartitionsToTxnRequest(r: Reader, version: number): AddPartitionsToTxnRequest {
  const flexible = version >= TXN_APIS_FLEXIBLE_FROM;
  const transactionalId = readString(r, flexible);
  const producerId = r.int64();
  const producerEpoch = r.int16();
  const topics = readArray(r, flexible, (t) => ({ name: readString(t, flexible), partitions: readScalarArray(t, flexible, (p) => p.int32()) }));
  skipTaggedFields(r, flexible);
  return { transactionalId, producerId, producerEpoch, topics };
}

export function encodeAddPartitionsToTxnResponse(w: Writer, res: AddPartitionsToTxnResponse, version: number): void {
  const flexible = version >= TXN_APIS_FLEXIBLE_FROM;
  w.int32(0);
  writeArray(w, res.topics, flexible, (w, t) => {
    writeString(w, t.name, flexible);
    writeArray(w, t.partitions, flexible, (w, p) => w.int32(p.index).int16(p.errorCode));
  });
  endStruct(w, flexible);
}
