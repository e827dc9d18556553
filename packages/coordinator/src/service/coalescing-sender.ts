import type { Logger } from 'pino';
import type { Message, Producer, TopicMessages } from 'kafkajs';
import { recordBytes } from '@agentmesh/runtime';
import { pushTo } from './multimap';

interface Waiting {
  batch: TopicMessages[];
  bytes: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** A send that can never succeed (a record over the broker's size limit): retrying it is pointless. */
export class UnsendableError extends Error {
  override readonly name = 'UnsendableError';
}

/** Produce requests stay well under Kafka's default 1 MiB message.max.bytes. */
export const DEFAULT_MAX_REQUEST_BYTES = 512 * 1024;

const batchBytes = (batch: TopicMessages[]) => batch.reduce((n, t) => n + t.messages.reduce((m, msg) => m + recordBytes({ key: msg.key, value: msg.value, headers: msg.headers }), 0), 0);

/**
 * Group commit for produce: sends asked for while a produce is in flight go
 * out together in the next one (the idempotent producer keeps one request in
 * flight, so sagas driven side by side would otherwise queue one round trip
 * each), in requests of at most maxRequestBytes. Order holds per caller: a
 * caller's next send starts after its last resolved.
 *
 * After a failed request the producer is replaced: kafkajs rewinds the
 * sequence numbers of every partition of a failed request, accepted ones
 * included, so the same producer's next sends could be taken for duplicates
 * and dropped by the broker. A new producer id starts clean; the records it
 * re-sends carry the same event ids, so consumers still see them once.
 */
export class CoalescingSender {
  private waiting: Waiting[] = [];
  private flushing = false;
  private producer: Producer;
  private stale = false;

  constructor(
    private readonly createProducer: () => Producer,
    private readonly logger: Logger,
    private readonly maxRequestBytes: number = DEFAULT_MAX_REQUEST_BYTES,
  ) {
    this.producer = createProducer();
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  async disconnect(): Promise<void> {
    await this.producer.disconnect();
  }

  send(batch: TopicMessages[]): Promise<void> {
    if (batch.length === 0) return Promise.resolve();
    const bytes = batchBytes(batch);
    if (bytes > this.maxRequestBytes) {
      return Promise.reject(new UnsendableError(`${bytes} bytes in one send is more than the ${this.maxRequestBytes} a request may carry`));
    }
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ batch, bytes, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async renew(): Promise<void> {
    const old = this.producer;
    this.producer = this.createProducer();
    await old.disconnect().catch(() => undefined);
    await this.producer.connect();
    this.stale = false;
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.waiting.length > 0) {
        // Let the callers that are mid-way through their own work this turn join the request.
        await new Promise<void>((resolve) => setImmediate(resolve));
        let size = 0;
        let count = 0;
        while (count < this.waiting.length && (count === 0 || size + this.waiting[count]!.bytes <= this.maxRequestBytes)) size += this.waiting[count++]!.bytes;
        const taken = this.waiting.splice(0, count);
        const byTopic = new Map<string, Message[]>();
        for (const { batch } of taken) {
          for (const { topic, messages } of batch) pushTo(byTopic, topic, ...messages);
        }
        try {
          if (this.stale) await this.renew();
          await this.producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
          for (const w of taken) w.resolve();
        } catch (error) {
          this.stale = true;
          this.logger.warn({ error: error instanceof Error ? error.message : String(error), records: size }, 'produce failed; the next request goes through a new producer');
          for (const w of taken) w.reject(error);
        }
      }
    } finally {
      this.flushing = false;
    }
  }
}
