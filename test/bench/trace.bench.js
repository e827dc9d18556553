#!/usr/bin/env node
/*
 * `mesh trace` benchmark (not a test): how fast one event's journey is answered with 100,000 events on the broker.
 *
 * Run: npm run bench:trace   (= npm run build && node test/bench/trace.bench.js)
 *      BENCH_EVENTS=100000 BENCH_RUNS=5 node test/bench/trace.bench.js
 *
 * In this process: the embedded broker. BENCH_EVENTS records are produced straight to it with the headers the mesh
 * writes (built by the runtime's own id and failure-header functions), spread over six topics: orders published
 * (6 partitions), intake's outputs, audit's outputs, intake's retry tier, checker's DLQ and enricher's degraded
 * outputs; four records per journey. Then, as separate `mesh` processes, the way an operator runs them:
 *   index build  `mesh trace-index` reading all of them into the index (once; what `mesh trace-index --follow`
 *                spreads over time in production, and what the first `mesh trace` on a cluster pays);
 *   trace        BENCH_RUNS times: one more journey is published, then `mesh trace <id> --json` for an event among
 *                the 100,000 (by event id, by trace id, by a later hop's id in turn) is timed from spawn to exit.
 *                Each trace first reads what was written since the index last read (the new journey), then answers
 *                from the index;
 *   no catch-up  the same with --no-catch-up (the index kept current by `mesh trace-index --follow`).
 * Every answer is checked (its record count). The time of `mesh --help` (Node starting the CLI) is printed beside.
 * The index's keys of this run are deleted afterwards.
 */
'use strict';
const { spawn } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { envInt, withTimeout, assertBuilt } = require('./support/processes');
const { redisClient, connectRedis, deleteKeys } = require('./support/redis');
const { fmt } = require('./support/report');

const ROOT = path.resolve(__dirname, '..', '..');
const DIST = {
  broker: path.join(ROOT, 'packages', 'broker', 'dist'),
  runtime: path.join(ROOT, 'packages', 'runtime', 'dist'),
  cli: path.join(ROOT, 'packages', 'cli', 'dist'),
};
const MESH = path.join(ROOT, 'packages', 'cli', 'bin', 'mesh.js');
const CFG = {
  events: Math.max(4, envInt('BENCH_EVENTS', 100_000)),
  runs: Math.max(1, envInt('BENCH_RUNS', 5)),
  redisUrl: process.env.BENCH_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  /** Bound on each `mesh` process. */
  commandMs: envInt('BENCH_COMMAND_MS', 180_000),
};
const RECORDS_PER_JOURNEY = 4;

