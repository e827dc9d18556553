import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';

/** ListTransactions (KIP-664) is flexible in every version. */
export interface ListTransactionsRequest {
  stateFilters: string[];
  producerIdFilters: number[];
}

export interface ListTransactionsResponse {
  errorCode: number;
  unknownStateFilters: string[];
  transactions: Array<{ transactionalId: string; producerId: number; state: string }>;
}

export function decodeListTransactionsRequest(r: Reader, _version: number): ListTransactionsRequest {
  const stateFilters = r.compactArray((x) => x.compactString());
  const producerIdFilters = r.compactArray((x) => x.int64());
  r.taggedFields();
  return { stateFilters, producerIdFilters };
}

export function encodeListTransactionsResponse(w: Writer, res: ListTransactionsResponse, _version: number): void {
  w.int32(0).int16(res.errorCode);
  w.compactArray(res.unknownStateFilters, (w, s) => w.compactString(s));
  w.compactArray(res.transactions, (w, t) => {
    w.compactString(t.transactionalId).int64(t.producerId).compactString(t.state);
    w.taggedFields();
  });
  w.taggedFields();
}
