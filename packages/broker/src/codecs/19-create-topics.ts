import { endStruct, readArray, readNullableString, readScalarArray, readString, skipTaggedFields, writeNullableArray, writeArray, writeNullableString, writeString } from '../protocol/flexible';
import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';

export const CREATE_TOPICS_FLEXIBLE_FROM = 5;

export interface CreatableTopic {
  name: string;
  /** -1 (v4+): the broker's num.partitions. */
  numPartitions: number;
  /** -1 (v4+): the broker's default.replication.factor. */
  replicationFactor: number;
  assignments: Array<{ index: number; brokerIds: number[] }>;
  configs: Array<{ name: string; value: string | null }>;
}

export interface CreateTopicsRequest {
  topics: CreatableTopic[];
  timeoutMs: number;
  validateOnly: boolean;
}

export interface CreatedTopicConfig {
  name: string;
  value: string | null;
  readOnly: boolean;
  source: number;
  sensitive: boolean;
}

export interface CreatedTopicResult {
  name: string;
  topicId: string;
  errorCode: number;
  errorMessage: string | null;
  /** v5+: what the topic got (-1 and null on error). */
  numPartitions: number;
  replicationFactor: number;
  configs: CreatedTopicConfig[] | null;
}

export interface CreateTopicsResponse {
  topics: CreatedTopicResult[];
}

export function decodeCreateTopicsRequest(r: Reader, version: number): CreateTopicsRequest {
  const flexible = version >= CREATE_TOPICS_FLEXIBLE_FROM;
  const topics = readArray(r, flexible, (t) => ({
    name: readString(t, flexible),
    numPartitions: t.int32(),
    replicationFactor: t.int16(),
    assignments: readArray(t, flexible, (a) => ({ index: a.int32(), brokerIds: readScalarArray(a, flexible, (b) => b.int32()) })),
    configs: readArray(t, flexible, (c) => ({ name: readString(c, flexible), value: readNullableString(c, flexible) })),
  }));
  const timeoutMs = r.int32();
  const validateOnly = version >= 1 ? r.boolean() : false;
  skipTaggedFields(r, flexible);
  return { topics, timeoutMs, validateOnly };
}

export function encodeCreateTopicsResponse(w: Writer, res: CreateTopicsResponse, version: number): void {
  const flexible = version >= CREATE_TOPICS_FLEXIBLE_FROM;
  if (version >= 2) w.int32(0); // throttle time
  writeArray(w, res.topics, flexible, (w, t) => {
    writeString(w, t.name, flexible);
    if (version >= 7) w.uuid(t.topicId);
    w.int16(t.errorCode);
    if (version >= 1) writeNullableString(w, t.errorMessage, flexible);
    if (version >= 5) {
      w.int32(t.numPartitions).int16(t.replicationFactor);
      writeNullableArray(w, t.configs, flexible, (w, c) => {
        writeString(w, c.name, flexible);
        writeNullableString(w, c.value, flexible);
        w.boolean(c.readOnly).int8(c.source).boolean(c.sensitive);
      });
    }
  });
  endStruct(w, flexible);
}
