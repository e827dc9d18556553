import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';

export interface CreatePartitionsRequest {
  topics: Array<{ name: string; count: number }>;
  timeoutMs: number;
  validateOnly: boolean;
}

export interface CreatePartitionsResponse {
  topics: Array<{ name: string; errorCode: number; errorMessage: string | null }>;
}

export function decodeCreatePartitionsRequest(r: Reader, _version: number): CreatePartitionsRequest {
  const topics = r.array((t) => {
    const name = t.string();
    const count = t.int32();
    t.nullableArray((a) => a.array((b) => b.int32())); // assignments: one broker, nothing to choose
    return { name, count };
  });
  return { topics, timeoutMs: r.int32(), validateOnly: r.boolean() };
}

export function encodeCreatePartitionsResponse(w: Writer, res: CreatePartitionsResponse, _version: number): void {
  w.int32(0);
  w.array(res.topics, (w, t) => w.string(t.name).int16(t.errorCode).nullableString(t.errorMessage));
}
