import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';

export interface OffsetFetchRequest {
  groupId: string;
  /** null (v2+) asks for every partition the group has committed. */
  topics: Array<{ name: string; partitions: number[] }> | null;
}

export interface OffsetFetchResponse {
  topics: Array<{ name: string; partitions: Array<{ index: number; offset: number; metadata: string | null; errorCode: number }> }>;
  /** v2+: a group-level error. */
  errorCode: number;
}

export function decodeOffsetFetchRequest(r: Reader, _version: number): OffsetFetchRequest {
  const groupId = r.string();
  const topics = r.nullableArray((t) => ({ name: t.string(), partitions: t.array((p) => p.int32()) }));
  return { groupId, topics };
}

export function encodeOffsetFetchResponse(w: Writer, res: OffsetFetchResponse, version: number): void {
  if (version >= 3) w.int32(0); // throttle time
  w.array(res.topics, (w, t) => {
    w.string(t.name);
    w.array(t.partitions, (w, p) => w.int32(p.index).int64(p.offset).nullableString(p.metadata).int16(p.errorCode));
  });
  if (version >= 2) w.int16(res.errorCode);
}
