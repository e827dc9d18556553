#!/usr/bin/env node
/*
 * Pipeline benchmark (not a test): the four-agent invoice pipeline with every guarantee on ("mesh") against a bare
 * kafkajs consume-and-produce chain with no guarantees ("bare"), over the same embedded broker, in one run.
 *
 * Run: npm run bench:pipeline   (= npm run build && node test/bench/pipeline.bench.js)
 *
 * Processes (the same count on both sides, so both get the same CPU budget on a 2-core machine):
 *   - this process: the driver. It publishes the invoices and reads the last topic to time them (same work on both sides).
 *   - the infra child: the embedded broker and the schema registry (shared by both sides; contracts registered).
 *   - ONE pipeline child per side and round, holding all four hops:
 *       mesh: the four invoice agents (packages/examples, no injected faults) under startWorker, each with its own
 *             RegistryCodec (Avro), Redis idempotency store (real Redis), prom-client metrics and a pino logger at
 *             info (to a file), with tracing set up with no exporter (no spans; the trace context is carried in headers):
 *             what four `mesh run` processes assemble (runAgent), gathered in one process. Idempotent producer,
 *             claims and completions in Redis, commit after the outputs and completions are durable, heartbeats,
 *             and our versions of kafkajs's hot paths (packages/kafkajs-paths, put in place by kafkajs's own files as
 *             patched by patches/kafkajs+2.2.4.patch, as in every `mesh run`; this child clears MESH_KAFKAJS).
 *       bare: four plain kafkajs consumer groups (eachBatch, autoCommit: a commit after every batch) and four
 *             NON-idempotent producers, one send per consumed batch, acks -1 (as the mesh's producer uses; on one
 *             broker acks 1 and -1 cost the same). Same Avro work: the same records are decoded and encoded with
 *             the same avsc types in the Confluent frame (schema ids from the same registry), and the SAME agent
 *             handle() functions do the business work. What bare does not do: schema validation before encode,
 *             dedupe, leases, retries/DLQ, deadlines, spans, metrics, logs, headers.
 *     One process per side (default) rather than four `mesh run` processes: on 2 cores, broker + Redis + driver + 4
 *     agent processes per side oversubscribe the CPUs (measured: both sides lose, each process pays its own kafkajs
 *     polling and GC, and run-to-run noise grows); one process per side gives both the same budget (one core for
 *     the hops) and shows the per-event CPU cost of the guarantees directly. BENCH_LAYOUT=per-agent runs one
 *     process per hop on BOTH sides (same process count) for comparison.
 *   - Redis (already running) for the mesh side only: that cost is part of the guarantee.
 * Topics: invoices.* (the agents' own) and bare.invoices.*, created fresh with BENCH_PARTITIONS partitions each.
 *
 * Workload per round and side: start the side's child, warm up with BENCH_WARMUP invoices (until all are posted), then
 * publish BENCH_INVOICES invoices as a BURST (BENCH_PUBLISH_BATCH per send, BENCH_PUBLISH_IN_FLIGHT sends in flight),
 * or at a steady BENCH_RATE invoices/s when set. Latency of an invoice = time the driver sees its record on the posted
 * topic - time the driver issued the send of it (one clock, the driver's; keyed by invoice id, which every hop keeps
 * as the record key). Throughput = invoices / (last posted - first send). Rounds alternate which side goes first;
 * the median round is reported. Burst latencies are mostly queueing (an invoice waits for those published before it),
 * so each timed round then runs a paced phase (BENCH_PACED_INVOICES at BENCH_PACED_RATE/s, a rate both sides sustain)
 * whose p50/p99 are the latencies of an unloaded pipeline. With BENCH_PROFILE=1 (default) one extra, untimed round per side runs under the V8
 * CPU profiler (started after warm-up, stopped when the last invoice is posted) and its summary is printed.
 *
 * Environment (all optional):
 *   BENCH_INVOICES           invoices per measured round                  (default 5000)
 *   BENCH_WARMUP             warm-up invoices per round                   (default 500)
 *   BENCH_ROUNDS             timed rounds per side, median reported       (default 2)
 *   BENCH_PARTITIONS         partitions of every pipeline topic           (default 3)
 *   BENCH_RATE               0 = burst; otherwise invoices/s, steady      (default 0)
 *   BENCH_PACED_INVOICES     invoices of the paced latency phase; 0: none (default 1000)
 *   BENCH_PACED_RATE         its rate, invoices/s (below both capacities) (default 200)
 *   BENCH_PUBLISH_BATCH      invoices per producer.send()                 (default 100)
 *   BENCH_PUBLISH_IN_FLIGHT  sends in flight in burst mode                (default 4)
 *   BENCH_PROFILE            1: an extra profiled round per side          (default 1)
 *   BENCH_BARE_KAFKAJS       stock: bare runs kafkajs as published       (default stock)
 *                            (MESH_KAFKAJS=stock in its child); fast: with our kafkajs paths
 *                            (packages/kafkajs-paths), which the mesh side always has
 *   BENCH_PIN                1: pin the pipeline children (all their threads) to the last CPU and the
 *                            driver and infra to the others (taskset): steadier rounds (on a 2-CPU VM
 *                            unpinned rounds vary by a third), but a side's GC threads then share its
 *                            one core, which costs the mesh more (it allocates more)   (default 0)
 *   BENCH_EVENT_COUNTERS     1: also time every decode, handler call and  (default 0)
 *                            encode on both sides (a wrapper per call costs the mesh's async calls
 *                            more than bare's inline timing, so it is off in measured runs)
 *   BENCH_PROFILE_DIR        where the .cpuprofile files go               (default: a temp dir)
 *   BENCH_HEAP_PROFILE       1: the profiled round also samples allocations, garbage included, into
 *                            <side>.heapprofile beside the .cpuprofile (open in Chrome DevTools)  (default 0)
 *   BENCH_LAYOUT             single: the 4 hops of a side in one process;
 *                            per-agent: one process per hop on each side  (default single)
 *   BENCH_SIDES              mesh,bare (or one of them)                   (default mesh,bare)
 *   BENCH_REDIS_URL          Redis for the mesh                           (default redis://127.0.0.1:6379)
 *   BENCH_SETTLE_TIMEOUT_MS  bound on one round's invoices being posted   (default 120000)
 *   BENCH_DEADLINE_MS        hard bound on the whole run                  (default 600000)
 *   BENCH_RUNTIME_DIST       benchmark another build of packages/runtime  (default packages/runtime/dist)
 */
