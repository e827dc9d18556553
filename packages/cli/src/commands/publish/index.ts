import { readFile } from 'node:fs/promises';
import { Header, JsonCodec, newEventId, RegistryCodec, SchemaNotFoundError, SchemaRegistryUnavailableError, setupTracing, type EventCodec, type Tracing } from '@agentmesh/runtime';
import { endSpan, startRootSendSpan, traceIdFromTraceparent } from '@agentmesh/runtime/internal';
import { Argument, InvalidArgumentError, Option, type Command } from 'commander';
import { endpoint } from '../../defaults';
import { parseBrokerList, parseHttpUrl, parsePositiveInt, UsageError } from '../../options';
import { eventHeaders } from './event-headers';
import { parseEventInput, type EventLine, type ParsedInput } from './event-lines';
import { publishMany } from './publish-many';
import { produceOne, PublishError, within } from './publish-one';
import { registryCredentials } from '../../connection/settings';

export { PublishError } from './publish-one';

interface PublishFlags {
  value?: string;
  file?: string;
  key?: string;
  header: Record<string, string>;
  brokers?: string[];
  registry?: string;
  json: boolean;
  timeout: number;
  skipInvalid: boolean;
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

/** The events of --value or --file (`-`: standard input). */
async function readEvents(flags: PublishFlags): Promise<ParsedInput & { source: string }> {
  if (flags.value !== undefined) {
    try {
      return { source: '--value', events: [{ line: 1, value: JSON.parse(flags.value) as unknown, headers: {} }], problems: [] };
    } catch (error) {
      throw new UsageError(`--value is not valid JSON: ${(error as Error).message}`);
    }
  }
  if (flags.file === undefined) throw new UsageError('give the event value with --value JSON, or events with --file PATH (JSON Lines; - reads standard input)');
  const source = flags.file === '-' ? 'stdin' : flags.file;
  let text: string;
  try {
    text = flags.file === '-' ? await readStdin() : await readFile(flags.file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read --file ${flags.file}: ${(error as Error).message}`);
  }
  return { source, ...parseEventInput(text) };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Encodes with the topic's contract; a registry problem is one line that says what to do. */
function encoderFor(codec: EventCodec, topic: string): (value: unknown) => Promise<Buffer> {
  return async (value) => {
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
  };
}

/** One event, as before files of many: the line names its id, partition, offset and trace. */
async function publishOne(topic: string, event: EventLine, flags: PublishFlags, encode: (value: unknown) => Promise<Buffer>, brokers: string[], tracer: Tracing['tracer']): Promise<void> {
  const bytes = await encode(event.value);
  const { eventId, headers } = eventHeaders({ ...flags.header, ...event.headers }, newEventId);
  const key = event.key === undefined ? (flags.key ?? null) : event.key;
  const send = startRootSendSpan(tracer, { agent: 'mesh-publish', topic, eventId, key, headers });
  try {
    const published = await within(
      flags.timeout,
      produceOne(brokers, topic, key, bytes, headers),
      () => new PublishError(`Kafka at ${brokers.join(',')} did not acknowledge the event within ${flags.timeout} ms`),
    );
    endSpan(send.span);
    const traceId = traceIdFromTraceparent(headers[Header.traceparent]);
    process.stdout.write(`published ${eventId} to ${topic} partition ${published.partition} offset ${published.offset}${traceId ? ` trace ${traceId}` : ''}\n`);
  } catch (err) {
    endSpan(send.span, { error: err });
    throw err;
  }
}

export function registerPublishCommand(program: Command): void {
  program
    .command('publish')
    .description("publish events to a topic, encoded with the topic's schema from the registry: one with --value, many with --file")
    .addArgument(new Argument('<topic>', 'topic to publish to').argParser(parseTopicName))
    .addOption(new Option('--value <json>', 'the event value, as JSON').conflicts('file'))
    .option('--file <path>', 'events as JSON Lines, one per line: a value, or {"value": ..., "key": "...", "headers": {...}}; - reads standard input')
    .option('--skip-invalid', 'with --file: publish the valid events and report the invalid lines, instead of publishing nothing', false)
    .option('--key <key>', 'record key: the entity id, so events of one entity stay in order (a line\'s own "key" wins)')
    .option('--header <name=value>', `add a header (repeatable); ${Header.eventId} and ${Header.correlationId} replace the generated ones`, collectHeader, {})
    .option('--brokers <list>', 'Kafka brokers (default: $KAFKA_BROKERS or 127.0.0.1:9092)', parseBrokerList)
    .addOption(new Option('--registry <url>', 'schema registry (default: $SCHEMA_REGISTRY_URL or http://127.0.0.1:8081)').argParser(parseHttpUrl).conflicts('json'))
    .option('--json', 'publish values as plain UTF-8 JSON with no schema (for topics without a contract)', false)
    .option('--timeout <ms>', 'give up if Kafka has not acknowledged (an event, or a chunk of events) within this many ms', parsePositiveInt, 15_000)
    .addHelpText(
      'after',
      [
        '',
        'With --file, every line is checked and encoded before anything is sent: an invalid line is reported with its line number',
        'and, unless --skip-invalid, nothing is published. Then the events go out in chunks through one idempotent producer, with',
        'a progress bar on stderr (a line every few seconds when stderr is not a terminal) and one summary line on stdout. A file',
        'holding one JSON value (even over several lines) is one event, printed as --value prints it.',
      ].join('\n'),
    )
    .action(async (topic: string, flags: PublishFlags) => {
      const input = await readEvents(flags);
      const codec: EventCodec = flags.json
        ? new JsonCodec()
        : new RegistryCodec({ ...registryCredentials(), url: flags.registry ?? endpoint('SCHEMA_REGISTRY_URL'), retries: 1, requestTimeoutMs: 5_000 });
      const encode = encoderFor(codec, topic);
      const brokers = flags.brokers ?? parseBrokerList(endpoint('KAFKA_BROKERS'));
      // Each event starts a trace (exported when OTEL_EXPORTER_OTLP_ENDPOINT is set): every agent hop continues it.
      const tracing = setupTracing({ serviceName: 'mesh-publish' });
      try {
        const [only] = input.events;
        if (only !== undefined && input.events.length === 1 && input.problems.length === 0) await publishOne(topic, only, flags, encode, brokers, tracing.tracer);
        else {
          await publishMany({
            topic,
            source: input.source,
            events: input.events,
            problems: input.problems,
            encode,
            brokers,
            key: flags.key,
            headers: flags.header,
            timeoutMs: flags.timeout,
            skipInvalid: flags.skipInvalid,
            tracer: tracing.tracer,
          });
        }
      } finally {
        await tracing.shutdown();
      }
    });
}
