import type { Consumer, Kafka } from 'kafkajs';
import { Header, type EventCodec, type Headers } from '@agentmesh/runtime';
import { headersToStrings } from '@agentmesh/runtime/internal';
import { waitUntil } from '../wait/until';

/** A record seen on a watched topic, its value decoded. */
export interface ObservedRecord<V = unknown> {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: V;
  headers: Headers;
  /** Its `mesh-event-id` header. */
  eventId: string | undefined;
}

/** Which record to wait for: a predicate, or ids the mesh stamps in headers. */
export type RecordMatch<R> = ((record: R) => boolean) | { eventId: string } | { causedBy: string } | { correlationId: string };

export interface WaitOptions {
  /** Real time allowed. Default 10 s. */
  timeoutMs?: number;
}

/** Every record of one topic from its beginning, as it arrives, with bounded waits on them. */
export interface TopicWatch<R extends ObservedRecord = ObservedRecord> {
  readonly topic: string;
  /** What has arrived so far, in arrival order. */
  readonly records: readonly R[];
  /** The first record that matches, as soon as it arrives. */
  waitFor(match: RecordMatch<R>, options?: WaitOptions): Promise<R>;
  /** Resolves once `count` records matching (default all) have arrived, with them. */
  waitForCount(count: number, match?: RecordMatch<R>, options?: WaitOptions): Promise<R[]>;
}

/** How a wait is run: the test mesh wraps it to skip virtual time ahead while it waits. */
export type WaitRunner = <T>(waiting: Promise<T>, what: string, timeoutMs: number) => Promise<T>;

export function matcher<R extends ObservedRecord>(match: RecordMatch<R>): (record: R) => boolean {
  if (typeof match === 'function') return match;
  if ('eventId' in match) return (r) => r.eventId === match.eventId;
  if ('causedBy' in match) return (r) => r.headers[Header.causationId] === match.causedBy;
  return (r) => r.headers[Header.correlationId] === match.correlationId;
}

function describeMatch<R extends ObservedRecord>(match: RecordMatch<R>): string {
  return typeof match === 'function' ? 'a record matching the predicate' : `a record with ${JSON.stringify(match)}`;
}

export const DEFAULT_WAIT_MS = 10_000;

/** A consumer of its own group reading `topic` from the beginning into `records`. */
export class KafkaTopicWatch<R extends ObservedRecord> implements TopicWatch<R> {
  readonly records: R[] = [];
  private readonly listeners = new Set<() => void>();
  private consumer: Consumer | undefined;
  private ready: Promise<void> = Promise.resolve();

  constructor(
    readonly topic: string,
    private readonly decode: (record: ObservedRecord<Buffer | null>, codec: EventCodec) => Promise<R>,
    private readonly codec: EventCodec,
    private readonly run: WaitRunner,
    private readonly defaultTimeoutMs: number = DEFAULT_WAIT_MS,
  ) {}

  /** Starts consuming in the background; a wait reports a failure to start. */
  start(kafka: Kafka, groupId: string, prepare: () => Promise<void>): void {
    this.ready = this.consume(kafka, groupId, prepare);
    // Reported by the waits; not unhandled meanwhile.
    this.ready.catch(() => undefined);
  }

  private async consume(kafka: Kafka, groupId: string, prepare: () => Promise<void>): Promise<void> {
    await prepare();
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 20 });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topics: [this.topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const headers = headersToStrings(message.headers);
        const raw: ObservedRecord<Buffer | null> = { topic, partition, offset: message.offset, key: message.key?.toString() ?? null, value: message.value, headers, eventId: headers[Header.eventId] };
        this.records.push(await this.decode(raw, this.codec));
        for (const listener of this.listeners) listener();
      },
    });
  }

  waitFor(match: RecordMatch<R>, options: WaitOptions = {}): Promise<R> {
    const test = matcher(match);
    return this.wait(() => this.records.find(test), describeMatch(match), options.timeoutMs ?? this.defaultTimeoutMs);
  }

  waitForCount(count: number, match: RecordMatch<R> = () => true, options: WaitOptions = {}): Promise<R[]> {
    const test = matcher(match);
    const check = (): R[] | undefined => {
      const matching = this.records.filter(test);
      return matching.length >= count ? matching : undefined;
    };
    return this.wait(check, `${count} of ${describeMatch(match)}`, options.timeoutMs ?? this.defaultTimeoutMs);
  }

  async stop(): Promise<void> {
    this.listeners.clear();
    await this.ready.catch(() => undefined);
    await this.consumer?.disconnect();
  }

  private wait<T>(check: () => T | undefined, what: string, timeoutMs: number): Promise<T> {
    const started = Date.now();
    const waiting = this.ready.then(() =>
      waitUntil(
        check,
        (changed) => {
          this.listeners.add(changed);
          return () => this.listeners.delete(changed);
        },
        Math.max(1, timeoutMs - (Date.now() - started)),
        () => `timed out after ${timeoutMs} ms waiting for ${what} on ${this.topic} (${this.records.length} records seen)`,
      ),
    );
    return this.run(waiting, `${what} on ${this.topic}`, timeoutMs);
  }
}

/** Decodes a record's value with the mesh's codec; a value it cannot decode is kept as its raw bytes. */
export async function decodeValue(record: ObservedRecord<Buffer | null>, codec: EventCodec): Promise<ObservedRecord> {
  try {
    return { ...record, value: await codec.decode(record.topic, record.value) };
  } catch {
    return record;
  }
}
