import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';

export interface OffsetDeleteRequest {
  groupId: string;
  topics: Array<{ name: string; partitions: number[] }>;
}

export interface OffsetDeleteResponse {
  errorCode: number;
  topics: Array<{ name: string; partitions: Array<{ index: number; errorCode: number }> }>;
}

export function decodeOffsetDeleteRequest(r: Reader, _version: number): OffsetDeleteRequest {
  const groupId = r.string();
  const topics = r.array((t) => ({ name: t.string(), partitions: t.array((p) => p.int32()) }));
  return { groupId, topics };
}

export function encodeOffsetDeleteResponse(w: Writer, res: OffsetDeleteResponse, _version: number): void {
  w.int16(res.errorCode).int32(0); // throttle time follows the error code here
  w.array(res.topics, (w, t) => {
    w.string(t.name);
    w.array(t.partitions, (w, p) => w.int32(p.index).int16(p.errorCode));
  });
}
