import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';

export interface InitProducerIdRequest {
  transactionalId: string | null;
  transactionTimeoutMs: number;
}

export interface InitProducerIdResponse {
  errorCode: number;
  producerId: number;
  producerEpoch: number;
}

export function decodeInitProducerIdRequest(r: Reader, _version: number): InitProducerIdRequest {
  return { transactionalId: r.nullableString(), transactionTimeoutMs: r.int32() };
}

export function encodeInitProducerIdResponse(w: Writer, res: InitProducerIdResponse, _version: number): void {
  w.int32(0).int16(res.errorCode).int64(res.producerId).int16(res.producerEpoch);
}
