import { retryTopic, type ClaimResult } from '@agentmesh/runtime';
import { redactRedisUrl } from '@agentmesh/runtime/internal';
import { Argument, InvalidArgumentError, type Command } from 'commander';
import { Partitioners, type Admin, type Kafka, type ProducerRecord, type RecordMetadata } from 'kafkajs';
import { kafkaErrorMessage } from '../../kafka';
import { parseBrokerList, parseHttpUrl, parsePositiveInt, UsageError } from '../../options';
import {
  AgentStoreUnreachableError,
  checkAgentStores,
  openAgentStore,
  REDIS_HELP,
  redisUrlOf,
  REGISTRY_HELP,
  registryUrlOf,
  REPLAY_NOTE_TTL_MS,
  type AgentStore,
  type HeldState,
  type StoreFlags,
} from './agent-store';
import { BROKERS_HELP, brokersOf, collect, dlqKafka, withAdmin, type KafkaFlags } from './common';
import { PartitionCursor, type RecordFate } from './cursor';
import { readDeadLetter, type DeadLetter, type DlqRecord } from './dead-letter';
import { readHeartbeats } from './heartbeats';
import { describeFilter, FILTER_FIELDS, matchesFilter, parseSince, parseWhere, type DeadLetterFilter } from './filters';
import { ProgressReporter, type ProgressCounts, type ProgressStream } from './progress';
import { readRanges, throwawayGroupId, type BatchControl } from './read-ranges';
import { buildReplayRecord, newReplayRun, replayMarker, type ReplayRun } from './replay-record';
import { NO_STORE_CHECK_FLAG, NO_STORE_CHECK_RISK } from './store-check';
import { TokenBucket } from './token-bucket';
import { committedOffsets, rangeSize, requireDlqTopic, watermarks, withKafka, type PartitionRange } from './topics';

interface ReplayFlags extends KafkaFlags, StoreFlags {
  where: string[];
  since?: string;
  dryRun: boolean;
  rate?: number;
  limit?: number;
  fromStart: boolean;
}

/** A replay stopped part-way (Redis or Kafka failed); what was replayed before stays replayed and behind the cursor. */
export class ReplayError extends Error {
  override readonly name = 'ReplayError';
}

/** The configured Redis is not (or cannot be shown to be) the agent's idempotency store: nothing was replayed. */
export class StoreCheckError extends Error {
  override readonly name = 'StoreCheckError';
}

/** The consumer group whose offsets are the replay cursor of an agent's DLQ. */
export function replayGroupId(agent: string): string {
  return `mesh-dlq-replay.${agent}`;
}

/** Records claimed, forgotten and produced together: one Redis and one Kafka round trip each. */
const CHUNK_SIZE = 100;
/** A lease the replay holds only between its claim and its release/forget, a few ms; short so a crash frees it soon. */
const CLAIM_LEASE_MS = 30_000;
/** Replays of at least this many records show progress on stderr. */
const PROGRESS_THRESHOLD = 100;

export function parseRate(value: string): number {
  const rate = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !(rate > 0)) throw new InvalidArgumentError(`'${value}' is not a positive number of records per second`);
  return rate;
}

interface ReplayPlan {
  topic: string;
  ranges: PartitionRange[];
  /** Records behind the cursor that this run does not read (0 with --from-start). */
  behindCursor: number;
}

export interface Counts extends ProgressCounts {
  notMatching: number;
  alreadyProcessed: number;
  sameEvent: number;
  inFlight: number;
}