/** Runs `mesh <args>`; resolves to its wall time, stdout and exit code (bounded). */
function mesh(args) {
  return withTimeout(
    new Promise((resolve, reject) => {
      const started = performance.now();
      const child = spawn(process.execPath, [MESH, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, REDIS_URL: CFG.redisUrl } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('error', reject);
      child.on('exit', (code) => resolve({ ms: performance.now() - started, code, stdout, stderr }));
    }),
    CFG.commandMs,
    `mesh ${args.join(' ')}`,
  );
}

/** The records of journey `n`, as the mesh writes them: a published order and three hops. */
function journeyRecords(runtime, internal, topics, n) {
  const { Header, deriveEventId } = runtime;
  const rootId = `${randomBytes(4).toString('hex')}-${n}`;
  const traceparent = `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
  const key = `order-${n}`;
  const value = Buffer.from(JSON.stringify({ n, amount: (n % 997) * 3.5, currency: 'EUR', customer: `c-${n % 5000}` }));
  const root = { [Header.eventId]: rootId, [Header.correlationId]: rootId, [Header.traceparent]: traceparent };
  const output = (input, agent, topic, extra = {}) => ({
    ...extra,
    [Header.traceparent]: traceparent,
    [Header.eventId]: deriveEventId(input[Header.eventId], `${agent}/${topic}`, 0),
    [Header.correlationId]: input[Header.correlationId],
    [Header.causationId]: input[Header.eventId],
  });
  const failure = (input, agent, kind, message, dueAt) =>
    internal.buildFailureHeaders({
      incoming: input,
      agent,
      attempt: 1,
      kind,
      error: { errorClass: kind === 'permanent' ? 'PermanentError' : 'Error', message, stack: `Error: ${message}\n    at handle (agent.js:10:11)` },
      consumedFrom: { topic: topics.orders, partition: n % 6, offset: String(n), timestamp: String(Date.now()) },
      now: Date.now(),
      ...(dueAt !== undefined ? { dueAt } : {}),
    });
  const accepted = output(root, 'intake', topics.accepted);
  const third =
    n % 3 === 0
      ? { topic: topics.retry, headers: failure(root, 'intake', 'transient', 'erp timed out', Date.now() + 1000) }
      : n % 3 === 1
        ? { topic: topics.dlq, headers: failure(accepted, 'checker', 'permanent', `order ${n} has no customer`) }
        : { topic: topics.enriched, headers: output(accepted, 'enricher', topics.enriched, { [Header.degraded]: 'true', [Header.degradedReason]: 'permanent: crm down' }) };
  const headersOf = (h) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k, String(v)]));
  return {
    rootId,
    traceId: traceparent.split('-')[1],
    laterId: accepted[Header.eventId],
    records: [
      { topic: topics.orders, message: { key, value, headers: headersOf(root) } },
      { topic: topics.accepted, message: { key, value, headers: headersOf(accepted) } },
      { topic: topics.audited, message: { key, value, headers: headersOf(output(root, 'audit', topics.audited)) } },
      { topic: third.topic, message: { key, value, headers: headersOf(third.headers) } },
    ],
  };
}

/** Produces the records, 1,000 a request, a few requests in flight. */
async function produce(producer, records) {
  const byTopic = new Map();
  for (const r of records) {
    if (!byTopic.has(r.topic)) byTopic.set(r.topic, []);
    byTopic.get(r.topic).push(r.message);
  }
  const chunks = [];
  for (const [topic, messages] of byTopic) for (let i = 0; i < messages.length; i += 1000) chunks.push({ topic, messages: messages.slice(i, i + 1000) });
  let next = 0;
  const worker = async () => {
    while (next < chunks.length) await producer.send({ ...chunks[next++], acks: -1 });
  };
  await Promise.all(Array.from({ length: 4 }, worker));
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

async function main() {
  assertBuilt(DIST);
  const runtime = require(DIST.runtime);
  const internal = require(path.join(DIST.runtime, 'internal.js'));
  const { startBroker } = require(DIST.broker);
  const kafkajs = require(require.resolve('kafkajs', { paths: [DIST.cli] }));
  const Redis = require(require.resolve('ioredis', { paths: [DIST.runtime] }));
  const redis = redisClient(Redis, CFG.redisUrl);
  await connectRedis(redis, CFG.redisUrl);

  const id = randomBytes(3).toString('hex');
  const t = (name) => `bench.trace.${id}.${name}`;
  const topics = { orders: t('orders'), accepted: t('accepted'), audited: t('audited'), retry: `intake-${id}.retry.0`, dlq: `checker-${id}.dlq`, enriched: t('enriched') };
  const journeys = Math.floor(CFG.events / RECORDS_PER_JOURNEY);
  console.log(
    `trace bench: ${fmt(journeys * RECORDS_PER_JOURNEY)} records (${fmt(journeys)} journeys of ${RECORDS_PER_JOURNEY}) over ${Object.keys(topics).length} topics, ${CFG.runs} traces; ${os.cpus().length} cores`,
  );

  const broker = await startBroker({ port: 0, logLevel: 'silent', defaultPartitions: 6 });
  const at = ['--brokers', broker.address];
  const kafka = new kafkajs.Kafka({ clientId: 'bench-trace', brokers: [broker.address], logLevel: kafkajs.logLevel.NOTHING });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const admin = kafka.admin();
  await admin.connect();
  const { clusterId } = await admin.describeCluster();
  try {
    let started = performance.now();
    const all = Array.from({ length: journeys }, (_, n) => journeyRecords(runtime, internal, topics, n));
    await produce(
      producer,
      all.flatMap((j) => j.records),
    );
    console.log(`  produced ${fmt(journeys * RECORDS_PER_JOURNEY)} records in ${fmt(performance.now() - started)} ms`);

    const help = await mesh(['--help']);
    const built = await mesh(['trace-index', ...at]);
    if (built.code !== 0) throw new Error(`mesh trace-index failed: ${built.stderr}`);
    console.log(`  index build (mesh trace-index, all records): ${fmt(built.ms)} ms  [${built.stdout.trim()}]`);

    const timings = [];
    const quick = [];
    for (let run = 0; run < CFG.runs; run++) {
      // Something new since the index last read: the trace reads it first.
      await produce(producer, journeyRecords(runtime, internal, topics, journeys + run).records);
      const target = all[Math.floor(((run + 0.5) / CFG.runs) * journeys)];
      const [by, asked] = run % 3 === 0 ? ['event id', target.rootId] : run % 3 === 1 ? ['trace id', target.traceId] : ['later hop', target.laterId];
      const traced = await mesh(['trace', asked, '--json', ...at]);
      if (traced.code !== 0) throw new Error(`mesh trace ${asked} failed: ${traced.stderr}`);
      const records = JSON.parse(traced.stdout).counts.records;
      if (records !== RECORDS_PER_JOURNEY) throw new Error(`mesh trace ${asked} found ${records} records, not ${RECORDS_PER_JOURNEY}`);
      timings.push(traced.ms);
      const cached = await mesh(['trace', asked, '--json', '--no-catch-up', ...at]);
      if (cached.code !== 0 || JSON.parse(cached.stdout).counts.records !== RECORDS_PER_JOURNEY) throw new Error(`mesh trace --no-catch-up ${asked} failed: ${cached.stderr}`);
      quick.push(cached.ms);
      console.log(`  trace ${run + 1} (by ${by}): ${fmt(traced.ms)} ms; --no-catch-up ${fmt(cached.ms)} ms`);
    }
    console.log(
      `mesh trace with ${fmt(journeys * RECORDS_PER_JOURNEY)} events on the broker: median ${fmt(median(timings))} ms, max ${fmt(Math.max(...timings))} ms (target: under 2,000 ms); ` +
        `--no-catch-up median ${fmt(median(quick))} ms; Node starting the CLI (mesh --help): ${fmt(help.ms)} ms`,
    );
  } finally {
    await producer.disconnect().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    await broker.stop();
    const deleted = await deleteKeys(redis, `mesh:trace:${clusterId}`, { count: 5000, timeoutMs: 120_000 });
    console.log(`  deleted ${fmt(deleted)} index keys of this run`);
    redis.disconnect();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(`bench failed: ${(error && error.stack) || error}`);
    process.exit(1);
  },
);