'use strict';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

const { randomBytes } = require('node:crypto');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { envInt, withTimeout, sleep, procCpuMs, selfCpuMs, assertBuilt, hardDeadline } = require('./support/processes');
const { benchEntry, exitOnStop, serveControl, startChild } = require('./support/children');
const { Counters, timedMethod, instrumentKafkajs } = require('./support/counters');
const { kafkaClient, plainConsumer, publish } = require('./support/kafka');
const { redisClient, connectRedis, deleteKeys } = require('./support/redis');
const { fmt, percentile, comparisonTable, printCounters } = require('./support/report');
const { summarizeProfile } = require('./support/cpuprofile');
const { meshAgents } = require('./support/mesh-agents');

const ROOT = path.resolve(__dirname, '..', '..');
const DIST = {
  broker: path.join(ROOT, 'packages', 'broker', 'dist'),
  registry: path.join(ROOT, 'packages', 'schema-registry', 'dist'),
  runtime: process.env.BENCH_RUNTIME_DIST ? path.resolve(process.env.BENCH_RUNTIME_DIST) : path.join(ROOT, 'packages', 'runtime', 'dist'),
  examples: path.join(ROOT, 'packages', 'examples', 'dist'),
};
// Resolve third-party modules the way the runtime does, so patches and clients hit the very same module instances.
const fromRuntime = (id) => require(require.resolve(id, { paths: [path.join(ROOT, 'packages', 'runtime')] }));

const CFG = {
  invoices: Math.max(1, envInt('BENCH_INVOICES', 5000)),
  warmup: envInt('BENCH_WARMUP', 500),
  rounds: Math.max(1, envInt('BENCH_ROUNDS', 2)),
  partitions: Math.max(1, envInt('BENCH_PARTITIONS', 3)),
  rate: envInt('BENCH_RATE', 0),
  pacedInvoices: envInt('BENCH_PACED_INVOICES', 1000),
  pacedRate: Math.max(1, envInt('BENCH_PACED_RATE', 200)),
  publishBatch: Math.max(1, envInt('BENCH_PUBLISH_BATCH', 100)),
  publishInFlight: Math.max(1, envInt('BENCH_PUBLISH_IN_FLIGHT', 4)),
  profile: envInt('BENCH_PROFILE', 1) !== 0,
  eventCounters: envInt('BENCH_EVENT_COUNTERS', 0) !== 0,
  bareKafkajs: process.env.BENCH_BARE_KAFKAJS === 'fast' ? 'fast' : 'stock',
  pin: process.env.BENCH_PIN === '1',
  profileDir: process.env.BENCH_PROFILE_DIR || '',
  layout: process.env.BENCH_LAYOUT || 'single',
  sides: (process.env.BENCH_SIDES || 'mesh,bare').split(',').map((s) => s.trim()).filter(Boolean),
  redisUrl: process.env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379',
  settleTimeoutMs: envInt('BENCH_SETTLE_TIMEOUT_MS', 120000),
  deadlineMs: envInt('BENCH_DEADLINE_MS', 600000),
};