export function registerDlqReplayCommand(dlq: Command): void {
  dlq
    .command('replay')
    .summary("send dead letters back through the agent's own retry path")
    .description(
      "send dead letters back through the agent's own retry path (<agent>.retry.0, never the shared source topic), with their full retries.\n" +
        'A replayed event that fails again is dead-lettered again by the worker: the DLQ is the parking place, nothing loops.\n' +
        `The replay cursor (consumer group ${replayGroupId('<agent>')}) remembers what was replayed, so the next replay continues after it;\n` +
        'dead letters a filter did not take stay ahead of the cursor for a later replay. Replayed records stay in the DLQ (Kafka is append-only);\n' +
        '`mesh dlq ls` shows them as replayed, then resolved once their events are processed.\n' +
        `Before it forgets or sends anything, a replay (and a --dry-run alike) checks that --redis is the idempotency store the agent announces in its\n` +
        `heartbeats on mesh.heartbeats, and refuses otherwise.`,
    )
    .addArgument(new Argument('<agent>', 'the agent whose DLQ (<agent>.dlq) to replay'))
    .option(
      '--where <field=value>',
      `replay only dead letters where field=value (repeatable; fields: ${FILTER_FIELDS.join(', ')}; error-message matches a substring; several values of one field are alternatives)`,
      collect,
      [],
    )
    .option('--since <time>', 'only dead letters written since an ISO time (2025-06-01T12:00:00Z) or for a duration back (30m, 2h, 7d)')
    .option('--dry-run', 'print what would be replayed, after the same store check and with the same skips as a replay; send, forget and commit nothing', false)
    .option('--rate <n>', 'replay at most n records per second (default: as fast as Kafka takes them)', parseRate)
    .option('--limit <n>', 'replay at most n dead letters in this run; the rest stay ahead of the cursor', parsePositiveInt)
    .option('--from-start', 'read the whole DLQ, ignoring the replay cursor (events processed since their last replay are still skipped)', false)
    .option('--brokers <list>', BROKERS_HELP, parseBrokerList)
    .option('--redis <url>', `${REDIS_HELP}: replay forgets the dead-lettered events there, after checking it is the store the agent announces in its heartbeats`)
    .option('--registry <url>', REGISTRY_HELP, parseHttpUrl)
    .option(NO_STORE_CHECK_FLAG, `replay without checking that --redis is the store the agent announces in its heartbeats (risk: ${NO_STORE_CHECK_RISK})`)
    .action(async (agent: string, flags: ReplayFlags) => {
      const startedAt = Date.now();
      const filter: DeadLetterFilter = { where: flags.where.map(parseWhere), ...(flags.since !== undefined ? { sinceMs: parseSince(flags.since, startedAt) } : {}) };
      await replayDeadLetters(
        {
          agent,
          brokers: brokersOf(flags),
          filter,
          dryRun: flags.dryRun,
          limit: flags.limit,
          rate: flags.rate,
          fromStart: flags.fromStart,
          redisUrl: redisUrlOf(flags),
          registryUrl: registryUrlOf(flags),
          storeCheck: flags.storeCheck,
        },
        { print: (line) => process.stdout.write(`${line}\n`), warn: (line) => process.stderr.write(`${line}\n`), progress: process.stderr },
      );
    });
}

/** One replay (or dry run) as `mesh dlq replay` and the console both ask for it. */
export interface ReplayRequest {
  agent: string;
  brokers: string[];
  filter: DeadLetterFilter;
  dryRun: boolean;
  limit?: number | undefined;
  rate?: number | undefined;
  fromStart: boolean;
  redisUrl: string;
  registryUrl: string;
  /** False: replay without checking the store is the agent's (--no-store-check). */
  storeCheck: boolean;
}

/** Where a run tells what it does: each would-replay and the summary to `print`, warnings to `warn`, progress of long runs to `progress`. */
export interface ReplayOutput {
  print(line: string): void;
  warn(line: string): void;
  progress?: ProgressStream;
}

export interface ReplayResult {
  counts: Counts;
  /** The run's last line: what was (or would be) replayed and skipped. */
  summary: string;
}

/**
 * The one way dead letters are replayed: plans from the cursor, checks the store is the agent's (a dry run too, so
 * both count the same), then replays or only says what it would. Used by `mesh dlq replay` and the console.
 */
export async function replayDeadLetters(request: ReplayRequest, output: ReplayOutput): Promise<ReplayResult> {
  const startedAt = Date.now();
  const { agent, brokers } = request;
  const kafka = dlqKafka(brokers, 'replay');
  const plan = await withAdmin(kafka, brokers, (admin) => planReplay(admin, agent, request.fromStart));
  const total = rangeSize(plan.ranges);
  if (total === 0) {
    const behind = plan.behindCursor > 0 ? ` (${plan.behindCursor} behind the replay cursor; --from-start reads them again)` : '';
    const summary = `nothing to replay: no dead letters in ${plan.topic} after the last replay${behind}`;
    output.print(summary);
    return { counts: { scanned: 0, total: 0, replayed: 0, skipped: 0, notMatching: 0, alreadyProcessed: 0, sameEvent: 0, inFlight: 0 }, summary };
  }
  const store = await openStore(request.redisUrl);
  try {
    // The same check for a dry run as for a replay, so both count the same.
    await requireAgentStore(kafka, request, store, output);
    const result = request.dryRun ? await dryRun(kafka, request, store, plan, output) : await replay(kafka, request, store, plan, output, startedAt);
    output.print(result.summary);
    return result;
  } finally {
    await store.close().catch(() => undefined);
  }
}

