import { StoreError } from '@agentmesh/runtime';
import { redactRedisUrl } from '@agentmesh/runtime/internal';
import { Argument, InvalidArgumentError, type Command } from 'commander';
import type { Admin, Kafka } from 'kafkajs';
import { endpoint } from '../../defaults';
import { buildJourney, type Journey } from '../../journey/journey';
import { TraceIndex } from '../../journey/trace-index';
import { jaegerTraceUrl, renderWaterfall } from '../../journey/waterfall';
import { kafkaClient } from '../../kafka';
import { parseBrokerList, parseHttpUrl, parsePositiveInt, stopOnSignals, UsageError } from '../../options';
import { BROKERS_HELP, brokersOf, withAdmin, type KafkaFlags } from '../dlq/common';
import { catchUp, type CatchUpResult } from './catch-up';
import { ReplyReader } from './reply-reader';

export const REDIS_HELP = 'Redis holding the trace index (default: $REDIS_URL or redis://127.0.0.1:6379)';
export const REGISTRY_HELP = "schema registry, to read saga replies' answers (default: $SCHEMA_REGISTRY_URL or http://127.0.0.1:8081)";
export const JAEGER_HELP = "Jaeger's UI, to print the trace's link (default: $JAEGER_URL; none when unset)";

/** A failure of `mesh trace` said in one line: the trace index's Redis is away or refuses. */
export class TraceCommandError extends Error {
  override readonly name = 'TraceCommandError';
}

export interface IndexFlags extends KafkaFlags {
  redis?: string;
  registry?: string;
}

interface TraceFlags extends IndexFlags {
  json: boolean;
  catchUp: boolean;
  jaegerUrl?: string;
  width: number;
}

interface TraceIndexFlags extends IndexFlags {
  follow: boolean;
  interval: number;
}

/** Event, correlation and saga ids are whatever a publisher chose; only what cannot be an id is refused. */
export function parseTraceId(value: string): string {
  const id = value.trim();
  // eslint-disable-next-line no-control-regex -- control characters are what is refused
  if (id === '' || id.length > 500 || /[\s\u0000-\u001f\u007f]/.test(id)) throw new InvalidArgumentError(`'${value.slice(0, 80)}' is not an event id or a trace id`);
  return id;
}

/** The Jaeger UI base from the flag, else JAEGER_URL; undefined when neither is set. */
export function jaegerBase(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (flag !== undefined) return flag;
  const fromEnv = env.JAEGER_URL?.trim();
  return fromEnv ? parseHttpUrl(fromEnv) : undefined;
}

/** Opens the cluster's trace index (the cluster id scopes it) and runs `work`; Redis failures become one line. */
export async function withIndex<T>(flags: IndexFlags, command: string, work: (kafka: Kafka, admin: Admin, index: TraceIndex, replies: ReplyReader) => Promise<T>): Promise<T> {
  const brokers = brokersOf(flags);
  const kafka = kafkaClient(brokers, `mesh-${command}`);
  const url = flags.redis ?? endpoint('REDIS_URL');
  return withAdmin(kafka, brokers, async (admin) => {
    const { clusterId } = await admin.describeCluster();
    let index: TraceIndex;
    try {
      index = TraceIndex.connect(url, clusterId);
    } catch (error) {
      throw new TraceCommandError(`trace index at ${redactRedisUrl(url)}: ${(error as Error).message} (set it with --redis or REDIS_URL)`);
    }
    try {
      return await work(kafka, admin, index, new ReplyReader(flags.registry ?? endpoint('SCHEMA_REGISTRY_URL')));
    } catch (error) {
      if (error instanceof StoreError) throw new TraceCommandError(`trace index at ${redactRedisUrl(url)}: ${error.message} (set it with --redis or REDIS_URL)`, { cause: error });
      throw error;
    } finally {
      await index.close();
    }
  });
}

const LARGE_CATCH_UP = 10_000;

function noteLargeCatchUp(records: number): void {
  if (records >= LARGE_CATCH_UP) process.stderr.write(`indexing ${records} records written since the index last read (run \`mesh trace-index --follow\` to keep it current)\n`);
}

/** The journey as `--json` prints it. */
export interface JourneyJson {
  journeyIds: string[];
  traceIds: string[];
  /** The trace's page in Jaeger's UI, when one is configured. */
  jaeger: string | null;
  startedAt: string;
  durationMs: number;
  counts: Journey['counts'];
  hops: Journey['hops'];
}

