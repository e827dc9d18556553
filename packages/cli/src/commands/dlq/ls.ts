import { retryTopic, StoreError } from '@agentmesh/runtime';
import { HEARTBEAT_TOPIC, redactRedisUrl } from '@agentmesh/runtime/internal';
import { Argument, type Command } from 'commander';
import { parseBrokerList, parseHttpUrl } from '../../options';
import {
  AgentStoreUnreachableError,
  checkAgentStores,
  openAgentStore,
  REDIS_HELP,
  redisUrlOf,
  REGISTRY_HELP,
  registryUrlOf,
  type AgentStore,
  type HeldState,
  type ReplayNote,
  type StoreFlags,
} from './agent-store';
import { BROKERS_HELP, brokersOf, dlqKafka, withAdmin, type KafkaFlags } from './common';
import { readDeadLetter } from './dead-letter';
import { HeartbeatCollector, HeartbeatDecoder, heartbeatRanges, type HeartbeatsRead } from './heartbeats';
import { readRanges, throwawayGroupId } from './read-ranges';
import { countStates, deadLetterStates, letterKey, type LetterFacts } from './states';
import { NO_STORE_CHECK_FLAG } from './store-check';
import { countDeadLetter, emptySummary, renderSummaryTable, type AgentDlqSummary } from './summary';
import { listDlqTopics, requireDlqTopic, watermarks, withKafka, type PartitionRange } from './topics';

interface LsFlags extends KafkaFlags, StoreFlags {
  json: boolean;
}

/** Keys asked of Redis in one round trip. */
const LOOKUP_CHUNK = 1_000;

/**
 * `mesh dlq ls [agent]`: reads each DLQ from its low to its high watermark
 * (as of the start) with a throwaway group that commits nothing, and counts;
 * then tells open dead letters from replayed and resolved ones by the agent's
 * idempotency store, once the agent's heartbeats show it is the configured one.
 */
export function registerDlqLsCommand(dlq: Command): void {
  dlq
    .command('ls')
    .description('count dead letters per agent: by state (open, replayed, resolved) and by error kind')
    .addArgument(new Argument('[agent]', "only this agent's DLQ (<agent>.dlq)"))
    .option('--brokers <list>', BROKERS_HELP, parseBrokerList)
    .option('--redis <url>', `${REDIS_HELP}: where replays and their outcomes are found`)
    .option('--registry <url>', REGISTRY_HELP, parseHttpUrl)
    .option(NO_STORE_CHECK_FLAG, 'read states from --redis without checking it is the store the agents announce (wrong states if it is not)')
    .option('--json', 'print one JSON object per agent instead of a table', false)
    .addHelpText(
      'after',
      "\nStates: open = waits for an operator; replayed = sent back by `mesh dlq replay` (in flight, or failed again: its newer dead letter is open);\nresolved = its event was processed after a replay. `?` when the agent's store cannot be read or checked (a note on stderr says why).",
    )
    .action(async (agent: string | undefined, flags: LsFlags) => {
      const brokers = brokersOf(flags);
      const kafka = dlqKafka(brokers, 'ls');
      const { topics, ranges, replayable, heartbeatTail } = await withAdmin(kafka, brokers, async (admin) => {
        const found = agent === undefined ? await listDlqTopics(admin) : new Map([[agent, await requireDlqTopic(admin, agent)]]);
        const all: PartitionRange[] = [];
        for (const topic of found.values()) for (const w of await watermarks(admin, topic)) all.push({ topic, partition: w.partition, start: w.low, end: w.high });
        // Agents without a retry tier (the saga coordinator's DLQ) cannot be replayed: their dead letters are all open.
        const existing = new Set(await admin.listTopics());
        const replayable = new Set([...found.keys()].filter((a) => existing.has(retryTopic(a, 0))));
        // The agents' newest heartbeats, read in the same pass, for the store check.
        return { topics: found, ranges: all, replayable, heartbeatTail: flags.storeCheck && replayable.size > 0 ? await heartbeatRanges(admin) : undefined };
      });
      if (topics.size === 0) {
        if (!flags.json) process.stdout.write(`no dead-letter topics (*.dlq) on ${brokers.join(',')}\n`);
        return;
      }
      const byTopic = new Map<string, AgentDlqSummary>([...topics].map(([name, topic]) => [topic, emptySummary(name, topic)]));
      const facts = new Map<string, LetterFacts[]>([...topics.values()].map((topic) => [topic, []]));
      const heartbeats = new HeartbeatCollector(new HeartbeatDecoder(registryUrlOf(flags)), new Set(topics.keys()), heartbeatTail === undefined);
      await withKafka(brokers, 'read the DLQ topics', () =>
        readRanges(kafka, {
          groupId: throwawayGroupId('ls'),
          ranges: [...ranges, ...(heartbeatTail ?? [])],
          onRecords: async (records) => {
            if (records[0]!.topic === HEARTBEAT_TOPIC) return heartbeats.add(records);
            for (const record of records) {
              const letter = readDeadLetter(record);
              countDeadLetter(byTopic.get(record.topic)!, letter);
              facts.get(record.topic)!.push({ partition: record.partition, offset: record.offset, eventId: letter.eventId, deadLetteredAt: letter.deadLetteredAt, replay: letter.replay });
            }
          },
        }),
      );
      const summaries = [...byTopic.values()];
      await addStates(summaries, replayable, facts, flags.storeCheck ? heartbeats.read : undefined, flags);
      if (flags.json) {
        for (const s of summaries) {
          const line = {
            agent: s.agent,
            topic: s.topic,
            total: s.total,
            byState: s.byState ?? null,
            ...(s.stateNote !== undefined ? { stateNote: s.stateNote } : {}),
            byKind: Object.fromEntries(s.byKind),
            oldestAt: s.oldestAt === undefined ? null : new Date(s.oldestAt).toISOString(),
            newestAt: s.newestAt === undefined ? null : new Date(s.newestAt).toISOString(),
          };
          process.stdout.write(`${JSON.stringify(line)}\n`);
        }
      } else {
        process.stdout.write(renderSummaryTable(summaries));
        for (const s of summaries) if (s.stateNote !== undefined) process.stderr.write(`note: states of ${s.agent}'s dead letters unknown: ${s.stateNote}\n`);
      }
    });
}