async function openStore(redisUrl: string): Promise<AgentStore> {
  try {
    return await openAgentStore(redisUrl);
  } catch (error) {
    if (!(error instanceof AgentStoreUnreachableError)) throw error;
    throw new ReplayError(`${error.message}: replay must forget the dead-lettered events in the Redis the agent uses (set --redis or REDIS_URL); nothing was replayed`, { cause: error });
  }
}

/** Refuses (StoreCheckError) unless the agent's heartbeats announce the store at the request's Redis; unchecked, says what that risks. */
async function requireAgentStore(kafka: Kafka, request: ReplayRequest, store: AgentStore, output: ReplayOutput): Promise<void> {
  const { agent, brokers, redisUrl: url } = request;
  if (!request.storeCheck) {
    output.warn(`mesh: warning: ${NO_STORE_CHECK_FLAG}: not checking that ${redactRedisUrl(url)} is the idempotency store of agent '${agent}'; ${NO_STORE_CHECK_RISK}`);
    return;
  }
  const heartbeats = await withAdmin(kafka, brokers, (admin) => readHeartbeats(kafka, admin, brokers, request.registryUrl, new Set([agent])));
  const verdicts = await checkAgentStores(heartbeats, new Set([agent]), store, url).catch((error: unknown) => {
    throw error instanceof AgentStoreUnreachableError ? new ReplayError(`${error.message}; nothing was replayed`, { cause: error }) : error;
  });
  const verdict = verdicts.get(agent)!;
  if (!verdict.ok) {
    const unchecked = verdict.unchecked ? `; to replay unchecked pass ${NO_STORE_CHECK_FLAG} (${NO_STORE_CHECK_RISK})` : '';
    throw new StoreCheckError(`replay refused: ${verdict.reason}${unchecked}; nothing was replayed`);
  }
}

async function planReplay(admin: Admin, agent: string, fromStart: boolean): Promise<ReplayPlan> {
  const topic = await requireDlqTopic(admin, agent);
  const retry0 = retryTopic(agent, 0);
  if (!(await admin.listTopics()).includes(retry0)) {
    throw new UsageError(`agent '${agent}' has no retry topic '${retry0}' (a retry policy with no delays?): replay sends dead letters through it, so it must exist`);
  }
  const marks = await watermarks(admin, topic);
  const committed = fromStart ? new Map<number, bigint>() : await committedOffsets(admin, replayGroupId(agent), topic);
  let behindCursor = 0;
  const ranges = marks.map((w) => {
    const cursor = committed.get(w.partition);
    const start = cursor !== undefined && cursor > w.low ? (cursor < w.high ? cursor : w.high) : w.low;
    behindCursor += Number(start - w.low);
    return { topic, partition: w.partition, start, end: w.high };
  });
  return { topic, ranges, behindCursor };
}

function describeLetter(letter: DeadLetter): string {
  const r = letter.record;
  return `${r.topic}/${r.partition}@${r.offset} key=${letter.key ?? '-'} event=${letter.eventId} ${letter.kind} ${letter.errorClass}: ${letter.errorMessage}`;
}