/** The four hops: agent name, module file in packages/examples/dist/invoice, factory, topics (mesh names). */
const HOPS = [
  { agent: 'ocr', module: 'ocr', factory: 'createOcrAgent', from: 'invoices.received', to: 'invoices.extracted' },
  { agent: 'validation', module: 'validation', factory: 'createValidationAgent', from: 'invoices.extracted', to: 'invoices.validated' },
  { agent: 'po-matching', module: 'po-matching', factory: 'createPoMatchingAgent', from: 'invoices.validated', to: 'invoices.matched' },
  { agent: 'accounting', module: 'accounting', factory: 'createAccountingAgent', from: 'invoices.matched', to: 'invoices.posted' },
];
const MESH_TOPICS = ['invoices.received', 'invoices.extracted', 'invoices.validated', 'invoices.matched', 'invoices.posted'];
const bareTopic = (t) => `bare.${t}`;
const FIRST = { mesh: MESH_TOPICS[0], bare: bareTopic(MESH_TOPICS[0]) };
const LAST = { mesh: MESH_TOPICS[4], bare: bareTopic(MESH_TOPICS[4]) };

// ---------------------------------------------------------------------------------------------------------------
// Children. `node pipeline.bench.js --child=infra|mesh|bare` (support/children.js); per-batch counters are cheap
// enough to leave on in timed rounds, per-event ones are not (BENCH_EVENT_COUNTERS).

async function infraChild(send) {
  const { startBroker } = require(DIST.broker);
  const { startSchemaRegistry, registerContracts, loadContracts } = require(DIST.registry);
  const broker = await startBroker({ port: 0, logLevel: 'warn', defaultPartitions: CFG.partitions });
  const registry = await startSchemaRegistry({ port: 0, brokers: [broker.address] });
  await registerContracts(registry.url, loadContracts());
  exitOnStop(async () => {
    await registry.stop();
    await broker.stop();
  });
  send({ type: 'ready', address: broker.address, registryUrl: registry.url });
}

/** The driver's requests about a pipeline child's counters (the rest of its control: support/children.js). */
function counterRequests(counters) {
  return {
    counters: () => counters.toJSON(),
    'reset-counters': () => {
      counters.reset();
      return null;
    },
  };
}

/** Times producer sends, batches and their commits of every kafkajs client made from now on in this process. */
function instrument(kafkajs, counters) {
  instrumentKafkajs(kafkajs, counters, {
    sendBatch: 'kafka produce (sendBatch)',
    send: 'kafka produce (send)',
    heartbeat: 'kafka produce (heartbeat)',
    eachBatch: async (payload, next) => {
      const commit = payload.commitOffsetsIfNecessary;
      payload.commitOffsetsIfNecessary = (o) => counters.time('kafka commit (in batch)', () => commit(o));
      const n = payload.batch.messages.length;
      if (n > 0) counters.add(`batch size ${payload.batch.topic}`, 0, n);
      await counters.time(n > 0 ? 'eachBatch (whole)' : 'eachBatch (empty)', next, n);
    },
  });
}

/**
 * CPU pinning (BENCH_PIN): the pipeline children get the last CPU to themselves (all their threads, GC helpers
 * included), the driver and the infra child the others; Redis is left where it is.
 */
const pinning = (() => {
  const cpus = os.cpus().length;
  let checked;
  // Asked on first use only: the children load this file too.
  const usable = () => (checked ??= CFG.pin && cpus >= 2 && spawnSync('taskset', ['-V']).status === 0);
  const pin = (pid, list) => {
    if (!usable()) return;
    const r = spawnSync('taskset', ['-a', '-p', '-c', list, String(pid)]);
    if (r.status !== 0) console.log(`(could not pin pid ${pid} to CPU ${list}: ${String(r.stderr).trim()})`);
  };
  return {
    describe: () => (usable() ? `pipeline pinned to CPU ${cpus - 1}, driver and infra to CPU 0-${cpus - 2}` : 'no CPU pinning'),
    pipeline: (pid) => pin(pid, String(cpus - 1)),
    others: (pid) => pin(pid, cpus > 2 ? `0-${cpus - 2}` : '0'),
  };
})();

const failureFree = () => ({ seed: 'bench', rates: { transient: 0, permanent: 0, slow: 0 } });