/**
 * Fills in each agent's dead letters by state, from the configured store when the agent's heartbeats
 * announce it (the same check as replay's); otherwise leaves them unknown, with a note saying why.
 */
async function addStates(
  summaries: AgentDlqSummary[],
  replayable: ReadonlySet<string>,
  facts: ReadonlyMap<string, LetterFacts[]>,
  heartbeats: HeartbeatsRead | undefined,
  flags: LsFlags,
): Promise<void> {
  const withLetters = summaries.filter((s) => s.total > 0 && replayable.has(s.agent));
  for (const s of summaries) if (!withLetters.includes(s)) s.byState = { open: s.total, replayed: 0, resolved: 0 };
  if (withLetters.length === 0) return;
  const url = redisUrlOf(flags);
  let store: AgentStore;
  try {
    store = await openAgentStore(url);
  } catch (error) {
    if (!(error instanceof AgentStoreUnreachableError)) throw error;
    for (const s of withLetters) s.stateNote = `${error.message} (set --redis or REDIS_URL)`;
    return;
  }
  try {
    // Without heartbeats (--no-store-check) the store is read unchecked.
    const verdicts = heartbeats ? await checkAgentStores(heartbeats, new Set(withLetters.map((s) => s.agent)), store, url) : undefined;
    for (const s of withLetters) {
      const verdict = verdicts?.get(s.agent);
      if (verdict !== undefined && !verdict.ok) {
        s.stateNote = `${verdict.reason}${verdict.unchecked ? `; ${NO_STORE_CHECK_FLAG} reads ${redactRedisUrl(url)} anyway` : ''}`;
        continue;
      }
      const letters = facts.get(s.topic) ?? [];
      s.byState = countStates(deadLetterStates(letters, await peekAll(store, s.agent, letters), await notesOf(store, s.agent, letters)));
    }
  } catch (error) {
    if (!(error instanceof AgentStoreUnreachableError || error instanceof StoreError)) throw error;
    const why = error instanceof AgentStoreUnreachableError ? error.message : `the idempotency store at ${redactRedisUrl(url)} failed: ${error.message}`;
    for (const s of withLetters) if (s.byState === undefined) s.stateNote = why;
  } finally {
    await store.close().catch(() => undefined);
  }
}

async function peekAll(store: AgentStore, agent: string, letters: readonly LetterFacts[]): Promise<Map<string, HeldState>> {
  const ids = [...new Set(letters.map((l) => l.eventId))];
  const held = new Map<string, HeldState>();
  for (let at = 0; at < ids.length; at += LOOKUP_CHUNK) for (const [id, h] of await store.peek(agent, ids.slice(at, at + LOOKUP_CHUNK))) held.set(id, h);
  return held;
}

async function notesOf(store: AgentStore, agent: string, letters: readonly LetterFacts[]): Promise<Map<string, ReplayNote>> {
  const notes = new Map<string, ReplayNote>();
  for (let at = 0; at < letters.length; at += LOOKUP_CHUNK) {
    // Keyed here by the note's own record, so this file does not depend on how the store keys them.
    for (const note of (await store.replayNotes(agent, letters.slice(at, at + LOOKUP_CHUNK))).values()) notes.set(letterKey(note), note);
  }
  return notes;
}
