import { endStruct, readArray, readNullableArray, readScalarArray, readString, skipTaggedFields, writeArray, writeNullableString, writeString } from '../protocol/flexible';
import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';

export const CREATE_PARTITIONS_FLEXIBLE_FROM = 2;

export interface CreatePartitionsRequest {
  /** assignments: the brokers of each new partition, or null to let the broker choose. */
  topics: Array<{ name: string; count: number; assignments: number[][] | null }>;
  timeoutMs: number;
  validateOnly: boolean;
}

export interface CreatePartitionsResponse {
  topics: Array<{ name: string; errorCode: number; errorMessage: string | null }>;
}

export function decodeCreatePartitionsRequest(r: Reader, version: number): CreatePartitionsRequest {
  const flexible = version >= CREATE_PARTITIONS_FLEXIBLE_FROM;
  const topics = readArray(r, flexible, (t) => ({
    name: readString(t, flexible),
    count: t.int32(),
    assignments: readNullableArray(t, flexible, (a) => readScalarArray(a, flexible, (b) => b.int32())),
  }));
  const timeoutMs = r.int32();
  const validateOnly = r.boolean();
  skipTaggedFields(r, flexible);
  return { topics, timeoutMs, validateOnly };
}

export function encodeCreatePartitionsResponse(w: Writer, res: CreatePartitionsResponse, version: number): void {
  const flexible = version >= CREATE_PARTITIONS_FLEXIBLE_FROM;
  w.int32(0); // throttle time
  writeArray(w, res.topics, flexible, (w, t) => {
    writeString(w, t.name, flexible);
    w.int16(t.errorCode);
    writeNullableString(w, t.errorMessage, flexible);
  });
  endStruct(w, flexible);
}
