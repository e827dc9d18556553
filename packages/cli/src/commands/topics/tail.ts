import { once } from 'node:events';
import { RegistryCodec, SchemaRegistryUnavailableError, type EventCodec } from '@agentmesh/runtime';
import { Argument, InvalidArgumentError, Option, type Command } from 'commander';
import type { Admin } from 'kafkajs';
import { endpoint } from '../../defaults';
import { parseBrokerList, parseHttpUrl, parsePositiveInt, stopOnSignals } from '../../options';
import { BROKERS_HELP, brokersOf, isoOrDash, withAdmin, type KafkaFlags } from '../dlq/common';
import type { DlqRecord } from '../dlq/dead-letter';
import { displayValue, toJson, type DisplayedValue } from '../dlq/display-value';
import { renderValue } from '../dlq/render';
import { readRanges, throwawayGroupId } from '../dlq/read-ranges';
import { watermarks, withKafka, type PartitionRange } from '../dlq/topics';
import { requireTopic, topicsKafka } from './common';
import { registryCredentials } from '../../connection/settings';

/** Where `mesh tail` starts reading each partition. */
export type TailFrom = { kind: 'beginning' } | { kind: 'end' } | { kind: 'offset'; offset: bigint } | { kind: 'time'; ms: number };

/** Commander parser for `--from`: beginning, end, an offset, or a time (@<epoch ms>, @<ISO>, or a bare ISO time). */
export function parseFrom(value: string): TailFrom {
  const v = value.trim();
  if (v === 'beginning' || v === 'start' || v === 'oldest') return { kind: 'beginning' };
  if (v === 'end' || v === 'newest') return { kind: 'end' };
  if (/^\d+$/.test(v)) return { kind: 'offset', offset: BigInt(v) };
  const time = v.startsWith('@') ? v.slice(1) : v;
  const ms = /^\d+$/.test(time) ? Number(time) : /^\d{4}-\d{2}-\d{2}/.test(time) ? Date.parse(time) : NaN;
  if (Number.isSafeInteger(ms) && ms >= 0) return { kind: 'time', ms };
  throw new InvalidArgumentError(`'${value}' is not beginning, end, an offset, or a time (@<epoch ms> or an ISO time such as 2025-06-01T12:00:00Z)`);
}

interface TailFlags extends KafkaFlags {
  from?: TailFrom;
  max?: number;
  follow: boolean;
  json: boolean;
  registry?: string;
  schemaless: boolean;
}

/** Far past any real offset: a --follow read never reaches it. */
const NO_END = 2n ** 63n - 1n;
/** setTimeout's longest delay: a --follow read may wait for records as long as it likes. */
const FOREVER_MS = 2_147_483_647;

const clamp = (n: bigint, low: bigint, high: bigint) => (n < low ? low : n > high ? high : n);

/** The ranges to read: from `from` to the current end (or for ever with follow), at most `max` records per partition. */
async function tailRanges(admin: Admin, topic: string, from: TailFrom, follow: boolean, max: number | undefined): Promise<PartitionRange[]> {
  const marks = await watermarks(admin, topic);
  const byTime = from.kind === 'time' ? new Map((await admin.fetchTopicOffsetsByTimestamp(topic, from.ms)).map((o) => [o.partition, BigInt(o.offset)] as const)) : undefined;
  return marks.map((w) => {
    let start: bigint;
    if (from.kind === 'beginning') start = w.low;
    else if (from.kind === 'end') start = w.high;
    else if (from.kind === 'offset') start = clamp(from.offset, w.low, w.high);
    else {
      const found = byTime?.get(w.partition) ?? -1n;
      start = found < 0n ? w.high : clamp(found, w.low, w.high);
    }
    let end = follow ? NO_END : w.high;
    if (max !== undefined && start + BigInt(max) < end) end = start + BigInt(max);
    return { topic, partition: w.partition, start, end };
  });
}

/** Stops asking a registry that proved unreachable: the remaining Avro values are shown raw, with a note. */
function guardedRegistry(registry: EventCodec): EventCodec {
  let down: string | undefined;
  return {
    encode: (topic, value) => registry.encode(topic, value),
    decode: async (topic, bytes) => {
      if (down !== undefined) throw new Error(down);
      try {
        return await registry.decode(topic, bytes);
      } catch (error) {
        if (error instanceof SchemaRegistryUnavailableError) down = `${error.message}; not asked again`;
        throw error;
      }
    },
  };
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
// eslint-disable-next-line no-control-regex -- control characters mark a binary key
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000e-\u001f\u007f]/;

