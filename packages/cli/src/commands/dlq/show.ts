import { RegistryCodec, SchemaRegistryUnavailableError, type EventCodec } from '@agentmesh/runtime';
import { Argument, InvalidArgumentError, Option, type Command } from 'commander';
import { endpoint } from '../../defaults';
import { parseBrokerList, parsePositiveInt } from '../../options';
import { BROKERS_HELP, brokersOf, dlqKafka, withAdmin, type KafkaFlags } from './common';
import { newestFirst, readDeadLetter, type DeadLetter } from './dead-letter';
import { displayValue, toJson, type DisplayedValue } from './display-value';
import { readRanges, throwawayGroupId } from './read-ranges';
import { deadLetterJson, renderDeadLetter } from './render';
import { requireDlqTopic, watermarks, withKafka, type PartitionRange } from './topics';
import { registryCredentials } from '../../connection/settings';

interface ShowFlags extends KafkaFlags {
  limit: number;
  json: boolean;
  registry?: string;
  schemaless: boolean;
}

function parseRegistryUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return value.replace(/\/+$/, '');
  } catch {
    // falls through to the error below
  }
  throw new InvalidArgumentError(`'${value}' is not an http(s) URL`);
}

/**
 * Decodes values for display, and stops asking a registry that proved
 * unreachable: one timeout is enough, the rest are shown raw with a note.
 */
class DisplayDecoder {
  private registryDown: string | undefined;
  private readonly guarded: EventCodec | undefined;

  constructor(registry: EventCodec | undefined) {
    this.guarded = registry && {
      encode: (topic, value) => registry.encode(topic, value),
      decode: async (topic, bytes) => {
        if (this.registryDown !== undefined) throw new Error(this.registryDown);
        try {
          return await registry.decode(topic, bytes);
        } catch (error) {
          if (error instanceof SchemaRegistryUnavailableError) this.registryDown = `${error.message}; not asked again`;
          throw error;
        }
      },
    };
  }

  decode(letter: DeadLetter): Promise<DisplayedValue> {
    // Values are read as the event's original topic: the DLQ keeps the original bytes.
    return displayValue(letter.record.value, letter.origin.topic || letter.record.topic, this.guarded);
  }
}

/** The newest `limit` of each partition: together they hold the newest `limit` of the topic. */
export function newestRanges(marks: ReadonlyArray<{ partition: number; low: bigint; high: bigint }>, topic: string, limit: number): PartitionRange[] {
  return marks.map((w) => {
    const from = w.high - BigInt(limit);
    return { topic, partition: w.partition, start: from > w.low ? from : w.low, end: w.high };
  });
}

export function registerDlqShowCommand(dlq: Command): void {
  dlq
    .command('show')
    .summary('the newest dead letters of an agent, with their failure story')
    .description('the newest dead letters of an agent: the failure story (origin, error, every attempt) and the decoded value')
    .addArgument(new Argument('<agent>', 'the agent whose DLQ (<agent>.dlq) to show'))
    .option('--limit <n>', 'how many of the newest dead letters', parsePositiveInt, 10)
    .option('--json', 'print one JSON object per dead letter (newest first), with the error stack and all headers', false)
    .option('--brokers <list>', BROKERS_HELP, parseBrokerList)
    .addOption(new Option('--registry <url>', 'schema registry to decode Avro values (default: $SCHEMA_REGISTRY_URL or http://127.0.0.1:8081)').argParser(parseRegistryUrl).conflicts('schemaless'))
    .option('--schemaless', 'values are schemaless JSON: do not ask the registry (values that are not JSON are shown as text or hex)', false)
    .action(async (agent: string, flags: ShowFlags) => {
      const brokers = brokersOf(flags);
      const kafka = dlqKafka(brokers, 'show');
      const ranges = await withAdmin(kafka, brokers, async (admin) => {
        const topic = await requireDlqTopic(admin, agent);
        return newestRanges(await watermarks(admin, topic), topic, flags.limit);
      });
      const letters: DeadLetter[] = [];
      await withKafka(brokers, `read ${agent}'s DLQ`, () =>
        readRanges(kafka, {
          groupId: throwawayGroupId('show'),
          ranges,
          onRecords: async (records) => {
            for (const record of records) letters.push(readDeadLetter(record));
          },
        }),
      );
      const newest = letters.sort(newestFirst).slice(0, flags.limit);
      if (newest.length === 0) {
        if (!flags.json) process.stdout.write(`no dead letters in ${agent}'s DLQ\n`);
        return;
      }
      const registry = flags.schemaless ? undefined : new RegistryCodec({ ...registryCredentials(), url: flags.registry ?? endpoint('SCHEMA_REGISTRY_URL'), retries: 0, requestTimeoutMs: 3_000 });
      const decoder = new DisplayDecoder(registry);
      for (const [i, letter] of newest.entries()) {
        const value = await decoder.decode(letter);
        if (flags.json) process.stdout.write(`${toJson(deadLetterJson(letter, value))}\n`);
        else process.stdout.write(`${i > 0 ? '\n' : ''}${renderDeadLetter(letter, value)}`);
      }
    });
}
