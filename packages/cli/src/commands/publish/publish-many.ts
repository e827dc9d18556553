import { createLogger, EncodeError, Header, newEventId, type Tracing } from '@agentmesh/runtime';
import { BatchProducer, endSpan, recordBytes, startRootSendSpan, type OutboundRecord } from '@agentmesh/runtime/internal';
import { Partitioners } from 'kafkajs';
import { kafkaClient, kafkaErrorMessage } from '../../kafka';
import { UsageError } from '../../options';
import { eventHeaders } from './event-headers';
import type { EventLine, LineProblem } from './event-lines';
import { startProgress } from './progress';
import { problemLines, refusalMessage, summaryLine } from './report';
import { sendChunks } from './send-chunks';
import { PublishError, within } from './publish-one';

/** One request per chunk (BatchProducer's requests are at most twice this), so chunks go out in order or not at all. */
const CHUNK_BYTES = 256 * 1024;
const CHUNK_RECORDS = 2_000;

export interface PublishManyInput {
  topic: string;
  /** What the events came from, as the problem lines name it (`events.jsonl`, `stdin`). */
  source: string;
  events: readonly EventLine[];
  /** Lines that are not events at all (bad JSON, a bad envelope). */
  problems: readonly LineProblem[];
  /** Encodes a value with the topic's contract; EncodeError is the value's fault, anything else stops the run. */
  encode: (value: unknown) => Promise<Buffer>;
  brokers: readonly string[];
  key?: string;
  headers: Readonly<Record<string, string>>;
  timeoutMs: number;
  skipInvalid: boolean;
  tracer: Tracing['tracer'];
}

interface EncodedEvent {
  line: number;
  record: OutboundRecord;
  eventId: string;
}

/**
 * Publishes many events: every line is validated and encoded first, so by default a bad line
 * publishes nothing (with --skip-invalid the valid ones go and the bad ones are counted); then
 * the records go out in chunks through one idempotent producer, with a progress bar on stderr
 * and one summary line on stdout.
 */
export async function publishMany(input: PublishManyInput): Promise<void> {
  const started = Date.now();
  if (input.headers[Header.eventId] !== undefined && input.events.length > 1) {
    throw new UsageError(`--header ${Header.eventId} would give all ${input.events.length} events one id; give each line its own in "headers"`);
  }
  const problems: LineProblem[] = [...input.problems];
  const encoded: EncodedEvent[] = [];
  for (const event of input.events) {
    let value: Buffer;
    try {
      value = await input.encode(event.value);
    } catch (error) {
      if (!(error instanceof EncodeError)) throw error;
      problems.push({ line: event.line, message: error.message });
      continue;
    }
    const { eventId, headers } = eventHeaders({ ...input.headers, ...event.headers }, newEventId);
    const key = event.key === undefined ? (input.key ?? null) : event.key;
    encoded.push({ line: event.line, eventId, record: { topic: input.topic, key, value, headers } });
  }

  const total = encoded.length + problems.length;
  if (problems.length > 0) {
    problems.sort((a, b) => a.line - b.line);
    process.stderr.write(
      problemLines(problems, input.source)
        .map((l) => `${l}\n`)
        .join(''),
    );
    if (!input.skipInvalid || encoded.length === 0) throw new UsageError(refusalMessage(problems.length, total, input.source));
  }
  if (encoded.length === 0) throw new UsageError(`${input.source} holds no events (one JSON value, or {"value": ..., "key": ..., "headers": {...}}, per line)`);

  const published = await produceAll(input, encoded);
  process.stdout.write(`${summaryLine({ topic: input.topic, published, skipped: problems.length, elapsedMs: Date.now() - started })}\n`);
}

async function produceAll(input: PublishManyInput, events: readonly EncodedEvent[]): Promise<number> {
  const kafka = kafkaClient(input.brokers, 'mesh-publish');
  const createProducer = () =>
    kafka.producer({
      idempotent: true, // a retried send cannot write an event twice
      maxInFlightRequests: 1,
      retry: { retries: 2 }, // bounded, unlike kafkajs's idempotent default of "forever"
      createPartitioner: Partitioners.DefaultPartitioner, // murmur2, the partition Java clients pick for a key
    });
  const producer = new BatchProducer(createProducer, createLogger({ name: 'mesh-publish', level: process.env.LOG_LEVEL ?? 'silent', destination: process.stderr }));
  const where = `${input.topic} on ${input.brokers.join(',')}`;
  const progress = startProgress(events.length);
  let published = 0;
  try {
    await within(input.timeoutMs, producer.connect(), () => new PublishError(`could not connect to Kafka at ${input.brokers.join(',')} within ${input.timeoutMs} ms`)).catch((error: unknown) => {
      throw error instanceof PublishError ? error : new PublishError(`could not publish to ${where}: ${kafkaErrorMessage(error)}`, { cause: error });
    });
    for (const chunk of sendChunks(events, (e) => recordBytes(e.record), CHUNK_BYTES, CHUNK_RECORDS)) {
      // Each event starts its own trace (exported when OTEL_EXPORTER_OTLP_ENDPOINT is set), as a single publish does.
      const spans = chunk.map(
        (e) =>
          startRootSendSpan(input.tracer, { agent: 'mesh-publish', topic: input.topic, eventId: e.eventId, key: e.record.key as string | null, headers: e.record.headers as Record<string, string> })
            .span,
      );
      try {
        await within(
          input.timeoutMs,
          producer.send(chunk.map((e) => e.record)),
          () => new PublishError(`Kafka at ${input.brokers.join(',')} did not acknowledge events within ${input.timeoutMs} ms (${published} of ${events.length} acknowledged; ${unknownFrom(chunk)})`),
        );
      } catch (error) {
        spans.forEach((span) => endSpan(span, { error }));
        if (error instanceof PublishError) throw error;
        throw new PublishError(`could not publish to ${where}: ${kafkaErrorMessage(error)} (${published} of ${events.length} acknowledged; ${unknownFrom(chunk)})`, { cause: error });
      }
      spans.forEach((span) => endSpan(span));
      published += chunk.length;
      progress.update(published);
    }
    return published;
  } finally {
    progress.stop();
    await producer.disconnect().catch(() => undefined);
  }
}

/** Where an interrupted run stands: the chunk's events may or may not have gone, the later ones did not. */
function unknownFrom(chunk: readonly EncodedEvent[]): string {
  return `line ${chunk[0]!.line} on not known to be published`;
}