/** A key as text, or `hex:<bytes>` when it is not UTF-8 text (keys are ids: not parsed as JSON, which costs a throw per key). */
export function keyText(key: Buffer | null): string | null {
  if (key === null) return null;
  let text: string;
  try {
    text = strictUtf8.decode(key);
  } catch {
    return `hex:${key.toString('hex')}`;
  }
  return CONTROL_CHARACTERS.test(text) ? `hex:${key.toString('hex')}` : text;
}

/** Writes to stdout, waiting for it to drain when the reader (a pipe, `| head`) is slower than the topic. */
async function print(text: string): Promise<void> {
  if (!process.stdout.write(text)) await once(process.stdout, 'drain');
}

export interface TailRecordJson {
  topic: string;
  partition: number;
  offset: string;
  timestamp: string;
  key: string | null;
  headers: Record<string, string>;
  value: DisplayedValue;
}

export function tailRecordJson(record: DlqRecord, value: DisplayedValue): TailRecordJson {
  return { topic: record.topic, partition: record.partition, offset: record.offset, timestamp: isoOrDash(Number(record.timestamp)), key: keyText(record.key), headers: record.headers, value };
}

export function renderTailRecord(r: TailRecordJson): string {
  const headers = Object.entries(r.headers);
  const lines = [
    `── ${r.topic} partition ${r.partition} offset ${r.offset} at ${r.timestamp}`,
    `key:     ${r.key ?? '(none)'}`,
    `headers: ${headers.length === 0 ? '(none)' : headers.map(([k, v]) => `${k}=${v}`).join(', ')}`,
    ...renderValue(r.value),
  ];
  return `${lines.join('\n')}\n`;
}

/** `mesh tail <topic>` (alias `consume`): read a topic's records, decoded. */
export function registerTailCommand(program: Command): void {
  program
    .command('tail')
    .alias('consume')
    .summary("print a topic's records: keys, headers and decoded values")
    .description(
      "print a topic's records (partition, offset, time, key, headers, decoded value) without joining a consumer group that lasts:\nnothing is committed. Without --follow it stops at the end the topic had when it started.",
    )
    .addArgument(new Argument('<topic>', 'the topic to read'))
    .option('--from <where>', 'where to start in each partition: beginning, end, an offset, or a time (@<epoch ms>, or an ISO time); default beginning, or end with --follow', parseFrom)
    .option('--max <n>', 'stop after n records', parsePositiveInt)
    .option('-f, --follow', 'keep reading new records until interrupted (Ctrl-C)', false)
    .option('--json', 'print one JSON object per record, for scripts', false)
    .option('--brokers <list>', BROKERS_HELP, parseBrokerList)
    .addOption(new Option('--registry <url>', 'schema registry to decode Avro values (default: $SCHEMA_REGISTRY_URL or http://127.0.0.1:8081)').argParser(parseHttpUrl).conflicts('schemaless'))
    .option('--schemaless', 'do not ask the registry: values are shown as JSON, text or hex', false)
    .action(async (topic: string, flags: TailFlags) => {
      const brokers = brokersOf(flags);
      const kafka = topicsKafka(brokers, 'tail');
      const from = flags.from ?? (flags.follow ? { kind: 'end' } : { kind: 'beginning' });
      const ranges = await withAdmin(kafka, brokers, async (admin) => {
        await requireTopic(admin, topic);
        return tailRanges(admin, topic, from, flags.follow, flags.max);
      });
      const registry = flags.schemaless
        ? undefined
        : guardedRegistry(new RegistryCodec({ ...registryCredentials(), url: flags.registry ?? endpoint('SCHEMA_REGISTRY_URL'), retries: 0, requestTimeoutMs: 3_000 }));
      if (flags.follow) stopOnSignals(() => Promise.resolve());
      let printed = 0;
      await withKafka(brokers, `read ${topic}`, () =>
        readRanges(kafka, {
          groupId: throwawayGroupId('tail'),
          ranges,
          ...(flags.follow ? { stallTimeoutMs: FOREVER_MS } : {}),
          onRecords: async (records) => {
            // One write per batch: a write per record costs a system call each.
            let out = '';
            for (const record of records) {
              if (flags.max !== undefined && printed >= flags.max) break;
              const shown = tailRecordJson(record, await displayValue(record.value, record.topic, registry));
              out += flags.json ? `${toJson(shown)}\n` : renderTailRecord(shown);
              printed += 1;
            }
            if (out !== '') await print(out);
            return flags.max !== undefined && printed >= flags.max ? 'stop' : undefined;
          },
        }),
      );
    });
}
