import type { Logger } from 'pino';
import type { Message, Producer } from 'kafkajs';
import { authorizationFailure } from './authorization';
import { chunkBySize } from './record-size';

/** A record to produce, with the topic it goes to. */
export interface OutboundRecord extends Message {
  topic: string;
}

export interface BatchProducerOptions {
  /** Produce requests stay at or under this many bytes (a record larger travels alone). Default 512 KiB. */
  maxRequestBytes?: number;
  /** Records larger than this are refused with RecordTooLargeError before any request. Default: no limit here (the broker's applies). */
  maxRecordBytes?: number;
}

/** One chunk of one caller's send, waiting for a request. */
interface Waiting {
  records: OutboundRecord[];
  bytes: number;
  send: PendingSend;
}

/** A caller's send: settled once all of its chunks went out, or the first one failed. */
interface PendingSend {
  chunksLeft: number;
  failed: boolean;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export const DEFAULT_MAX_REQUEST_BYTES = 512 * 1024;

/**
 * The one way the mesh produces. Idempotent, acks=all, one request in flight.
 *
 * - Coalescing: sends asked for while a request is in flight go out together in the next one,
 *   so batches and sagas handled side by side share round trips instead of queueing one each.
 * - Byte chunks: requests stay under maxRequestBytes however much one caller sends.
 * - Order per caller: a caller's records go out in the order given, and its next send (after this
 *   one resolved) after them.
 * - Refusals by ACLs stay with their caller: a refused request of several callers' records is sent again
 *   caller by caller, so one handler writing outside its grants does not fail a heartbeat sent beside it.
 * - A fresh producer after a failed request: kafkajs rewinds the sequence numbers of every
 *   partition of a failed request, accepted ones included, so the same producer's next sends could
 *   be taken for duplicates and dropped by the broker. A new producer id starts clean; what callers
 *   send again carries the same event ids, so consumers still see it once.
 */
export class BatchProducer {
  private readonly waiting: Waiting[] = [];
  private flushing = false;
  private producer: Producer;
  private stale = false;
  private readonly maxRequestBytes: number;
  private readonly maxRecordBytes: number;

  constructor(
    private readonly createProducer: () => Producer,
    private readonly logger: Logger,
    options: BatchProducerOptions = {},
  ) {
    this.maxRequestBytes = options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
    this.maxRecordBytes = options.maxRecordBytes ?? Infinity;
    this.producer = createProducer();
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }

  /** The next request goes through a new producer (after a consumer crash, say, whose cause may be the producer's). */
  renew(): void {
    this.stale = true;
  }

  /** Resolves once every record is acknowledged by all in-sync replicas; rejects with RecordTooLargeError at once for a record no request can carry. */
  send(records: readonly OutboundRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const pending: PendingSend = { chunksLeft: 0, failed: false, resolve, reject };
      const chunks = chunkBySize(records, this.maxRequestBytes, this.maxRecordBytes);
      pending.chunksLeft = chunks.length;
      for (const chunk of chunks) this.waiting.push({ ...chunk, send: pending });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.waiting.length > 0) {
        // Sends asked for in the same turn join the request; waiting for the next turn of the event loop
        // (setImmediate) cost every idle produce a loop's worth of other callbacks first. Sends asked for
        // while a request is in flight join the next one anyway.
        await Promise.resolve();
        const taken = this.takeRequest();
        try {
          if (this.stale) await this.replaceProducer();
          await this.producer.sendBatch({ acks: -1, topicMessages: byTopic(taken) });
          for (const chunk of taken) settle(chunk.send);
        } catch (error) {
          this.stale = true;
          this.logger.warn(
            { error: error instanceof Error ? error.message : String(error), records: taken.reduce((n, c) => n + c.records.length, 0) },
            'produce failed; the next request goes through a new producer',
          );
          if (authorizationFailure(error) && new Set(taken.map((c) => c.send)).size > 1) await this.sendEachAlone(taken);
          else for (const chunk of taken) fail(chunk.send, error);
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  /**
   * A request refused by the broker's ACLs holds records of several callers: each caller's chunks go again in a
   * request of their own, so the refusal is the caller's whose records it was, not every caller's that shared it.
   */
  private async sendEachAlone(taken: readonly Waiting[]): Promise<void> {
    const bySend = new Map<PendingSend, Waiting[]>();
    for (const chunk of taken) bySend.set(chunk.send, [...(bySend.get(chunk.send) ?? []), chunk]);
    for (const [send, chunks] of bySend) {
      try {
        if (this.stale) await this.replaceProducer();
        await this.producer.sendBatch({ acks: -1, topicMessages: byTopic(chunks) });
        for (const chunk of chunks) settle(chunk.send);
      } catch (error) {
        this.stale = true;
        fail(send, error);
      }
    }
  }

  /** The waiting chunks that fit one request, first come first: at least one. */
  private takeRequest(): Waiting[] {
    let size = 0;
    let count = 0;
    while (count < this.waiting.length && (count === 0 || size + this.waiting[count]!.bytes <= this.maxRequestBytes)) size += this.waiting[count++]!.bytes;
    return this.waiting.splice(0, count);
  }

  private async replaceProducer(): Promise<void> {
    const old = this.producer;
    this.producer = this.createProducer();
    await old.disconnect().catch(() => undefined);
    await this.producer.connect();
    this.stale = false;
  }
}

function settle(send: PendingSend): void {
  send.chunksLeft -= 1;
  if (send.chunksLeft === 0 && !send.failed) send.resolve();
}

function fail(send: PendingSend, error: unknown): void {
  if (send.failed) return;
  send.failed = true;
  send.reject(error);
}

/** The request's records grouped by topic; the records themselves are the messages (kafkajs ignores `topic` on one). */
function byTopic(chunks: readonly Waiting[]): Array<{ topic: string; messages: Message[] }> {
  const topics = new Map<string, Message[]>();
  for (const chunk of chunks) {
    for (const record of chunk.records) {
      const list = topics.get(record.topic);
      if (list) list.push(record);
      else topics.set(record.topic, [record]);
    }
  }
  return [...topics].map(([topic, messages]) => ({ topic, messages }));
}
