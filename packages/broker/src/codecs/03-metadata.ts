import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';

export interface MetadataRequest {
  /** null asks for every topic. */
  topics: string[] | null;
  allowAutoTopicCreation: boolean;
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
  replicas: number[];
  isr: number[];
}

export interface MetadataTopic {
  errorCode: number;
  name: string;
  isInternal: boolean;
  partitions: MetadataPartition[];
}

export interface MetadataResponse {
  brokers: MetadataBroker[];
  clusterId: string;
  controllerId: number;
  topics: MetadataTopic[];
}

export function decodeMetadataRequest(r: Reader, version: number): MetadataRequest {
  const topics = r.nullableArray((t) => t.string());
  // v0 has no null: an empty list means every topic.
  const all = topics === null || (version === 0 && topics.length === 0);
  return { topics: all ? null : topics, allowAutoTopicCreation: version >= 4 ? r.boolean() : true };
}

export function encodeMetadataResponse(w: Writer, res: MetadataResponse, version: number): void {
  if (version >= 3) w.int32(0);
  w.array(res.brokers, (w, b) => {
    w.int32(b.nodeId).string(b.host).int32(b.port);
    if (version >= 1) w.nullableString(null); // rack
  });
  if (version >= 2) w.nullableString(res.clusterId);
  if (version >= 1) w.int32(res.controllerId);
  w.array(res.topics, (w, t) => {
    w.int16(t.errorCode).string(t.name);
    if (version >= 1) w.boolean(t.isInternal);
    w.array(t.partitions, (w, p) => {
      w.int16(p.errorCode).int32(p.index).int32(p.leaderId);
      w.array(p.replicas, (w, n) => w.int32(n));
      w.array(p.isr, (w, n) => w.int32(n));
    });
  });
}