async function meshChild(send) {
  const counters = new Counters();
  // As in `mesh run`: our kafkajs paths in place (kafkajs's patched files read MESH_KAFKAJS as they load).
  delete process.env.MESH_KAFKAJS;
  require(DIST.runtime);
  instrument(fromRuntime('kafkajs'), counters);
  const { brokers, registryUrl, redisUrl, keyPrefix, logFile, hops } = JSON.parse(process.env.BENCH_CHILD);
  const agents = meshAgents(DIST.runtime, fromRuntime('pino'), counters, {
    name: 'bench-mesh',
    logFile,
    brokers,
    redisUrl,
    keyPrefix,
    defaultPartitions: CFG.partitions,
    storeTimers: { claim: 'redis claim', complete: 'redis complete', release: 'redis release' },
  });
  serveControl(send, agents.stop, counterRequests(counters));
  for (const hop of HOPS.filter((h) => hops.includes(h.agent))) {
    const base = require(path.join(DIST.examples, 'invoice', hop.module))[hop.factory]({ failures: failureFree() });
    const handle = base.handle;
    const agent = CFG.eventCounters ? { ...base, handle: (event, ctx) => counters.time('handler', () => handle(event, ctx), 1) } : base;
    // As runAgent assembles one agent process: its own codec (and store, metrics).
    const codec = new agents.rt.RegistryCodec({ url: registryUrl });
    if (CFG.eventCounters) {
      timedMethod(codec, 'decode', counters, 'codec decode', () => 1);
      timedMethod(codec, 'encode', counters, 'codec encode', () => 1);
    }
    await agents.add(agent, codec);
  }
  await agents.joined('the mesh agents to join their groups');
  send({ type: 'ready' });
}

async function bareChild(send) {
  const counters = new Counters();
  // kafkajs's patched files read MESH_KAFKAJS as each loads (some only at the first produce or fetch), so it is
  // set, for the child's whole life, before anything requires kafkajs.
  if (CFG.bareKafkajs === 'fast') delete process.env.MESH_KAFKAJS;
  else process.env.MESH_KAFKAJS = 'stock';
  const kafkajs = fromRuntime('kafkajs');
  instrument(kafkajs, counters);
  const { SchemaRegistry } = require('@kafkajs/confluent-schema-registry');
  const pino = fromRuntime('pino');
  const { brokers, registryUrl, hops } = JSON.parse(process.env.BENCH_CHILD);

  // The same avsc types the mesh's codec uses, looked up once: the latest schema of each topic's subject.
  const registry = new SchemaRegistry({ host: registryUrl });
  const latest = new Map();
  for (const t of MESH_TOPICS) {
    const id = await registry.getLatestSchemaId(`${t}-value`);
    latest.set(t, { id, type: await registry.getSchema(id) });
  }
  const typesById = new Map([...latest.values()].map((s) => [s.id, s.type]));
  const decode = (bytes) => {
    if (!bytes || bytes.length < 5 || bytes[0] !== 0) throw new Error('not a Confluent Avro frame');
    const type = typesById.get(bytes.readInt32BE(1));
    if (!type) throw new Error(`unknown schema id ${bytes.readInt32BE(1)}`);
    return type.fromBuffer(bytes.subarray(5));
  };
  const encode = (meshTopic, value) => {
    const { id, type } = latest.get(meshTopic);
    const body = type.toBuffer(value);
    const frame = Buffer.allocUnsafe(5 + body.length);
    frame[0] = 0;
    frame.writeInt32BE(id, 1);
    body.copy(frame, 5);
    return frame;
  };

  const silent = pino({ level: 'silent' });
  const signal = new AbortController().signal;
  const kafka = new kafkajs.Kafka({ clientId: 'bench-bare', brokers, logLevel: kafkajs.logLevel.NOTHING });
  const clients = [];
  const stop = async () => {
    await Promise.allSettled(clients.map((c) => c.disconnect()));
  };
  serveControl(send, stop, counterRequests(counters));
  const joined = [];
  for (const hop of HOPS.filter((h) => hops.includes(h.agent))) {
    const agent = require(path.join(DIST.examples, 'invoice', hop.module))[hop.factory]({ failures: failureFree() });
    const producer = kafka.producer({ idempotent: false });
    await producer.connect();
    clients.push(producer);
    const { consumer, joined: consumerJoined } = await plainConsumer(kafka, `bare-${hop.agent}`, [bareTopic(hop.from)]);
    clients.push(consumer);
    joined.push(consumerJoined);
    const ctx = { agent: hop.agent, eventId: '', attempt: 1, signal, logger: silent, span: undefined, breaker: () => ({ execute: (fn) => fn(signal) }) };
    await consumer.run({
      partitionsConsumedConcurrently: 4,
      eachBatch: async ({ batch }) => {
        const out = [];
        for (const m of batch.messages) {
          const t0 = CFG.eventCounters ? performance.now() : 0;
          const value = decode(m.value);
          const t1 = CFG.eventCounters ? performance.now() : 0;
          const event = { topic: hop.from, partition: batch.partition, offset: m.offset, key: m.key && m.key.toString(), value, headers: {}, eventId: '', correlationId: '', attempt: 1, timestamp: Number(m.timestamp) };
          const outputs = await agent.handle(event, ctx);
          const t2 = CFG.eventCounters ? performance.now() : 0;
          for (const o of outputs) out.push({ key: o.key === undefined ? event.key : o.key, value: encode(o.topic, o.value) });
          if (CFG.eventCounters) {
            const t3 = performance.now();
            counters.add('codec decode', t1 - t0, 1);
            counters.add('handler', t2 - t1, 1);
            counters.add('codec encode', t3 - t2, outputs.length);
          }
        }
        if (out.length > 0) await producer.sendBatch({ acks: -1, topicMessages: [{ topic: bareTopic(hop.to), messages: out }] });
      },
    });
  }
  await withTimeout(Promise.all(joined), 60000, 'the bare consumers to join their groups');
  send({ type: 'ready' });
}

