import { endStruct, readNullableString, skipTaggedFields } from '../protocol/flexible';
import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';

/** InitProducerId is flexible from v2 (KIP-482); v3 adds the producer id and epoch a client already holds (KIP-360). */
export const INIT_PRODUCER_ID_FLEXIBLE_FROM = 2;

export interface InitProducerIdRequest {
  transactionalId: string | null;
  transactionTimeoutMs: number;
  /** v3+: -1 and -1 for a producer that holds none. */
  producerId: number;
  producerEpoch: number;
}

export interface InitProducerIdResponse {
  errorCode: number;
  producerId: number;
  producerEpoch: number;
}

export function decodeInitProducerIdRequest(r: Reader, version: number): InitProducerIdRequest {
  const flexible = version >= INIT_PRODUCER_ID_FLEXIBLE_FROM;
  const transactionalId = readNullableString(r, flexible);
  const transactionTimeoutMs = r.int32();
  const producerId = version >= 3 ? r.int64() : -1;
  const producerEpoch = version >= 3 ? r.int16() : -1;
  skipTaggedFields(r, flexible);
  return { transactionalId, transactionTimeoutMs, producerId, producerEpoch };
}

export function encodeInitProducerIdResponse(w: Writer, res: InitProducerIdResponse, version: number): void {
  w.int32(0).int16(res.errorCode).int64(res.producerId).int16(res.producerEpoch);
  endStruct(w, version >= INIT_PRODUCER_ID_FLEXIBLE_FROM);
}
