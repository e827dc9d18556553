import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';

/** DescribeTransactions (KIP-664) is flexible in every version. */
export interface DescribeTransactionsRequest {
  transactionalIds: string[];
}

export interface DescribedTransaction {
  errorCode: number;
  transactionalId: string;
  state: string;
  timeoutMs: number;
  startTimeMs: number;
  producerId: number;
  producerEpoch: number;
  topics: Array<{ name: string; partitions: number[] }>;
}

export interface DescribeTransactionsResponse {
  transactions: DescribedTransaction[];
}

export function decodeDescribeTransactionsRequest(r: Reader, _version: number): DescribeTransactionsRequest {
  const transactionalIds = r.compactArray((x) => x.compactString());
  r.taggedFields();
  return { transactionalIds };
}

export function encodeDescribeTransactionsResponse(w: Writer, res: DescribeTransactionsResponse, _version: number): void {
  w.int32(0);
  w.compactArray(res.transactions, (w, t) => {
    w.int16(t.errorCode).compactString(t.transactionalId).compactString(t.state).int32(t.timeoutMs).int64(t.startTimeMs).int64(t.producerId).int16(t.producerEpoch);
    w.compactArray(t.topics, (w, topic) => {
      w.compactString(topic.name);
      w.compactArray(topic.partitions, (w, p) => w.int32(p));
      w.taggedFields();
    });
    w.taggedFields();
  });
  w.taggedFields();
}