// ---------------------------------------------------------------------------------------------------------------
// Driver: children

/** Starts a child of this file (no injected faults) and resolves once it says ready. */
function startPipelineChild(kind, env, timeoutMs, logFile) {
  return startChild(__filename, kind, { ...env, MESH_FAIL_TRANSIENT: '0', MESH_FAIL_PERMANENT: '0', MESH_FAIL_SLOW: '0' }, timeoutMs, logFile);
}

// ---------------------------------------------------------------------------------------------------------------
// Driver: publishing and timing

async function createTopics(admin, topics) {
  await admin.createTopics({ waitForLeaders: true, topics: topics.map((topic) => ({ topic, numPartitions: CFG.partitions })) });
}

/**
 * Follows both posted topics from one consumer: invoice id (the record key) -> time first seen.
 * Joined before anything is published, reading from the end.
 */
async function startCollector(kafka) {
  const seen = new Map(); // key -> performance.now()
  let duplicates = 0;
  const consumer = kafka.consumer({ groupId: `bench-collector-${randomBytes(3).toString('hex')}`, maxWaitTimeInMs: 100, sessionTimeout: 30000, heartbeatInterval: 3000 });
  await consumer.connect();
  const joined = new Promise((resolve) => consumer.on(consumer.events.GROUP_JOIN, resolve));
  await consumer.subscribe({ topics: [LAST.mesh, LAST.bare], fromBeginning: false });
  await consumer.run({
    partitionsConsumedConcurrently: CFG.partitions * 2,
    eachBatch: async ({ batch }) => {
      const now = performance.now();
      for (const m of batch.messages) {
        const key = m.key ? m.key.toString() : '';
        if (seen.has(key)) duplicates++;
        else seen.set(key, now);
      }
    },
  });
  await withTimeout(joined, 30000, 'the collector to join its group');
  return { seen, duplicates: () => duplicates, stop: () => consumer.disconnect() };
}

