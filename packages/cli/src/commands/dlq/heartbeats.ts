import { RegistryCodec, SchemaRegistryUnavailableError } from '@agentmesh/runtime';
import { HEARTBEAT_TOPIC, type HeartbeatRecord } from '@agentmesh/runtime/internal';
import type { Admin, Kafka } from 'kafkajs';
import type { DlqRecord } from './dead-letter';
import { readRanges, throwawayGroupId } from './read-ranges';
import { watermarks, withKafka, type PartitionRange } from './topics';
import { registryCredentials } from '../../connection/settings';

/** What `mesh dlq` needs of a heartbeat: who sent it, when, and the idempotency store it announced. */
export type AnnouncedHeartbeat = Pick<HeartbeatRecord, 'agent' | 'instanceId' | 'host' | 'pid' | 'status' | 'sentAt' | 'idempotencyStore'>;

/** How far back the read goes: the newest this many heartbeats of each partition of mesh.heartbeats. */
export const HEARTBEAT_TAIL = 5_000;

/** The heartbeats read, by agent; heartbeats that could not be decoded are counted, with why. */
export interface HeartbeatsRead {
  byAgent: Map<string, AnnouncedHeartbeat[]>;
  /** The topic does not exist: no agent has announced itself on this cluster. */
  noTopic: boolean;
  undecodable: number;
  /** Why the first undecodable heartbeat could not be read (a registry that cannot be asked, say). */
  undecodableReason?: string;
}

const isString = (v: unknown): v is string => typeof v === 'string';

function epochMs(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Date) return v.getTime();
  return undefined;
}

/** A decoded heartbeat value (Avro or JSON) checked field by field; undefined when it is not one. A heartbeat from before store identities has none (null). */
export function announcedHeartbeat(value: unknown): AnnouncedHeartbeat | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const sentAt = epochMs(v.sentAt);
  if (!isString(v.agent) || !isString(v.instanceId) || !isString(v.status) || sentAt === undefined) return undefined;
  const store = v.idempotencyStore;
  return {
    agent: v.agent,
    instanceId: v.instanceId,
    host: isString(v.host) ? v.host : '',
    pid: typeof v.pid === 'number' ? v.pid : 0,
    status: v.status as AnnouncedHeartbeat['status'],
    sentAt,
    idempotencyStore: isString(store) ? store : null,
  };
}

/** Avro in the Confluent wire format (magic byte 0, a schema id), as agents with the registry codec write heartbeats. */
function isAvroFrame(bytes: Buffer): boolean {
  return bytes.length >= 5 && bytes[0] === 0;
}

/**
 * Decodes heartbeats: JSON as agents with the JSON codec write them, Avro through the registry.
 * A registry that cannot be asked is asked once; later Avro heartbeats are counted as undecodable.
 */
export class HeartbeatDecoder {
  private codec: RegistryCodec | undefined;
  private registryFailure: string | undefined;

  constructor(private readonly registryUrl: string) {}

  async decode(record: DlqRecord): Promise<AnnouncedHeartbeat | { undecodable: string }> {
    const bytes = record.value;
    if (bytes === null || bytes.length === 0) return { undecodable: 'an empty heartbeat' };
    if (!isAvroFrame(bytes)) {
      try {
        return announcedHeartbeat(JSON.parse(bytes.toString('utf8'))) ?? { undecodable: 'a JSON value that is not a heartbeat' };
      } catch {
        return { undecodable: 'neither Avro nor JSON' };
      }
    }
    if (this.registryFailure !== undefined) return { undecodable: this.registryFailure };
    this.codec ??= new RegistryCodec({ ...registryCredentials(), url: this.registryUrl, retries: 0, requestTimeoutMs: 3_000 });
    try {
      return announcedHeartbeat(await this.codec.decode(HEARTBEAT_TOPIC, bytes)) ?? { undecodable: 'an Avro value that is not a heartbeat' };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof SchemaRegistryUnavailableError) this.registryFailure = `Avro heartbeats need the schema registry (set --registry or SCHEMA_REGISTRY_URL): ${message}`;
      return { undecodable: this.registryFailure ?? message };
    }
  }
}

/** The newest HEARTBEAT_TAIL records of each partition of mesh.heartbeats; none when the topic does not exist. */
export async function heartbeatRanges(admin: Admin): Promise<PartitionRange[] | undefined> {
  if (!(await admin.listTopics()).includes(HEARTBEAT_TOPIC)) return undefined;
  return (await watermarks(admin, HEARTBEAT_TOPIC)).map((w) => {
    const from = w.high - BigInt(HEARTBEAT_TAIL);
    return { topic: HEARTBEAT_TOPIC, partition: w.partition, start: from > w.low ? from : w.low, end: w.high };
  });
}

/** Collects decoded heartbeats of the agents asked for (all agents when `agents` is undefined). */
export class HeartbeatCollector {
  readonly read: HeartbeatsRead;

  constructor(
    private readonly decoder: HeartbeatDecoder,
    private readonly agents: ReadonlySet<string> | undefined,
    noTopic: boolean,
  ) {
    this.read = { byAgent: new Map(), noTopic, undecodable: 0 };
  }

  async add(records: readonly DlqRecord[]): Promise<void> {
    for (const record of records) {
      const decoded = await this.decoder.decode(record);
      if ('undecodable' in decoded) {
        this.read.undecodable += 1;
        this.read.undecodableReason ??= decoded.undecodable;
        continue;
      }
      if (this.agents !== undefined && !this.agents.has(decoded.agent)) continue;
      const list = this.read.byAgent.get(decoded.agent) ?? [];
      list.push(decoded);
      this.read.byAgent.set(decoded.agent, list);
    }
  }
}

/** Reads the newest heartbeats of `agents` (a bounded read: HEARTBEAT_TAIL per partition) with a throwaway group. */
export async function readHeartbeats(kafka: Kafka, admin: Admin, brokers: readonly string[], registryUrl: string, agents: ReadonlySet<string>): Promise<HeartbeatsRead> {
  const ranges = await withKafka(brokers, `look up ${HEARTBEAT_TOPIC}`, () => heartbeatRanges(admin));
  const collector = new HeartbeatCollector(new HeartbeatDecoder(registryUrl), agents, ranges === undefined);
  if (ranges === undefined) return collector.read;
  await withKafka(brokers, `read ${HEARTBEAT_TOPIC}`, () => readRanges(kafka, { groupId: throwawayGroupId('heartbeats'), ranges, onRecords: (records) => collector.add(records) }));
  return collector.read;
}
