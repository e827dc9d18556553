import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';

export interface DeleteTopicsRequest {
  names: string[];
  timeoutMs: number;
}

export interface DeleteTopicsResponse {
  topics: Array<{ name: string; errorCode: number }>;
}

export function decodeDeleteTopicsRequest(r: Reader, _version: number): DeleteTopicsRequest {
  return { names: r.array((t) => t.string()), timeoutMs: r.int32() };
}

export function encodeDeleteTopicsResponse(w: Writer, res: DeleteTopicsResponse, version: number): void {
  if (version >= 1) w.int32(0);
  w.array(res.topics, (w, t) => w.string(t.name).int16(t.errorCode));
}
