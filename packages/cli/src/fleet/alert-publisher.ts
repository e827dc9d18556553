import { hostname } from 'node:os';
import { JsonCodec, SchemaNotFoundError, SchemaRegistryUnavailableError, type EventCodec, type MeshAlert } from '@agentmesh/runtime/internal/fleet';
import type { Kafka, Producer } from 'kafkajs';
import type { AlertTransition } from './alerts';
import { registryCredentials } from '../connection/settings';

/** Where alert transitions go, for agents to react to them. */
export const ALERTS_TOPIC = 'mesh.alerts';

/** The mesh.alerts record of a transition (its contract: schemas/mesh/mesh-alert.avsc). */
export function alertRecord(t: AlertTransition, evaluator: string): MeshAlert {
  return {
    alert: t.alert.alert,
    state: t.state,
    severity: t.alert.severity,
    subject: t.alert.subject,
    summary: t.alert.summary,
    value: Number.isFinite(t.alert.value) ? t.alert.value : null,
    threshold: t.alert.threshold,
    at: t.at,
    since: t.alert.since,
    evaluator,
  };
}

/**
 * Publishes alert transitions on mesh.alerts, keyed by alert and subject, so a compacted reader keeps each one's latest
 * state. Avro through the registry when one holds the contract; JSON otherwise (as agents without a registry write).
 */
export class AlertPublisher {
  private producer: Producer | undefined;
  private codec: EventCodec | undefined;
  private fellBack = false;
  private readonly evaluator = `${hostname()}-${process.pid}`;

  constructor(
    private readonly kafka: Kafka,
    private readonly registryUrl: string | undefined,
    private readonly warn: (line: string) => void,
  ) {}

  /** The registry codec is loaded at the first alert, not at start: most refreshes publish nothing. */
  private async codecFor(): Promise<EventCodec> {
    if (this.codec) return this.codec;
    if (!this.registryUrl) return (this.codec = new JsonCodec());
    const { RegistryCodec } = await import('@agentmesh/runtime');
    return (this.codec = new RegistryCodec({ ...registryCredentials(), url: this.registryUrl, retries: 0, requestTimeoutMs: 3_000 }));
  }

  /** Publishes the transitions; the records as published. */
  async publish(transitions: readonly AlertTransition[]): Promise<MeshAlert[]> {
    if (transitions.length === 0) return [];
    if (!this.producer) {
      this.producer = this.kafka.producer({ allowAutoTopicCreation: true });
      await this.producer.connect();
    }
    const records = transitions.map((t) => alertRecord(t, this.evaluator));
    const messages = [];
    for (const record of records) messages.push({ key: `${record.alert}/${record.subject}`, value: await this.encode(record) });
    await this.producer.send({ topic: ALERTS_TOPIC, messages });
    return records;
  }

  private async encode(record: MeshAlert): Promise<Buffer> {
    try {
      return await (await this.codecFor()).encode(ALERTS_TOPIC, record);
    } catch (error) {
      if (this.fellBack || !(error instanceof SchemaNotFoundError || error instanceof SchemaRegistryUnavailableError)) throw error;
      this.warn(`${error.message}: alerts go to ${ALERTS_TOPIC} as JSON`);
      this.fellBack = true;
      const json = new JsonCodec();
      this.codec = json;
      return json.encode(ALERTS_TOPIC, record);
    }
  }

  async close(): Promise<void> {
    await this.producer?.disconnect().catch(() => undefined);
  }
}
