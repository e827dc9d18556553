import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';

// Flexible in every version (v0 is KIP-455's first).

export interface AlterPartitionReassignmentsRequest {
  timeoutMs: number;
  /** replicas null cancels a reassignment in progress. */
  topics: Array<{ name: string; partitions: Array<{ index: number; replicas: number[] | null }> }>;
}

export interface AlterPartitionReassignmentsResponse {
  errorCode: number;
  errorMessage: string | null;
  topics: Array<{ name: string; partitions: Array<{ index: number; errorCode: number; errorMessage: string | null }> }>;
}

const structArray = <T>(r: Reader, readItem: (r: Reader) => T): T[] =>
  r.compactArray((x) => {
    const item = readItem(x);
    x.taggedFields();
    return item;
  });

export function decodeAlterPartitionReassignmentsRequest(r: Reader, _version: number): AlterPartitionReassignmentsRequest {
  const timeoutMs = r.int32();
  const topics = structArray(r, (t) => ({
    name: t.compactString(),
    partitions: structArray(t, (p) => ({ index: p.int32(), replicas: p.compactNullableArray((b) => b.int32()) })),
  }));
  r.taggedFields();
  return { timeoutMs, topics };
}

export function encodeAlterPartitionReassignmentsResponse(w: Writer, res: AlterPartitionReassignmentsResponse, _version: number): void {
  w.int32(0).int16(res.errorCode).compactNullableString(res.errorMessage); // throttle time first
  w.compactArray(res.topics, (w, t) => {
    w.compactString(t.name);
    w.compactArray(t.partitions, (w, p) => {
      w.int32(p.index).int16(p.errorCode).compactNullableString(p.errorMessage);
      w.taggedFields();
    });
    w.taggedFields();
  });
  w.taggedFields();
}
