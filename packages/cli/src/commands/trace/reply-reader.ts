import { SAGA_REPLIES_TOPIC } from '@agentmesh/coordinator';
import { RegistryCodec, SchemaRegistryUnavailableError, type EventCodec } from '@agentmesh/runtime';
import { replySummaryOf, type ReplySummary } from '../../journey/trace-row';
import { displayValue } from '../dlq/display-value';
import { registryCredentials } from '../../connection/settings';

/** How long an unreachable registry is left alone: indexing goes on without replies' answers meanwhile. */
const REGISTRY_PAUSE_MS = 30_000;

/**
 * Reads the answer (succeeded or failed, and why) of saga replies while indexing: Avro values through the
 * registry, asked only once one shows up and not for a while once it proved unreachable (the reply is then
 * indexed without its answer), JSON values as they are.
 */
export class ReplyReader {
  private registry: EventCodec | undefined;
  private registryDownUntil = 0;

  constructor(
    private readonly registryUrl: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Only saga.replies records have an answer to read. */
  static reads(topic: string): boolean {
    return topic === SAGA_REPLIES_TOPIC;
  }

  async summary(value: Buffer | null): Promise<ReplySummary | undefined> {
    if (value === null) return undefined;
    const shown = await displayValue(value, SAGA_REPLIES_TOPIC, this.codec());
    if (shown.encoding === 'avro' || shown.encoding === 'json') return replySummaryOf(shown.value);
    return undefined;
  }

  private codec(): EventCodec | undefined {
    if (this.now() < this.registryDownUntil) return undefined;
    const registry = (this.registry ??= new RegistryCodec({ ...registryCredentials(), url: this.registryUrl, retries: 0, requestTimeoutMs: 3_000 }));
    return {
      encode: (topic, value) => registry.encode(topic, value),
      decode: async (topic, bytes) => {
        try {
          return await registry.decode(topic, bytes);
        } catch (error) {
          if (error instanceof SchemaRegistryUnavailableError) this.registryDownUntil = this.now() + REGISTRY_PAUSE_MS;
          throw error;
        }
      },
    };
  }
}