export function journeyJson(journey: Journey, jaeger: string | undefined): JourneyJson {
  const traceId = journey.traceIds[0];
  return {
    journeyIds: journey.ids,
    traceIds: journey.traceIds,
    jaeger: jaeger !== undefined && traceId !== undefined ? jaegerTraceUrl(jaeger, traceId) : null,
    startedAt: new Date(journey.startedAt).toISOString(),
    durationMs: journey.durationMs,
    counts: journey.counts,
    hops: journey.hops,
  };
}

function registerTraceIndexCommand(program: Command): void {
  program
    .command('trace-index')
    .summary('bring the trace index up to date (`mesh trace` does before it answers)')
    .description(
      'read what the mesh wrote since the trace index last stopped, on every topic but the internal ones, and index it in Redis\n(each record under its journey, findable by event, correlation, trace and saga id). With --follow, keep it current.',
    )
    .option('--follow', 'keep indexing new records until interrupted (Ctrl-C)', false)
    .option('--interval <ms>', 'with --follow, the pause between passes', parsePositiveInt, 1_000)
    .option('--brokers <list>', BROKERS_HELP, parseBrokerList)
    .option('--redis <url>', REDIS_HELP)
    .option('--registry <url>', REGISTRY_HELP, parseHttpUrl)
    .action(async (flags: TraceIndexFlags) => {
      await withIndex(flags, 'trace-index', async (kafka, admin, index, replies) => {
        const pass = async (): Promise<CatchUpResult> => {
          const started = Date.now();
          const done = await catchUp(kafka, admin, index, replies);
          if (done.records > 0 || !flags.follow) process.stdout.write(`indexed ${done.records} records from ${done.partitions} partitions in ${Date.now() - started} ms\n`);
          return done;
        };
        await pass();
        if (!flags.follow) return;
        let stopping = false;
        let wake: () => void = () => undefined;
        stopOnSignals(async () => {
          stopping = true;
          wake();
          await index.close();
        });
        while (!stopping) {
          await new Promise<void>((resolve) => {
            wake = resolve;
            setTimeout(resolve, flags.interval);
          });
          if (!stopping) await pass();
        }
      });
    });
}

/** `mesh trace <id>`: one event's journey rebuilt from Kafka, and `mesh trace-index`, which keeps the index it reads. */
export function registerTraceCommand(program: Command): void {
  program
    .command('trace')
    .summary("draw an event's whole journey from Kafka: every hop, retry, dead letter, degraded output and saga command")
    .description(
      "rebuild the journey of an event from the records the mesh wrote to Kafka: each hop's record, each retry with its delay and error,\nthe dead letters, degraded outputs, saga commands and replies, drawn as a waterfall with timings. The id may be an event id,\na correlation id, a trace id or a saga id. It reads the trace index in Redis, brought up to date first (`mesh trace-index`).",
    )
    .addArgument(new Argument('<id>', 'an event id, correlation id, trace id (32 hex digits) or saga id').argParser(parseTraceId))
    .option('--json', 'print the journey as one JSON object (only JSON on stdout)', false)
    .option('--no-catch-up', 'answer from the index as it is, without reading what was written since it last read (when `mesh trace-index --follow` runs)')
    .option('--jaeger-url <url>', JAEGER_HELP, parseHttpUrl)
    .option('--width <cells>', 'width of the time bars', parsePositiveInt, 32)
    .option('--brokers <list>', BROKERS_HELP, parseBrokerList)
    .option('--redis <url>', REDIS_HELP)
    .option('--registry <url>', REGISTRY_HELP, parseHttpUrl)
    .action(async (id: string, flags: TraceFlags) => {
      const jaeger = jaegerBase(flags.jaegerUrl);
      const { journey, brokers } = await withIndex(flags, 'trace', async (kafka, admin, index, replies) => {
        if (flags.catchUp) await catchUp(kafka, admin, index, replies, noteLargeCatchUp);
        const found = await index.find(id);
        const brokerList = brokersOf(flags).join(',');
        if (found === undefined) return { journey: undefined, brokers: brokerList };
        const groups = (await admin.listGroups()).groups.map((g) => g.groupId);
        return { journey: buildJourney(found.rows, groups), brokers: brokerList };
      });
      if (journey === undefined || journey.hops.length === 0) throw new UsageError(`no record on ${brokers} carries '${id}' as its event, correlation, trace or saga id`);
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(journeyJson(journey, jaeger))}\n`);
        return;
      }
      const traceId = journey.traceIds[0];
      process.stdout.write(renderWaterfall(journey, { barWidth: flags.width, ...(jaeger !== undefined && traceId !== undefined ? { jaegerLink: jaegerTraceUrl(jaeger, traceId) } : {}) }));
    });
  registerTraceIndexCommand(program);
}
