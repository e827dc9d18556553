import { readFileSync } from 'node:fs';
import { Header, JsonCodec, newEventId, RegistryCodec, SchemaNotFoundError, SchemaRegistryUnavailableError, setupTracing, type EventCodec } from '@agentmesh/runtime';
import { endSpan, startRootSendSpan, traceIdFromTraceparent } from '@agentmesh/runtime/internal';
import { Argument, InvalidArgumentError, Option, type Command } from 'commander';
import { Partitioners } from 'kafkajs';
import { endpoint } from '../defaults';
import { kafkaClient, kafkaErrorMessage } from '../kafka';
import { parseBrokerList, parseHttpUrl, parsePositiveInt, UsageError } from '../options';

interface PublishFlags {
  value?: string;
  file?: string;
  key?: string;
  header: Record<string, string>;
  brokers?: string[];
  registry?: string;
  json: boolean;
  timeout: number;
}

/** Kafka could not take the record (unreachable, refused, too slow). */
export class PublishError extends Error {
  override readonly name = 'PublishError';
}

/** Kafka's rule for topic names. */
export function parseTopicName(value: string): string {
  if (!/^[a-zA-Z0-9._-]{1,249}$/.test(value) || value === '.' || value === '..') {
    throw new InvalidArgumentError(`'${value}' is not a Kafka topic name (letters, digits, '.', '_', '-'; at most 249)`);
  }
  return value;
}

/** Commander collector for repeatable `--header name=value`; a later header of the same name wins. */
export function collectHeader(value: string, previous: Record<string, string>): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq < 1) throw new InvalidArgumentError(`'${value}' is not a header; write it as name=value`);
  return { ...previous, [value.slice(0, eq).trim()]: value.slice(eq + 1) };
}

function readValue(flags: PublishFlags): unknown {
  let text: string;
  let source: string;
  if (flags.value !== undefined) {
    text = flags.value;
    source = '--value';
  } else if (flags.file !== undefined) {
    source = `--file ${flags.file}`;
    try {
      text = readFileSync(flags.file, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read ${source}: ${(error as Error).message}`);
    }
  } else {
    throw new UsageError('give the event value with --value JSON or --file PATH');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(`${source} is not valid JSON: ${(error as Error).message}`);
  }
}

async function encode(codec: EventCodec, topic: string, value: unknown): Promise<Buffer> {
  try {
    return await codec.encode(topic, value);
  } catch (error) {
    if (error instanceof SchemaNotFoundError) {
      throw new UsageError(`${error.message}; register its contract (mesh dev registers schemas/), or publish schemaless JSON with --json`);
    }
    if (error instanceof SchemaRegistryUnavailableError) {
      throw new UsageError(`${error.message}; is it running? (set it with --registry or SCHEMA_REGISTRY_URL, or use --json for schemaless JSON)`);
    }
    throw error; // EncodeError: its message names the field; bin/mesh prints it as one line
  }
}

/** Rejects with `onTimeout()` if `work` has not settled within `ms`. */
async function within<T>(ms: number, work: Promise<T>, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

interface Published {
  partition: number;
  offset: string;
}

async function produce(brokers: string[], topic: string, key: string | null, value: Buffer, headers: Record<string, string>): Promise<Published> {
  const producer = kafkaClient(brokers, 'mesh-publish').producer({
    idempotent: true, // a retried send cannot write the event twice
    maxInFlightRequests: 1,
    retry: { retries: 2 }, // bounded, unlike kafkajs's idempotent default of "forever"
    createPartitioner: Partitioners.DefaultPartitioner, // murmur2, the partition Java clients pick for a key
  });
  try {
    await producer.connect();
    const [metadata] = await producer.send({ topic, acks: -1, messages: [{ key, value, headers }] });
    if (metadata === undefined || metadata.baseOffset === undefined) throw new PublishError(`Kafka acknowledged the send to ${topic} without an offset`);
    return { partition: metadata.partition, offset: metadata.baseOffset };
  } catch (error) {
    if (error instanceof PublishError) throw error;
    throw new PublishError(`could not publish to ${topic} on ${brokers.join(',')}: ${kafkaErrorMessage(error)}`, { cause: error });
  } finally {
    await producer.disconnect().catch(() => undefined);
  }
}

export function registerPublishCommand(program: Command): void {
  program
    .command('publish')
    .description("publish one event to a topic, encoded with the topic's schema from the registry")
    .addArgument(new Argument('<topic>', 'topic to publish to').argParser(parseTopicName))
    .addOption(new Option('--value <json>', 'the event value, as JSON').conflicts('file'))
    .option('--file <path>', 'read the event value (JSON) from a file')
    .option('--key <key>', 'record key: the entity id, so events of one entity stay in order')
    .option('--header <name=value>', `add a header (repeatable); ${Header.eventId} and ${Header.correlationId} replace the generated ones`, collectHeader, {})
    .option('--brokers <list>', 'Kafka brokers (default: $KAFKA_BROKERS or 127.0.0.1:9092)', parseBrokerList)
    .addOption(new Option('--registry <url>', 'schema registry (default: $SCHEMA_REGISTRY_URL or http://127.0.0.1:8081)').argParser(parseHttpUrl).conflicts('json'))
    .option('--json', 'publish the value as plain UTF-8 JSON with no schema (for topics without a contract)', false)
    .option('--timeout <ms>', 'give up if Kafka has not acknowledged within this many ms', parsePositiveInt, 15_000)
    .action(async (topic: string, flags: PublishFlags) => {
      const value = readValue(flags);
      const codec: EventCodec = flags.json ? new JsonCodec() : new RegistryCodec({ url: flags.registry ?? endpoint('SCHEMA_REGISTRY_URL'), retries: 1, requestTimeoutMs: 5_000 });
      const bytes = await encode(codec, topic, value);

      const eventId = flags.header[Header.eventId] ?? newEventId();
      const headers: Record<string, string> = {
        ...flags.header,
        [Header.eventId]: eventId,
        [Header.correlationId]: flags.header[Header.correlationId] ?? eventId,
      };
      const brokers = flags.brokers ?? parseBrokerList(endpoint('KAFKA_BROKERS'));
      // The event starts a trace (exported when OTEL_EXPORTER_OTLP_ENDPOINT is set): every agent hop continues it.
      const tracing = setupTracing({ serviceName: 'mesh-publish' });
      const send = startRootSendSpan(tracing.tracer, { agent: 'mesh-publish', topic, eventId, key: flags.key ?? null, headers });
      try {
        const published = await within(
          flags.timeout,
          produce(brokers, topic, flags.key ?? null, bytes, headers),
          () => new PublishError(`Kafka at ${brokers.join(',')} did not acknowledge the event within ${flags.timeout} ms`),
        );
        endSpan(send.span);
        const traceId = traceIdFromTraceparent(headers[Header.traceparent]);
        process.stdout.write(`published ${eventId} to ${topic} partition ${published.partition} offset ${published.offset}${traceId ? ` trace ${traceId}` : ''}\n`);
      } catch (err) {
        endSpan(send.span, { error: err });
        throw err;
      } finally {
        await tracing.shutdown();
      }
    });
}