async function dryRun(kafka: Kafka, request: ReplayRequest, store: AgentStore, plan: ReplayPlan, output: ReplayOutput): Promise<ReplayResult> {
  const { agent, brokers, filter } = request;
  const run = newReplayRun(Date.now());
  const replayer = new Replayer(agent, run, store, { dryRun: true, print: (line) => output.print(line) }, filter, {
    limit: request.limit,
    bucket: undefined,
    progress: undefined,
    total: rangeSize(plan.ranges),
  });
  await withKafka(brokers, `read ${plan.topic}`, () =>
    readRanges(kafka, {
      // A throwaway group: a dry run must not move the replay cursor.
      groupId: throwawayGroupId('replay-dry-run'),
      ranges: plan.ranges,
      onRecords: (records, control) => replayer.onRecords(records, control),
    }),
  );
  const c = replayer.counts;
  const skipped = describeSkips(c, filter);
  const summary =
    `dry run: would replay ${c.replayed} of ${c.scanned} dead letters read from ${plan.topic} (${describeFilter(filter)}) to ${retryTopic(agent, 0)}` +
    `${skipped.length > 0 ? `; would skip ${skipped.join(', ')}` : ''}; nothing was sent, forgotten or committed`;
  return { counts: c, summary };
}

/** The skips of a run, for its summary line: the same words for a replay and its dry run. */
function describeSkips(c: Counts, filter: DeadLetterFilter): string[] {
  return [
    c.notMatching > 0 ? `${c.notMatching} not matching (${describeFilter(filter)})` : '',
    c.alreadyProcessed > 0 ? `${c.alreadyProcessed} already processed after an earlier replay` : '',
    c.sameEvent > 0 ? `${c.sameEvent} more record(s) of an event already handled in this run` : '',
    c.inFlight > 0 ? `${c.inFlight} in flight in the agent right now` : '',
  ].filter(Boolean);
}

async function replay(kafka: Kafka, request: ReplayRequest, store: AgentStore, plan: ReplayPlan, output: ReplayOutput, startedAt: number): Promise<ReplayResult> {
  const { agent, brokers, filter } = request;
  const total = rangeSize(plan.ranges);
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, retry: { retries: 2 }, createPartitioner: Partitioners.DefaultPartitioner });
  const run = newReplayRun(startedAt);
  const replayer = new Replayer(agent, run, store, { dryRun: false, producer }, filter, {
    limit: request.limit,
    bucket: request.rate !== undefined ? new TokenBucket(request.rate) : undefined,
    progress: total >= PROGRESS_THRESHOLD && output.progress ? new ProgressReporter(output.progress) : undefined,
    total,
  });
  try {
    await withKafka(brokers, `connect a producer`, () => producer.connect());
    await withKafka(brokers, `replay ${plan.topic}`, () =>
      readRanges(kafka, { groupId: replayGroupId(agent), ranges: plan.ranges, onRecords: (records, control) => replayer.onRecords(records, control) }),
    );
  } catch (error) {
    replayer.interrupted();
    const done = replayer.counts.replayed;
    throw new ReplayError(
      `replay stopped after ${done} dead letter${done === 1 ? '' : 's'}: ${error instanceof Error ? error.message : String(error)}; run it again to continue after the last one replayed`,
      { cause: error },
    );
  } finally {
    await producer.disconnect().catch(() => undefined);
  }
  replayer.finished();
  const c = replayer.counts;
  const skipped = describeSkips(c, filter);
  const summary =
    `replayed ${c.replayed} of ${c.scanned} dead letters read from ${plan.topic} to ${retryTopic(agent, 0)} (${replayMarker(run)})` + `${skipped.length > 0 ? `; skipped ${skipped.join(', ')}` : ''}`;
  return { counts: c, summary };
}

/** The one producer call a replay makes (kafkajs's Producer has it). */
export interface ReplaySender {
  send(record: ProducerRecord): Promise<RecordMetadata[]>;
}

/** What a run does with the dead letters it decides to replay: send them, or (a dry run) only say so. */
export type ReplayMode = { dryRun: false; producer: ReplaySender } | { dryRun: true; print: (line: string) => void };

/** The store operations a run uses: claim, forget, release and note for a replay; peek for a dry run. */
export type ReplayStore = Pick<AgentStore, 'claim' | 'forget' | 'release' | 'peek' | 'noteReplays'>;

export interface ReplayerOptions {
  limit: number | undefined;
  bucket: TokenBucket | undefined;
  progress: ProgressReporter | undefined;
  total: number;
}

interface Slot {
  letter: DeadLetter;
  eventId: string;
  fate?: RecordFate;
}

/** What the store says of an event about to be replayed: nothing (or our own fresh lease), another's lease, or a completion. */
export type StoreSays = { held: 'nothing' } | { held: 'lease' } | { held: 'done'; outcome: string };

