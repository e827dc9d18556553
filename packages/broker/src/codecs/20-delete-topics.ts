import { endStruct, readArray, readNullableString, readScalarArray, readString, skipTaggedFields, writeArray, writeNullableString, writeString } from '../protocol/flexible';
import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';

export const DELETE_TOPICS_FLEXIBLE_FROM = 4;

export interface DeleteTopicsRequest {
  /** v6+ (KIP-516): a topic may be named by id (name null). */
  topics: Array<{ name: string | null; topicId: string }>;
  timeoutMs: number;
}

export interface DeleteTopicsResponse {
  topics: Array<{ name: string | null; topicId: string; errorCode: number; errorMessage: string | null }>;
}

const ZERO_UUID = '0'.repeat(32);

export function decodeDeleteTopicsRequest(r: Reader, version: number): DeleteTopicsRequest {
  const flexible = version >= DELETE_TOPICS_FLEXIBLE_FROM;
  const topics =
    version >= 6
      ? readArray(r, flexible, (t) => ({ name: readNullableString(t, flexible), topicId: t.uuid() }))
      : readScalarArray(r, flexible, (t) => ({ name: readString(t, flexible) as string | null, topicId: ZERO_UUID }));
  const timeoutMs = r.int32();
  skipTaggedFields(r, flexible);
  return { topics, timeoutMs };
}

export function encodeDeleteTopicsResponse(w: Writer, res: DeleteTopicsResponse, version: number): void {
  const flexible = version >= DELETE_TOPICS_FLEXIBLE_FROM;
  if (version >= 1) w.int32(0); // throttle time
  writeArray(w, res.topics, flexible, (w, t) => {
    if (version >= 6) writeNullableString(w, t.name, flexible);
    else writeString(w, t.name ?? '', flexible);
    if (version >= 6) w.uuid(t.topicId);
    w.int16(t.errorCode);
    if (version >= 5) writeNullableString(w, t.errorMessage, flexible);
  });
  endStruct(w, flexible);
}
