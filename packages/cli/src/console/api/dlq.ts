import { RegistryCodec } from '@agentmesh/runtime';
import { dlqKafka, withAdmin } from '../../commands/dlq/common';
import { newestFirst, readDeadLetter, type DeadLetter } from '../../commands/dlq/dead-letter';
import { displayValue } from '../../commands/dlq/display-value';
import { matchesFilter, parseSince, parseWhere, type DeadLetterFilter } from '../../commands/dlq/filters';
import { readRanges, throwawayGroupId } from '../../commands/dlq/read-ranges';
import { deadLetterJson, type DeadLetterJson } from '../../commands/dlq/render';
import { replayDeadLetters, type Counts } from '../../commands/dlq/replay';
import { newestRanges } from '../../commands/dlq/show';
import { listDlqTopics, requireDlqTopic, watermarks, withKafka } from '../../commands/dlq/topics';
import type { ConsoleContext } from '../context';
import { HttpError } from '../http';
import { registryCredentials } from '../../connection/settings';

export interface DlqSummaryRow {
  agent: string;
  topic: string;
  /** Records in the topic (replayed ones stay: Kafka is append-only). */
  records: number;
}

/** GET /api/dlq: every agent's dead-letter topic and how many records it holds. */
export async function listDlq(ctx: ConsoleContext): Promise<{ agents: DlqSummaryRow[] }> {
  const kafka = dlqKafka(ctx.brokers, 'console');
  const agents = await withAdmin(kafka, ctx.brokers, async (admin) => {
    const rows: DlqSummaryRow[] = [];
    for (const [agent, topic] of await listDlqTopics(admin)) {
      const marks = await watermarks(admin, topic);
      rows.push({ agent, topic, records: marks.reduce((n, w) => n + Number(w.high - w.low), 0) });
    }
    return rows;
  });
  return { agents };
}

const DEFAULT_LETTERS = 50;
const MAX_LETTERS = 500;

/** The filter of a DLQ page or replay: `where` clauses as `mesh dlq replay --where` takes them, and `since`. */
export function filterOf(where: readonly string[], since: string | undefined, now: number): DeadLetterFilter {
  return { where: where.filter((w) => w.trim() !== '').map(parseWhere), ...(since !== undefined && since.trim() !== '' ? { sinceMs: parseSince(since, now) } : {}) };
}

/** A page size from the query: a whole number from 1 to MAX_LETTERS. */
export function lettersLimit(text: string | null): number {
  if (text === null || text === '') return DEFAULT_LETTERS;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > MAX_LETTERS) throw new HttpError(400, `limit must be a whole number from 1 to ${MAX_LETTERS}, not '${text}'`);
  return n;
}

/** GET /api/dlq/:agent?where=field=value&since=2h&limit=50: the newest dead letters, with their failure history and decoded value. */
export async function listLetters(ctx: ConsoleContext, agent: string, query: URLSearchParams): Promise<{ agent: string; letters: DeadLetterJson[] }> {
  const limit = lettersLimit(query.get('limit'));
  const filter = filterOf(query.getAll('where'), query.get('since') ?? undefined, Date.now());
  const kafka = dlqKafka(ctx.brokers, 'console');
  const ranges = await withAdmin(kafka, ctx.brokers, async (admin) => newestRanges(await watermarks(admin, await requireDlqTopic(admin, agent)), `${agent}.dlq`, limit));
  const letters: DeadLetter[] = [];
  await withKafka(ctx.brokers, `read ${agent}'s DLQ`, () =>
    readRanges(kafka, {
      groupId: throwawayGroupId('console'),
      ranges,
      onRecords: async (records) => {
        for (const record of records) {
          const letter = readDeadLetter(record);
          if (matchesFilter(letter, filter)) letters.push(letter);
        }
      },
    }),
  );
  const newest = letters.sort(newestFirst).slice(0, limit);
  const registry = new RegistryCodec({ ...registryCredentials(), url: ctx.registryUrl, retries: 0, requestTimeoutMs: 3_000 });
  const shown: DeadLetterJson[] = [];
  for (const letter of newest) shown.push(deadLetterJson(letter, await displayValue(letter.record.value, letter.origin.topic || letter.record.topic, registry)));
  return { agent, letters: shown };
}

export interface ReplayAnswer {
  dryRun: boolean;
  summary: string;
  /** A dry run's `would replay ...` lines. */
  lines: string[];
  warnings: string[];
  counts: Counts;
}

function stringList(value: unknown, name: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string')) throw new HttpError(400, `${name} must be a list of strings`);
  return value;
}

/** POST /api/dlq/:agent/replay {dryRun, where?, since?, limit?}: the same replay as `mesh dlq replay`, store check included. */
export async function replay(ctx: ConsoleContext, agent: string, body: Record<string, unknown>): Promise<ReplayAnswer> {
  if (typeof body.dryRun !== 'boolean') throw new HttpError(400, 'say dryRun: true or false');
  if (body.since !== undefined && typeof body.since !== 'string') throw new HttpError(400, 'since must be a string (2h, 2025-06-01T12:00:00Z)');
  if (body.limit !== undefined && !(typeof body.limit === 'number' && Number.isInteger(body.limit) && body.limit >= 1)) throw new HttpError(400, 'limit must be a whole number >= 1');
  const filter = filterOf(stringList(body.where, 'where'), body.since, Date.now());
  const lines: string[] = [];
  const warnings: string[] = [];
  const result = await replayDeadLetters(
    {
      agent,
      brokers: ctx.brokers,
      filter,
      dryRun: body.dryRun,
      limit: body.limit,
      fromStart: false,
      redisUrl: ctx.redisUrl,
      registryUrl: ctx.registryUrl,
      storeCheck: true,
    },
    { print: (line) => lines.push(line), warn: (line) => warnings.push(line) },
  );
  return { dryRun: body.dryRun, summary: result.summary, lines: lines.filter((l) => l !== result.summary), warnings, counts: result.counts };
}