export function fromClaim(claim: ClaimResult | undefined): StoreSays {
  if (claim?.state === 'busy') return { held: 'lease' };
  if (claim?.state === 'done') return { held: 'done', outcome: claim.outcome };
  return { held: 'nothing' };
}

export function fromPeek(held: HeldState | undefined): StoreSays {
  if (held?.state === 'leased') return { held: 'lease' };
  if (held?.state === 'done') return { held: 'done', outcome: held.outcome };
  return { held: 'nothing' };
}

/**
 * The one rule a replay and its dry run both decide by: an event with a completion other than
 * 'dead-lettered' was processed since (an earlier replay succeeded), one leased by a worker is in
 * flight, the rest are replayed.
 */
export function replayDecision(says: StoreSays): 'replay' | 'already-processed' | 'in-flight' {
  if (says.held === 'lease') return 'in-flight';
  if (says.held === 'done' && says.outcome !== 'dead-lettered') return 'already-processed';
  return 'replay';
}

/**
 * One replay run over the DLQ, batch by batch. Per chunk of matching records:
 * claim their ids in the idempotency store (a completion with outcome
 * 'dead-lettered' is forgotten, a missing one is simply released, a
 * 'processed' or 'degraded' one means an earlier replay already succeeded, a
 * live lease means the event is in flight), then produce the rest to
 * `<agent>.retry.0`, note them as replayed in the store (for `mesh dlq ls`),
 * then commit the cursor. Forgetting comes before producing: the other way
 * round, the worker could see the old completion first and acknowledge the
 * replay as a duplicate. A dry run decides the same way from a read-only look
 * at the store, prints what it would replay, and changes nothing.
 */
export class Replayer {
  readonly counts: Counts;
  private readonly owner: string;
  private readonly cursors = new Map<number, PartitionCursor>();
  private readonly eventsThisRun = new Set<string>();
  /** Events sent back in this run. */
  private readonly replayedEvents = new Set<string>();
  /** Records of an event already handled in this run, to note as replayed once that event is sent. */
  private sameEventSlots: Slot[] = [];
  private replayBudget: number;

  constructor(
    private readonly agent: string,
    private readonly run: ReplayRun,
    private readonly store: ReplayStore,
    private readonly mode: ReplayMode,
    private readonly filter: DeadLetterFilter,
    private readonly options: ReplayerOptions,
  ) {
    this.owner = `mesh-dlq-${run.id}`;
    this.replayBudget = options.limit ?? Number.POSITIVE_INFINITY;
    this.counts = { scanned: 0, total: options.total, replayed: 0, skipped: 0, notMatching: 0, alreadyProcessed: 0, sameEvent: 0, inFlight: 0 };
  }

  async onRecords(records: DlqRecord[], control: BatchControl): Promise<'stop' | void> {
    const partition = records[0]!.partition;
    const cursor = this.cursors.get(partition) ?? new PartitionCursor();
    this.cursors.set(partition, cursor);
    const slots: Slot[] = [];
    let chunk: Slot[] = [];
    let walked = 0;
    const flush = async () => {
      await this.replayChunk(chunk);
      chunk = [];
      // Move the cursor over the settled prefix (a slot waiting for a token has no fate yet).
      for (; walked < slots.length && slots[walked]!.fate !== undefined; walked++) cursor.record(BigInt(slots[walked]!.letter.record.offset), slots[walked]!.fate!);
      const position = cursor.committable;
      if (position !== undefined && !this.mode.dryRun) await control.commit(position);
      this.options.progress?.update(this.counts);
    };

    let stop = false;
    for (const record of records) {
      if (this.replayBudget <= 0) {
        stop = true;
        break;
      }
      this.counts.scanned += 1;
      const letter = readDeadLetter(record);
      const slot: Slot = { letter, eventId: letter.eventId };
      slots.push(slot);
      if (!matchesFilter(letter, this.filter)) {
        this.settle(slot, 'not-matching');
        continue;
      }
      if (this.eventsThisRun.has(slot.eventId)) {
        this.settle(slot, 'same-event-handled');
        this.sameEventSlots.push(slot);
        continue;
      }
      this.eventsThisRun.add(slot.eventId);
      this.replayBudget -= 1;
      if (this.options.bucket && !this.options.bucket.tryTake()) {
        // Out of tokens: send what is ready, then wait for the next token, keeping the group session alive.
        await flush();
        await this.options.bucket.take();
        await control.heartbeat();
      }
      chunk.push(slot);
      if (chunk.length >= CHUNK_SIZE) await flush();
    }
    await flush();
    return stop ? 'stop' : undefined;
  }

