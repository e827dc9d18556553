import type { Logger } from 'pino';
import { RecordTooLargeError, type BatchProducer, type OutboundRecord } from '@agentmesh/runtime/internal';
import { describeError } from '../errors';

/**
 * What the coordinator sends after a saga's state is written: commands, audit records, stuck
 * notices. The state is already durable, so a send that fails is not the saga's failure: it is
 * retried in the background (same event ids, so consumers see it once) until it goes through.
 */
export class SagaOutbox {
  /** Deliveries that failed after their state was written, oldest first. */
  private readonly retries: Array<() => Promise<void>> = [];

  constructor(
    private readonly producer: BatchProducer,
    private readonly logger: Logger,
  ) {}

  /** Sends records whose input is not committed until they are out (a forwarded reply, a dead letter): rejects on failure. */
  sendNow(records: OutboundRecord[]): Promise<void> {
    return this.producer.send(records);
  }

  /** Sends now; on failure, keeps it for `retryFailed`. Never rejects. */
  async send(records: OutboundRecord[]): Promise<void> {
    if (records.length === 0) return;
    try {
      await this.producer.send(records);
    } catch (error) {
      if (error instanceof RecordTooLargeError) return this.sendOneByOne(records);
      this.logger.warn({ error: describeError(error) }, 'send failed after the saga state was written; retrying in the background');
      this.retries.push(() => this.producer.send(records));
    }
  }

  /** Runs `deliver` (which builds records and sends them); on failure, keeps it for `retryFailed`. Never rejects. */
  async deliver(deliver: () => Promise<void>, context: Record<string, unknown>): Promise<void> {
    try {
      await deliver();
    } catch (error) {
      this.logger.warn({ ...context, error: describeError(error) }, 'could not build the records of a transition already written; retrying in the background');
      this.retries.push(deliver);
    }
  }

  /** Retries the failed sends in order, stopping at the first that still fails. */
  async retryFailed(): Promise<void> {
    while (this.retries.length > 0) {
      try {
        await this.retries[0]!();
        this.retries.shift();
      } catch (error) {
        this.logger.warn({ error: describeError(error), waiting: this.retries.length }, 'send still failing');
        return;
      }
    }
  }

  /** A record no request can carry is dropped loudly; the others still go. A command lost this way fails its step at its deadline. */
  private async sendOneByOne(records: OutboundRecord[]): Promise<void> {
    for (const record of records) {
      try {
        await this.producer.send([record]);
      } catch (error) {
        if (error instanceof RecordTooLargeError) {
          this.logger.error({ topic: record.topic, error: describeError(error) }, 'record too large to produce; not sent');
          continue;
        }
        this.logger.warn({ error: describeError(error) }, 'send failed after the saga state was written; retrying in the background');
        this.retries.push(() => this.producer.send([record]));
      }
    }
  }
}