/** Publishes `count` invoices on `side` and waits (bounded) until each is posted. */
async function runBatch(env, side, count, label, rate = 0) {
  const runId = randomBytes(3).toString('hex');
  const invoices = env.examples.demoInvoices(`${side[0]}${runId}`, count);
  const records = invoices.map((inv) => {
    const eventId = env.examples.receivedEventId(inv.invoiceId);
    return { key: inv.invoiceId, value: env.encodeReceived(inv), headers: { 'mesh-event-id': eventId, 'mesh-correlation-id': eventId } };
  });
  const keys = records.map((r) => r.key);
  const cpu0 = env.cpuSnapshot();
  const t0 = performance.now();
  // Pre-encoded invoices; per-invoice send times. Burst, or steady at `rate` when set.
  const sentAt = await publish(env.producer, FIRST[side], records, { rate, batch: CFG.publishBatch, inFlight: CFG.publishInFlight, clock: () => performance.now() });
  const publishMs = performance.now() - t0;
  const deadline = performance.now() + CFG.settleTimeoutMs;
  let missing = count;
  while (performance.now() < deadline) {
    missing = 0;
    for (const k of keys) if (!env.collector.seen.has(k)) missing++;
    if (missing === 0) break;
    await sleep(20);
  }
  if (missing > 0) {
    const dlq = await env.dlqCounts();
    throw new Error(`${side} ${label}: ${missing} of ${count} invoices not posted within ${CFG.settleTimeoutMs} ms (mesh DLQ/retry records: ${JSON.stringify(dlq)})`);
  }
  const cpu1 = env.cpuSnapshot();
  const latencies = keys.map((k) => env.collector.seen.get(k) - sentAt.get(k)).sort((a, b) => a - b);
  const posted = keys.map((k) => env.collector.seen.get(k)).sort((a, b) => a - b);
  const lastPosted = posted[posted.length - 1];
  const elapsedMs = lastPosted - t0;
  const cpu = {};
  for (const k of Object.keys(cpu1)) cpu[k] = cpu1[k] !== null && cpu0[k] !== null ? ((cpu1[k] - cpu0[k]) / elapsedMs) * 100 : null;
  const cpuPerInvoiceMs = {};
  for (const k of Object.keys(cpu1)) cpuPerInvoiceMs[k] = cpu1[k] !== null && cpu0[k] !== null ? (cpu1[k] - cpu0[k]) / count : null;
  return {
    side,
    count,
    elapsedMs,
    publishMs,
    throughput: count / (elapsedMs / 1000),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies[latencies.length - 1],
    cpu,
    cpuPerInvoiceMs,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Report

/** The profiled side's summary: the runtime's and the kafkajs paths' files one by one (the build benchmarked may be BENCH_RUNTIME_DIST). */
function summarizePipelineProfile(file, label) {
  summarizeProfile(file, label, ROOT, {
    top: 18,
    topFunctions: 12,
    agentmeshModule: (f) => {
      if (f.startsWith(DIST.runtime + '/')) return `runtime ${f.slice(DIST.runtime.length + 1).replace(/\.js$/, '')}`;
      const pkg = /\/packages\/([^/]+)\/dist\/(.*)$/.exec(f);
      if (pkg) return pkg[1] === 'runtime' || pkg[1] === 'kafkajs-paths' ? `${pkg[1]} ${pkg[2].replace(/\.js$/, '')}` : `@agentmesh/${pkg[1]}`;
      return null;
    },
    own: (url) => /\/packages\/[^/]+\/dist\//.test(url) || url.includes(DIST.runtime),
  });
}

/** Records per consumed batch over a round, across hops (per-batch costs are paid this many times less per record). */
function meanBatch(counters) {
  let calls = 0;
  let items = 0;
  for (const [name, c] of Object.entries(counters)) {
    if (!name.startsWith('batch size ')) continue;
    calls += c.calls;
    items += c.items;
  }
  return calls > 0 ? items / calls : 0;
}

function printPipelineCounters(label, counters, invoices) {
  printCounters(
    `\n${label} timing counters over the measured ${fmt(invoices)} invoices (wall ms awaited; calls overlap, so sums exceed elapsed time):`,
    counters,
    invoices,
    { nameWidth: 40, countWidth: 9, per: 'calls/inv', perWidth: 10, perDigits: 3, untimed: (name) => name.startsWith('batch size') },
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Driver main

async function main() {
  assertBuilt(DIST);
  if (CFG.layout !== 'single' && CFG.layout !== 'per-agent') throw new Error(`BENCH_LAYOUT must be single or per-agent, got ${CFG.layout}`);
  for (const s of CFG.sides) if (s !== 'mesh' && s !== 'bare') throw new Error(`BENCH_SIDES: unknown side ${s}`);
  const deadline = hardDeadline(CFG.deadlineMs);

  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipeline-bench-'));
  const profileDir = CFG.profileDir || workDir;
  fs.mkdirSync(profileDir, { recursive: true });
  const kafkajs = fromRuntime('kafkajs');
  const Redis = fromRuntime('ioredis');
  const examples = require(DIST.examples);
  const keyPrefix = `bench:pipeline:${randomBytes(4).toString('hex')}`;

  let infra;
  let kafka;
  let admin;
  let producer;
  let collector;
  let redis;
  let redisPid = null;
  let current = null;
  const results = { mesh: [], bare: [] };
  const counters = {};
  const profiles = {};
  let failure = null;
  try {
    infra = await startPipelineChild('infra', {}, 30000, path.join(workDir, 'infra.log'));
    pinning.others(process.pid);
    pinning.others(infra.pid);
    const { address, registryUrl } = infra.ready;
    const brokers = [address];
    console.log(`broker ${address}, registry ${registryUrl} (pid ${infra.pid}); logs in ${workDir}`);

    redis = redisClient(Redis, CFG.redisUrl);
    if (CFG.sides.includes('mesh')) redisPid = await connectRedis(redis, CFG.redisUrl);

    kafka = kafkaClient(kafkajs, brokers, 'bench-driver');
    admin = kafka.admin();
    await admin.connect();
    await createTopics(admin, [...MESH_TOPICS, ...MESH_TOPICS.map(bareTopic)]);
    producer = kafka.producer({ idempotent: false });
    await producer.connect();
    collector = await startCollector(kafka);

    // The received invoices, Avro-encoded once by the driver (same bytes for both sides).
    const rt = require(DIST.runtime);
    const codec = new rt.RegistryCodec({ url: registryUrl });
    const received = await codec.latestSchema(MESH_TOPICS[0]);
    const encodeReceived = (inv) => {
      const body = received.type.toBuffer(inv);
      const frame = Buffer.allocUnsafe(5 + body.length);
      frame[0] = 0;
      frame.writeInt32BE(received.id, 1);
      body.copy(frame, 5);
      return frame;
    };
    const dlqCounts = async () => {
      const out = {};
      for (const hop of HOPS) {
        for (const t of [`${hop.agent}.dlq`, `${hop.agent}.retry.1`]) {
          try {
            out[t] = (await admin.fetchTopicOffsets(t)).reduce((n, p) => n + Number(p.high), 0);
          } catch {
            /* not created */
          }
        }
      }
      return out;
    };

    const startSide = async (side, round) => {
      const groups = CFG.layout === 'per-agent' ? HOPS.map((h) => [h.agent]) : [HOPS.map((h) => h.agent)];
      const kids = [];
      try {
        for (const hops of groups) {
          const name = `${side}-${round}${groups.length > 1 ? `-${hops[0]}` : ''}`;
          const env = { brokers, registryUrl, redisUrl: CFG.redisUrl, keyPrefix, hops, logFile: path.join(workDir, `${name}.log`) };
          const kid = await startPipelineChild(side, { BENCH_CHILD: JSON.stringify(env) }, 90000, path.join(workDir, `${name}.out`));
          pinning.pipeline(kid.pid);
          kids.push(kid);
        }
      } catch (err) {
        await Promise.all(kids.map((k) => k.stop()));
        throw err;
      }
      const sumCpu = () => kids.reduce((n, k) => (n === null ? null : procCpuMs(k.pid) === null ? null : n + procCpuMs(k.pid)), 0);
      const cpuSnapshot = () => ({ pipeline: sumCpu(), broker: procCpuMs(infra.pid), redis: redisPid ? procCpuMs(redisPid) : null, driver: selfCpuMs() });
      const child = {
        call: (type, extra = {}, ms) =>
          Promise.all(kids.map((k, i) => k.call(type, extra.file && kids.length > 1 ? { ...extra, file: extra.file.replace(/\.cpuprofile$/, `-${groups[i][0]}.cpuprofile`) } : extra, ms))),
        stop: () => Promise.all(kids.map((k) => k.stop())),
      };
      return { child, env: { examples, producer, collector, encodeReceived, dlqCounts, cpuSnapshot } };
    };
    const mergeCounters = (list) => {
      const out = {};
      for (const c of list) {
        for (const [name, v] of Object.entries(c)) {
          const o = (out[name] = out[name] || { calls: 0, ms: 0, items: 0 });
          o.calls += v.calls;
          o.ms += v.ms;
          o.items += v.items;
        }
      }
      return out;
    };

    const runSide = async (side, round, profile) => {
      const label = profile ? `${side} (profiled)` : `${side} round ${round}`;
      process.stdout.write(`${label}: starting ...`);
      current = await startSide(side, round);
      const { child, env } = current;
      try {
        if (CFG.warmup > 0) {
          process.stdout.write(' warm-up ...');
          await runBatch(env, side, CFG.warmup, 'warmup');
        }
        await child.call('reset-counters');
        if (profile) await child.call('profile-start');
        process.stdout.write(' measuring ...');
        const r = await runBatch(env, side, CFG.invoices, label, CFG.rate);
        if (profile) profiles[side] = await child.call('profile-stop', { file: path.join(profileDir, `${side}.cpuprofile`) }, 60000);
        const c = mergeCounters(await child.call('counters'));
        console.log(
          ` ${fmt(r.throughput)} inv/s, p50 ${fmt(r.p50)} ms, p99 ${fmt(r.p99)} ms; CPU % pipeline ${fmt(r.cpu.pipeline)}, ` +
            `broker ${fmt(r.cpu.broker)}, redis ${fmt(r.cpu.redis)}, driver ${fmt(r.cpu.driver)}; ${fmt(meanBatch(c))} records per batch`,
        );
        if (!profile) {
          if (CFG.pacedInvoices > 0) {
            process.stdout.write(`${' '.repeat(label.length)}  paced ${fmt(CFG.pacedRate)} inv/s ...`);
            const paced = await runBatch(env, side, CFG.pacedInvoices, `${label} paced`, CFG.pacedRate);
            r.pacedP50 = paced.p50;
            r.pacedP99 = paced.p99;
            console.log(` p50 ${fmt(paced.p50)} ms, p99 ${fmt(paced.p99)} ms, pipeline CPU ${fmt(paced.cpu.pipeline)}%`);
          }
          results[side].push(r);
          counters[side] = counters[side] || c; // the first timed round's counters
        }
      } finally {
        await child.stop();
        current = null;
      }
    };

    for (let round = 1; round <= CFG.rounds; round++) {
      const order = round % 2 === 1 ? CFG.sides : [...CFG.sides].reverse();
      for (const side of order) await runSide(side, round, false);
    }
    if (CFG.profile) for (const side of CFG.sides) await runSide(side, 'profile', true);
  } catch (err) {
    failure = err;
    console.log('');
  } finally {
    if (current) await current.child.stop().catch(() => {});
    if (collector) await withTimeout(collector.stop(), 10000, 'collector stop').catch(() => {});
    if (producer) await producer.disconnect().catch(() => {});
    if (admin) await admin.disconnect().catch(() => {});
    if (infra) await infra.stop(8000).catch(() => {});
    if (redis && redis.status === 'ready') {
      // The bench's own idempotency keys, by their prefix (bounded).
      const deleted = await deleteKeys(redis, keyPrefix, { count: 2000, timeoutMs: 20000 });
      if (deleted > 0) console.log(`deleted ${fmt(deleted)} idempotency keys under ${keyPrefix}`);
      redis.disconnect();
    }
  }

  printReport(results, counters, profiles);
  if (failure) throw failure;
  clearTimeout(deadline);
}

function median(rows, key) {
  const v = rows.map((r) => r[key]).filter((x) => x !== null && x !== undefined).sort((a, b) => a - b);
  if (v.length === 0) return null;
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
}

function printReport(results, counters, profiles) {
  const summary = {};
  for (const side of ['mesh', 'bare']) {
    const rows = results[side];
    if (rows.length === 0) continue;
    // The round with the median throughput, so a row's figures belong together.
    const sorted = [...rows].sort((a, b) => a.throughput - b.throughput);
    const mid = sorted[Math.floor((sorted.length - 1) / 2)];
    summary[side] = { ...mid };
    for (const k of ['throughput', 'p50', 'p99', 'max', 'pacedP50', 'pacedP99']) summary[side][k] = median(rows, k);
  }
  if (!summary.mesh && !summary.bare) return;
  const m = summary.mesh;
  const b = summary.bare;
  const { line, row } = comparisonTable(m, b, { labelWidth: 36, width: 12 });
  console.log('');
  console.log(
    `kafkajs ${require(require.resolve('kafkajs/package.json', { paths: [path.join(ROOT, 'packages', 'runtime')] })).version}, node ${process.version}, ` +
      `${os.cpus().length} CPU(s); ${fmt(CFG.invoices)} invoices per round after ${fmt(CFG.warmup)} warm-up, ` +
      `${CFG.rate > 0 ? `steady ${fmt(CFG.rate)} inv/s` : `burst (${CFG.publishBatch}/send, ${CFG.publishInFlight} in flight)`}, ` +
      `${CFG.partitions} partitions, ${CFG.layout === 'single' ? '4 hops in one process per side' : 'one process per hop (4 per side)'}; median of ${CFG.rounds} round(s); ` +
      `kafkajs hot paths: mesh ours (packages/kafkajs-paths), bare ${CFG.bareKafkajs === 'fast' ? 'ours too (BENCH_BARE_KAFKAJS=fast)' : "kafkajs's own"}; ${pinning.describe()}`,
  );
  console.log('');
  line('', 'mesh', 'bare', 'mesh/bare');
  row('throughput, invoices/s (whole run)', (s) => s.throughput);
  row('burst latency p50, ms', (s) => s.p50);
  row('burst latency p99, ms', (s) => s.p99);
  row('burst latency max, ms', (s) => s.max);
  if (CFG.pacedInvoices > 0) {
    row(`paced (${CFG.pacedRate}/s) latency p50, ms`, (s) => s.pacedP50, 1);
    row(`paced (${CFG.pacedRate}/s) latency p99, ms`, (s) => s.pacedP99, 1);
  }
  row('pipeline process CPU, % of a core', (s) => s.cpu.pipeline);
  row('broker process CPU, %', (s) => s.cpu.broker);
  row('redis-server CPU, %', (s) => s.cpu.redis);
  row('driver CPU, %', (s) => s.cpu.driver);
  row('pipeline CPU per invoice, ms', (s) => s.cpuPerInvoiceMs.pipeline, 3);
  row('broker CPU per invoice, ms', (s) => s.cpuPerInvoiceMs.broker, 3);
  row('redis CPU per invoice, ms', (s) => s.cpuPerInvoiceMs.redis, 3);
  for (const side of ['mesh', 'bare']) {
    if (results[side].length > 1) console.log(`${side} rounds, inv/s: ${results[side].map((r) => fmt(r.throughput)).join(', ')}`);
  }
  if (m && b) {
    const pct = (m.throughput / b.throughput) * 100;
    console.log(`\nmesh throughput = ${fmt(pct)}% of the bare chain's (target: 70% or more) -> ${pct >= 70 ? 'MET' : 'NOT MET'}`);
  }
  for (const side of ['mesh', 'bare']) if (counters[side]) printPipelineCounters(side, counters[side], CFG.invoices);
  for (const side of ['mesh', 'bare']) for (const file of profiles[side] || []) summarizePipelineProfile(file, side);
  console.log('');
}

// ---------------------------------------------------------------------------------------------------------------

benchEntry({ infra: infraChild, mesh: meshChild, bare: bareChild }, main);