  private settle(slot: Slot, fate: RecordFate): void {
    slot.fate = fate;
    if (fate === 'replayed') {
      this.counts.replayed += 1;
      this.replayedEvents.add(slot.eventId);
    } else this.counts.skipped += 1;
    if (fate === 'not-matching') this.counts.notMatching += 1;
    if (fate === 'already-processed') this.counts.alreadyProcessed += 1;
    if (fate === 'same-event-handled') this.counts.sameEvent += 1;
    if (fate === 'in-flight') this.counts.inFlight += 1;
  }

  private async replayChunk(chunk: Slot[]): Promise<void> {
    if (this.mode.dryRun) await this.decideDry(chunk, this.mode.print);
    else await this.replayForReal(chunk, this.mode.producer);
  }

  private async decideDry(chunk: Slot[], print: (line: string) => void): Promise<void> {
    if (chunk.length === 0) return;
    const held = await this.store.peek(
      this.agent,
      chunk.map((s) => s.eventId),
    );
    for (const slot of chunk) {
      const decision = replayDecision(fromPeek(held.get(slot.eventId)));
      if (decision !== 'replay') {
        this.settle(slot, decision);
        continue;
      }
      print(`would replay ${describeLetter(slot.letter)}`);
      this.settle(slot, 'replayed');
    }
  }

  private async replayForReal(chunk: Slot[], producer: ReplaySender): Promise<void> {
    const toSend: Slot[] = [];
    if (chunk.length > 0) {
      const claims = await this.store.claim(
        this.agent,
        chunk.map((s) => s.eventId),
        this.owner,
        CLAIM_LEASE_MS,
      );
      const toForget: string[] = [];
      const toRelease: string[] = [];
      for (const slot of chunk) {
        const claim = claims.get(slot.eventId);
        const decision = replayDecision(fromClaim(claim));
        if (decision !== 'replay') this.settle(slot, decision);
        else {
          if (claim?.state === 'done') toForget.push(slot.eventId);
          else toRelease.push(slot.eventId);
          toSend.push(slot);
        }
      }
      await this.store.forget(this.agent, toForget);
      await this.store.release(this.agent, toRelease, this.owner);
    }
    if (toSend.length > 0) {
      const now = Date.now();
      const records = toSend.map((s) => buildReplayRecord(this.agent, s.letter, this.run, now));
      try {
        await producer.send({ topic: retryTopic(this.agent, 0), acks: -1, messages: records.map((r) => ({ key: r.key, value: r.value, headers: r.headers })) });
      } catch (error) {
        // Their completions are already forgotten; that is harmless (the worker would process them, once) and the cursor stays before them.
        throw new ReplayError(`could not produce to ${retryTopic(this.agent, 0)}: ${kafkaErrorMessage(error)}`, { cause: error });
      }
      for (const slot of toSend) this.settle(slot, 'replayed');
    }
    await this.noteReplayed(toSend);
  }

  /**
   * Notes the records just sent, and the other records of their events, as replayed in the agent's
   * store (`mesh dlq ls` reads the notes). After the send: a note never claims a replay that did not
   * happen; a crash in between leaves a replayed record shown as open, and the cursor before it.
   */
  private async noteReplayed(sent: readonly Slot[]): Promise<void> {
    const twins = this.sameEventSlots.filter((s) => this.replayedEvents.has(s.eventId));
    this.sameEventSlots = [];
    const notes = [...sent, ...twins].map((s) => ({ partition: s.letter.record.partition, offset: s.letter.record.offset, eventId: s.eventId, replay: replayMarker(this.run) }));
    if (notes.length > 0) await this.store.noteReplays(this.agent, notes, REPLAY_NOTE_TTL_MS);
  }

  interrupted(): void {
    this.options.progress?.interrupt();
  }

  finished(): void {
    this.options.progress?.finish(this.counts);
  }
}
