import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';

export interface CreatableTopic {
  name: string;
  numPartitions: number;
  replicationFactor: number;
  assignments: Array<{ index: number; brokerIds: number[] }>;
  configs: Array<{ name: string; value: string | null }>;
}

export interface CreateTopicsRequest {
  topics: CreatableTopic[];
  timeoutMs: number;
  validateOnly: boolean;
}

export interface CreateTopicsResponse {
  topics: Array<{ name: string; errorCode: number; errorMessage: string | null }>;
}

export function decodeCreateTopicsRequest(r: Reader, version: number): CreateTopicsRequest {
  const topics = r.array((t) => ({
    name: t.string(),
    numPartitions: t.int32(),
    replicationFactor: t.int16(),
    assignments: t.array((a) => ({ index: a.int32(), brokerIds: a.array((b) => b.int32()) })),
    configs: t.array((c) => ({ name: c.string(), value: c.nullableString() })),
  }));
  const timeoutMs = r.int32();
  const validateOnly = version >= 1 ? r.boolean() : false;
  return { topics, timeoutMs, validateOnly };
}

export function encodeCreateTopicsResponse(w: Writer, res: CreateTopicsResponse, version: number): void {
  if (version >= 2) w.int32(0);
  w.array(res.topics, (w, t) => {
    w.string(t.name).int16(t.errorCode);
    if (version >= 1) w.nullableString(t.errorMessage);
  });
}
