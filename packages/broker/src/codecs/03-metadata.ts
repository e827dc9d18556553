import { endStruct, readNullableArray, readNullableString, skipTaggedFields, writeArray, writeNullableString, writeScalarArray, writeString } from '../protocol/flexible';
import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';

export const METADATA_FLEXIBLE_FROM = 9;
/** "No authorized operations asked for": Integer.MIN_VALUE, as Kafka answers. */
export const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;
export const ZERO_UUID = '0'.repeat(32);

export interface MetadataTopicRequest {
  /** v10+: a topic may be asked for by id (name null). */
  topicId: string;
  name: string | null;
}

export interface MetadataRequest {
  /** null asks for every topic. */
  topics: MetadataTopicRequest[] | null;
  allowAutoTopicCreation: boolean;
  includeClusterAuthorizedOperations: boolean;
  includeTopicAuthorizedOperations: boolean;
}

export interface MetadataBroker {
  nodeId: number;
  host: string;
  port: number;
}

export interface MetadataPartition {
  errorCode: number;
  index: number;
  leaderId: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
}

export interface MetadataTopic {
  errorCode: number;
  name: string | null;
  topicId: string;
  isInternal: boolean;
  partitions: MetadataPartition[];
  authorizedOperations: number;
}

export interface MetadataResponse {
  brokers: MetadataBroker[];
  clusterId: string;
  controllerId: number;
  topics: MetadataTopic[];
  clusterAuthorizedOperations: number;
}

export function decodeMetadataRequest(r: Reader, version: number): MetadataRequest {
  const flexible = version >= METADATA_FLEXIBLE_FROM;
  const topics = readNullableArray(r, flexible, (t): MetadataTopicRequest => {
    const topicId = version >= 10 ? t.uuid() : ZERO_UUID;
    return { topicId, name: readNullableString(t, flexible) };
  });
  // v0 has no null: an empty list means every topic.
  const all = topics === null || (version === 0 && topics.length === 0);
  const allowAutoTopicCreation = version >= 4 ? r.boolean() : true;
  const includeClusterAuthorizedOperations = version >= 8 && version <= 10 ? r.boolean() : false;
  const includeTopicAuthorizedOperations = version >= 8 ? r.boolean() : false;
  skipTaggedFields(r, flexible);
  return { topics: all ? null : topics, allowAutoTopicCreation, includeClusterAuthorizedOperations, includeTopicAuthorizedOperations };
}

export function encodeMetadataResponse(w: Writer, res: MetadataResponse, version: number): void {
  const flexible = version >= METADATA_FLEXIBLE_FROM;
  if (version >= 3) w.int32(0); // throttle time
  writeArray(w, res.brokers, flexible, (w, b) => {
    w.int32(b.nodeId);
    writeString(w, b.host, flexible);
    w.int32(b.port);
    if (version >= 1) writeNullableString(w, null, flexible); // rack
  });
  if (version >= 2) writeNullableString(w, res.clusterId, flexible);
  if (version >= 1) w.int32(res.controllerId);
  writeArray(w, res.topics, flexible, (w, t) => {
    w.int16(t.errorCode);
    if (version >= 12) writeNullableString(w, t.name, flexible);
    else writeString(w, t.name ?? '', flexible);
    if (version >= 10) w.uuid(t.topicId);
    if (version >= 1) w.boolean(t.isInternal);
    writeArray(w, t.partitions, flexible, (w, p) => {
      w.int16(p.errorCode).int32(p.index).int32(p.leaderId);
      if (version >= 7) w.int32(p.leaderEpoch);
      writeScalarArray(w, p.replicas, flexible, (w, n) => w.int32(n));
      writeScalarArray(w, p.isr, flexible, (w, n) => w.int32(n));
      if (version >= 5) writeScalarArray(w, [], flexible, (w, n: number) => w.int32(n)); // offline replicas
    });
    if (version >= 8) w.int32(t.authorizedOperations);
  });
  if (version >= 8 && version <= 10) w.int32(res.clusterAuthorizedOperations);
  endStruct(w, flexible);
}
