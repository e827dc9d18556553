import { endStruct, readArray, readNullableString, readString, skipTaggedFields, writeArray, writeString } from '../protocol/flexible';
import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';
import { TXN_APIS_FLEXIBLE_FROM, type TxnProducer } from './txn-fields';

export interface TxnOffsetCommitPartition {
  index: number;
  offset: number;
  metadata: string | null;
}

export interface TxnOffsetCommitRequest extends TxnProducer {
  transactionalId: string;
  groupId: string;
  /** v3+ (KIP-447): the consumer's group generation and member; -1 and '' before. */
  generationId: number;
  memberId: string;
  topics: Array<{ name: string; partitions: TxnOffsetCommitPartition[] }>;
}

export interface TxnOffsetCommitResponse {
  topics: Array<{ name: string; partitions: Array<{ index: number; errorCode: number }> }>;
}

export function decodeTxnOffsetCommitRequest(r: Reader, version: number): TxnOffsetCommitRequest {
  const flexible = version >= TXN_APIS_FLEXIBLE_FROM;
  const transactionalId = readString(r, flexible);
  const groupId = readString(r, flexible);
  const producerId = r.int64();
  const producerEpoch = r.int16();
  let generationId = -1;
  let memberId = '';
  if (version >= 3) {
    generationId = r.int32();
    memberId = readString(r, flexible);
    readNullableString(r, flexible); // group instance id
  }
  const topics = readArray(r, flexible, (t) => ({
    name: readString(t, flexible),
    partitions: readArray(t, flexible, (p) => {
      const index = p.int32();
      const offset = p.int64();
      if (version >= 2) p.int32(); // committed leader epoch
      return { index, offset, metadata: readNullableString(p, flexible) };
    }),
  }));
  skipTaggedFields(r, flexible);
  return { transactionalId, groupId, producerId, producerEpoch, generationId, memberId, topics };
}

export function encodeTxnOffsetCommitResponse(w: Writer, res: TxnOffsetCommitResponse, version: number): void {
  const flexible = version >= TXN_APIS_FLEXIBLE_FROM;
  w.int32(0);
  writeArray(w, res.topics, flexible, (w, t) => {
    writeString(w, t.name, flexible);
    writeArray(w, t.partitions, flexible, (w, p) => w.int32(p.index).int16(p.errorCode));
  });
  endStruct(w, flexible);
}
