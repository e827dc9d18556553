import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';

// Flexible in every version (v0 is KIP-455's first).

export interface ListPartitionReassignmentsRequest {
  timeoutMs: number;
  /** null: every partition. */
  topics: Array<{ name: string; partitions: number[] }> | null;
}

export interface ListPartitionReassignmentsResponse {
  errorCode: number;
  errorMessage: string | null;
  topics: Array<{ name: string; partitions: Array<{ index: number; replicas: number[]; addingReplicas: number[]; removingReplicas: number[] }> }>;
}

export function decodeListPartitionReassignmentsRequest(r: Reader, _version: number): ListPartitionReassignmentsRequest {
  const timeoutMs = r.int32();
  const topics = r.compactNullableArray((t) => {
    const topic = { name: t.compactString(), partitions: t.compactArray((p) => p.int32()) };
    t.taggedFields();
    return topic;
  });
  r.taggedFields();
  return { timeoutMs, topics };
}

export function encodeListPartitionReassignmentsResponse(w: Writer, res: ListPartitionReassignmentsResponse, _version: number): void {
  w.int32(0).int16(res.errorCode).compactNullableString(res.errorMessage); // throttle time first
  w.compactArray(res.topics, (w, t) => {
    w.compactString(t.name);
    w.compactArray(t.partitions, (w, p) => {
      w.int32(p.index);
      for (const list of [p.replicas, p.addingReplicas, p.removingReplicas]) w.compactArray(list, (w, b) => w.int32(b));
      w.taggedFields();
    });
    w.taggedFields();
  });
  w.taggedFields();
}
