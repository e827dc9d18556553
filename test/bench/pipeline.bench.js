#!/usr/bin/env node
/*
 * Pipeline benchmark (not a test): the four-agent invoice pipeline with every guarantee on ("mesh") against a bare
 * kafkajs consume-and-produce chain with no guarantees ("bare"), over the same embedded broker, in one run.
 *
 * Run: npm run bench:pipeline   (= npm run build && node test/bench/pipeline.bench.js)
 *      npm run bench:pipeline -- --invoices=2000 --rounds=1   (flags are the env names below, lower case, - for _)
 *      npm run bench:pipeline -- --durable                    (the durable mode only; --modes=memory: today's run)
 *
 * Modes: by default the whole bench (every round of both sides) runs three times, one mode after the other, and the
 * report of each is printed, the durable one first (it is the headline, the way production runs):
 *   durable  the broker with a data dir (startBroker's dataDir, what `mesh broker --data-dir` runs: appends reach
 *            the kernel before they are acknowledged, no fsync per append) in a fresh temp dir, and Redis with AOF,
 *            appendfsync everysec: a PRIVATE redis-server started by the bench on a free port of 127.0.0.1
 *            (--appendonly yes --appendfsync everysec --save '' --dir <fresh temp dir>), since the shared Redis is
 *            a system service and is not reconfigured. Both dirs are removed at the end, also on failure.
 *   memory   the in-memory broker and the Redis of BENCH_REDIS_URL as it is configured (today's run).
 *   sasl     memory, with every client (mesh, bare, driver) on the broker's SASL_SSL listener: SCRAM-SHA-512 over
 *            TLS, a CA and certificate made with openssl for the run (the registry's own client stays plaintext).
 * The first line of each mode's run and of its report says which ran. The profiled round (BENCH_PROFILE) runs in
 * the first mode only. One mode of the default counts takes about a minute on a 2-core machine, so both stay
 * within ~2 minutes per mode; BENCH_MODES=durable (or --durable) or BENCH_MODES=memory runs one.
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
 *   - Redis (already running, or the bench's private one in durable mode) for the mesh side only: that cost is
 *     part of the guarantee.
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
 * Where one hop's time goes (mesh, paced phase; BENCH_BREAKDOWN=0 turns it off): for every record one agent
 * passes to the next in the paced phase, time stamps along its path, taken by hooks in the pipeline child(ren) and
 * in the broker's process (support/breakdown.js), all on one host clock (performance.timeOrigin +
 * performance.now(), sub-ms), split the hop "agent N's handler returns -> agent N+1's handler runs" into
 * consecutive named segments: agent N's outputs encoded and handed to its BatchProducer -> kafkajs sendBatch
 * (the coalescing turn, its request in flight) -> Broker.produce (partitioning, the idempotent producer's broker
 * lock) -> its socket write called -> the broker has decoded it -> appended -> agent N+1 issues the
 * fetch that will carry it (kafkajs fetches once per broker and issues the next fetch only once the last one's
 * batches are handled; 0 when a fetch was already waiting) -> that fetch reaches the broker -> the record goes out
 * in a fetch response (timed inside the broker: its Produce and Fetch handlers wrapped) -> agent N+1 has
 * the response frame -> decoded -> eachBatch starts -> idempotency claim done -> its handler runs (processEvent:
 * trace, Avro decode). Printed as a table in the paced section, pooled over the three agent-to-agent hops
 * (ocr -> validation -> po-matching -> accounting; each hop's total on a line below), per segment: p50, p99,
 * mean, and "mid", the segment's mean over the fifth of the records whose hops lie around the median (p40-p60):
 * the mids add up to about the hop's p50, the means to its mean exactly, the p50s of skewed segments to less. A
 * hop has no clock of its own to check against (the driver's paced latency spans five hops and four handlers),
 * so the remainders are taken against the hop's total on the same stamps. Then the mids by area, and what happens
 * beside the path (Produce acks, agent N's idempotency complete, agent N+1's handler). Works with either layout
 * (stamps are joined across the pipeline children by event id). In BENCH_JSON as the mesh rounds' breakdown. The
 * hooks (support/breakdown.js) cost a few µs per record and stamp only while the paced phase runs. Nothing under
 * packages/ is changed.
 *
 * Environment / flags (all optional):
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
 *   BENCH_MODES              all, both (durable,memory), durable, memory, sasl or a comma list  (default all)
 *   BENCH_DURABLE            1: durable only (= BENCH_MODES=durable), 0: memory only
 *   BENCH_BREAKDOWN          0: no per-record time stamps in the paced phase  (default 1)
 *   BENCH_REDIS_URL          Redis for the mesh, memory mode              (default redis://127.0.0.1:6379)
 *   BENCH_SETTLE_TIMEOUT_MS  bound on one round's invoices being posted   (default 120000)
 *   BENCH_DEADLINE_MS        hard bound on the whole run                  (default 600000 per mode)
 *   BENCH_JSON               also write every figure (rounds, counters, breakdowns) to this JSON file:
 *                            { config, runs: [{ mode, description, results, counters }] }
 *   BENCH_RUNTIME_DIST       benchmark another build of packages/runtime  (default packages/runtime/dist)
 */
'use strict';

// Flags: --invoices=500 sets BENCH_INVOICES=500 (children inherit the environment, so they see the same CFG).
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a.startsWith('--child=')) continue;
  const m = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/.exec(a);
  if (!m)
    throw new Error(`unknown argument ${a} (flags: the BENCH_* names, lower case, - for _: --invoices=N, --rounds=N, --paced-invoices=N, --profile=0, --durable, --modes=both|durable|memory, ...)`);
  let value = m[2];
  if (value === undefined) {
    const nextArg = process.argv[i + 1];
    value = nextArg !== undefined && !nextArg.startsWith('--') ? (i++, nextArg) : '1';
  }
  process.env[`BENCH_${m[1].toUpperCase().replace(/-/g, '_')}`] = value;
}

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

const { randomBytes } = require('node:crypto');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { envInt, withTimeout, sleep, procCpuMs, selfCpuMs, assertBuilt, hardDeadline } = require('./support/processes');
const { benchEntry, serveControl, startChild } = require('./support/children');
const { Counters, timedMethod, instrumentKafkajs } = require('./support/counters');
const { kafkaClient, kafkaSecurity, plainConsumer, publish } = require('./support/kafka');
const { redisClient, connectRedis, deleteKeys } = require('./support/redis');
const { fmt, percentile, comparisonTable, printCounters } = require('./support/report');
const { summarizeProfile } = require('./support/cpuprofile');
const { meshAgents } = require('./support/mesh-agents');
const breakdown = require('./support/breakdown');
const { modesToRun, setUpMode } = require('./support/modes');

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
  sides: (process.env.BENCH_SIDES || 'mesh,bare')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
  redisUrl: process.env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379',
  settleTimeoutMs: envInt('BENCH_SETTLE_TIMEOUT_MS', 120000),
  modes: modesToRun(),
  breakdown: envInt('BENCH_BREAKDOWN', 1) !== 0,
  deadlineMs: envInt('BENCH_DEADLINE_MS', 600000 * modesToRun().length),
  json: process.env.BENCH_JSON || '',
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
/** Topics whose records the paced phase's breakdown follows: every agent's input (the hops' inputs and outputs). */
const TRACKED_TOPICS = HOPS.map((h) => h.from);

// ---------------------------------------------------------------------------------------------------------------
// Children. `node pipeline.bench.js --child=infra|mesh|bare` (support/children.js); per-batch counters are cheap
// enough to leave on in timed rounds, per-event ones are not (BENCH_EVENT_COUNTERS).

async function infraChild(send) {
  const { startBroker } = require(DIST.broker);
  const { startSchemaRegistry, registerContracts, loadContracts } = require(DIST.registry);
  const { dataDir, security } = JSON.parse(process.env.BENCH_INFRA || '{}');
  // The broker's Produce and Fetch handlers, timed per record while the driver asks (the paced phase).
  const stamps = new breakdown.Stamps();
  breakdown.hookBroker(DIST.broker, stamps);
  // The sasl mode: a SASL_SSL listener beside the plaintext one (which the registry's own client keeps using).
  const secured = security
    ? {
        listeners: 'PLAINTEXT://127.0.0.1:0,SASL_SSL://127.0.0.1:0',
        tls: { certFile: security.certFile, keyFile: security.keyFile },
        sasl: { users: [{ name: security.user, password: security.password }] },
      }
    : {};
  const broker = await startBroker({ port: 0, logLevel: 'warn', defaultPartitions: CFG.partitions, ...(dataDir ? { dataDir } : {}), ...secured });
  const registry = await startSchemaRegistry({ port: 0, brokers: [broker.address] });
  await registerContracts(registry.url, loadContracts());
  serveControl(
    send,
    async () => {
      await registry.stop();
      await broker.stop();
    },
    breakdown.stampRequests(stamps),
  );
  const address = security ? broker.listeners.find((l) => l.name === 'SASL_SSL').address : broker.address;
  send({ type: 'ready', address, registryUrl: registry.url });
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

/**
 * Times producer sends, batches and their commits of every kafkajs client made from now on in this process;
 * with `stamps`, also each tracked record's path (support/breakdown.js).
 */
function instrument(kafkajs, counters, stamps) {
  if (stamps) breakdown.hookKafkajs(kafkajs, path.dirname(require.resolve('kafkajs/package.json', { paths: [path.join(ROOT, 'packages', 'runtime')] })), stamps);
  instrumentKafkajs(kafkajs, counters, {
    sendBatch: 'kafka produce (sendBatch)',
    send: 'kafka produce (send)',
    heartbeat: 'kafka produce (heartbeat)',
    eachBatch: async (payload, next) => {
      if (stamps && payload.batch.messages.length > 0) breakdown.markBatch(stamps, payload.batch);
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
  const stamps = CFG.breakdown ? new breakdown.Stamps() : undefined;
  instrument(fromRuntime('kafkajs'), counters, stamps);
  if (stamps) breakdown.hookBatchProducer(require(path.join(DIST.runtime, 'internal')).BatchProducer, stamps);
  const { brokers, registryUrl, redisUrl, keyPrefix, logFile, hops } = JSON.parse(process.env.BENCH_CHILD);
  const agents = meshAgents(DIST.runtime, fromRuntime('pino'), counters, {
    name: 'bench-mesh',
    logFile,
    brokers,
    redisUrl,
    keyPrefix,
    defaultPartitions: CFG.partitions,
    storeTimers: { claim: 'redis claim', complete: 'redis complete', release: 'redis release' },
    stamps,
  });
  serveControl(send, agents.stop, { ...counterRequests(counters), ...(stamps ? breakdown.stampRequests(stamps) : {}) });
  for (const hop of HOPS.filter((h) => hops.includes(h.agent))) {
    const base = require(path.join(DIST.examples, 'invoice', hop.module))[hop.factory]({ failures: failureFree() });
    const handle = base.handle;
    const timed = CFG.eventCounters ? (event, ctx) => counters.time('handler', () => handle(event, ctx), 1) : handle;
    // The handler's start and end, per event, while the driver asks (the paced phase's breakdown).
    const stamped = (event, ctx) => {
      if (!stamps.on) return timed(event, ctx);
      stamps.markKnown(event.eventId, 'handler.start');
      return Promise.resolve(timed(event, ctx)).then((out) => {
        stamps.markKnown(event.eventId, 'handler.end');
        return out;
      });
    };
    const agent = stamps ? { ...base, handle: stamped } : CFG.eventCounters ? { ...base, handle: timed } : base;
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
  const kafka = new kafkajs.Kafka({ clientId: 'bench-bare', brokers, logLevel: kafkajs.logLevel.NOTHING, ...kafkaSecurity() });
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
          const event = {
            topic: hop.from,
            partition: batch.partition,
            offset: m.offset,
            key: m.key && m.key.toString(),
            value,
            headers: {},
            eventId: '',
            correlationId: '',
            attempt: 1,
            timestamp: Number(m.timestamp),
          };
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
  printCounters(`\n${label} timing counters over the measured ${fmt(invoices)} invoices (wall ms awaited; calls overlap, so sums exceed elapsed time):`, counters, invoices, {
    nameWidth: 40,
    countWidth: 9,
    per: 'calls/inv',
    perWidth: 10,
    perDigits: 3,
    untimed: (name) => name.startsWith('batch size'),
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Driver main

async function main() {
  assertBuilt(DIST);
  if (CFG.layout !== 'single' && CFG.layout !== 'per-agent') throw new Error(`BENCH_LAYOUT must be single or per-agent, got ${CFG.layout}`);
  for (const s of CFG.sides) if (s !== 'mesh' && s !== 'bare') throw new Error(`BENCH_SIDES: unknown side ${s}`);
  const deadline = hardDeadline(CFG.deadlineMs);
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipeline-bench-'));
  const runs = [];
  let failure = null;
  // One mode after the other (the durable one first), each with its own broker, registry, Redis and children;
  // the profiled round in the first only.
  for (const mode of CFG.modes) {
    const run = await runMode(mode, workDir, runs.length === 0 && CFG.profile);
    runs.push(run);
    if (run.failure && !failure) failure = run.failure;
  }
  if (CFG.json) {
    const out = { config: CFG, runs: runs.map(({ mode, description, results, counters }) => ({ mode, description, results, counters })) };
    fs.writeFileSync(CFG.json, JSON.stringify(out, null, 2));
  }
  for (const run of runs) printReport(run);
  if (runs.length > 1) printModes(runs);
  if (failure) throw failure;
  clearTimeout(deadline);
}

/**
 * The whole bench in one mode (support/modes.js): its broker (with a data dir in durable mode) and registry, its
 * Redis (the bench's private AOF one in durable mode), every round of both sides, and the profiled round when
 * `profile`. Never rejects: a failure is returned with what was measured. Resolves to { mode, description,
 * results, counters, profiles, failure }.
 */
async function runMode(mode, workDir, withProfile) {
  const profileDir = CFG.profileDir || workDir;
  fs.mkdirSync(profileDir, { recursive: true });
  const kafkajs = fromRuntime('kafkajs');
  const Redis = fromRuntime('ioredis');
  const examples = require(DIST.examples);
  const keyPrefix = `bench:pipeline:${randomBytes(4).toString('hex')}`;

  let setup;
  let description = mode;
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
    console.log(`\n[${mode}] starting ...`);
    setup = await setUpMode(mode, { redisUrl: CFG.redisUrl, workDir });
    const redisUrl = setup.redisUrl;
    infra = await startPipelineChild('infra', { BENCH_INFRA: JSON.stringify({ dataDir: setup.brokerDataDir, security: setup.security }) }, 30000, path.join(workDir, `infra-${mode}.log`));
    // The sasl mode's clients: the driver's and, through the environment, the children's.
    const securityEnv = setup.security ? { BENCH_KAFKA_SECURITY: JSON.stringify({ caFile: setup.security.caFile, user: setup.security.user, password: setup.security.password }) } : {};
    pinning.others(process.pid);
    pinning.others(infra.pid);
    const { address, registryUrl } = infra.ready;
    const brokers = [address];

    redis = redisClient(Redis, redisUrl);
    // The mode's line needs Redis answering; the shared one is asked only when the mesh runs.
    if (CFG.sides.includes('mesh') || mode === 'durable') redisPid = await connectRedis(redis, redisUrl);
    if (!CFG.sides.includes('mesh')) redisPid = null;
    description = redis.status === 'ready' ? await setup.describe(redis) : `${mode} (Redis not used: no mesh side)`;
    console.log(`mode: ${description}`);
    console.log(`broker ${address}, registry ${registryUrl} (pid ${infra.pid}); logs in ${workDir}`);

    kafka = kafkaClient(kafkajs, brokers, 'bench-driver', kafkaSecurity(securityEnv));
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
          const name = `${side}-${mode}-${round}${groups.length > 1 ? `-${hops[0]}` : ''}`;
          const env = { brokers, registryUrl, redisUrl, keyPrefix, hops, logFile: path.join(workDir, `${name}.log`) };
          const kid = await startPipelineChild(side, { BENCH_CHILD: JSON.stringify(env), ...securityEnv }, 90000, path.join(workDir, `${name}.out`));
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
        if (profile) profiles[side] = await child.call('profile-stop', { file: path.join(profileDir, `${side}-${mode}.cpuprofile`) }, 60000);
        const c = mergeCounters(await child.call('counters'));
        console.log(
          ` ${fmt(r.throughput)} inv/s, p50 ${fmt(r.p50)} ms, p99 ${fmt(r.p99)} ms; CPU % pipeline ${fmt(r.cpu.pipeline)}, ` +
            `broker ${fmt(r.cpu.broker)}, redis ${fmt(r.cpu.redis)}, driver ${fmt(r.cpu.driver)}; ${fmt(meanBatch(c))} records per batch`,
        );
        if (!profile) {
          if (CFG.pacedInvoices > 0) {
            process.stdout.write(`${' '.repeat(label.length)}  paced ${fmt(CFG.pacedRate)} inv/s ...`);
            // The mesh's paced phase: every record's path stamped in the pipeline child(ren) and the broker.
            const stamped = CFG.breakdown && side === 'mesh';
            if (stamped) await Promise.all([child.call('stamps-start', { topics: TRACKED_TOPICS }), infra.call('stamps-start', { topics: TRACKED_TOPICS })]);
            let paced;
            try {
              paced = await runBatch(env, side, CFG.pacedInvoices, `${label} paced`, CFG.pacedRate);
            } finally {
              if (stamped) {
                // Also after a failed phase (the broker would go on stamping); a child gone by then has none to give.
                const stop = (k) =>
                  Promise.resolve()
                    .then(() => k.call('stamps-stop', {}, 60000))
                    .catch(() => null);
                const [kids, broker] = await Promise.all([stop(child), stop(infra)]);
                if (paced) r.breakdown = hopBreakdown(kids || [], broker);
              }
            }
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
    if (withProfile) for (const side of CFG.sides) await runSide(side, 'profile', true);
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
      // The bench's own idempotency keys, by their prefix (bounded); the private server goes with its files.
      if (mode === 'memory') {
        const deleted = await deleteKeys(redis, keyPrefix, { count: 2000, timeoutMs: 20000 });
        if (deleted > 0) console.log(`deleted ${fmt(deleted)} idempotency keys under ${keyPrefix}`);
      }
      redis.disconnect();
    }
    if (setup) await setup.stop().catch((err) => console.error(`could not stop/remove the ${mode} mode's Redis or broker data: ${err.message}`));
  }
  return { mode, description, results, counters, profiles, failure };
}

/**
 * A hop's path, as support/breakdown.js pathBreakdown takes it: `in` is the event agent N handled, `out` the
 * record its handler's output became (caused by it), consumed by agent N+1. Each point ends the segment there.
 */
const HOP_PATH = [
  { at: ['in', 'handler.end'] },
  { at: ['out', 'produce.handed'], where: 'agent N', area: 'mesh code', label: 'handler returned -> outputs encoded (Avro), batch settled -> BatchProducer' },
  { at: ['out', 'produce.sendBatch'], where: 'agent N', area: 'producer waits', label: 'BatchProducer: coalescing turn, request in flight -> sendBatch' },
  { at: ['out', 'produce.request'], where: 'agent N', area: 'kafkajs client', label: 'kafkajs producer: partitioning, idempotent broker lock' },
  { at: ['out', 'produce.written'], where: 'agent N', area: 'kafkajs client', label: 'kafkajs: encode Produce, request queue -> socket write called' },
  { at: ['out', 'broker.received'], where: 'broker', area: 'network + broker', label: 'write -> broker decodes the Produce (kernel, its event loop)' },
  { at: ['out', 'broker.appended'], where: 'broker', area: 'network + broker', label: 'broker: append' },
  { at: ['out', 'fetch.issued'], where: 'agent N+1', area: 'no fetch out (consumer busy)', label: 'appended -> agent N+1 issues its next fetch (previous batch in hand)' },
  { at: ['out', 'fetch.arrived'], where: 'broker', area: 'network + broker', label: 'that fetch reaches the broker' },
  { at: ['out', 'broker.fetchSent'], where: 'broker', area: 'network + broker', label: 'broker: long poll wakes / answers -> fetch response written' },
  { at: ['out', 'consume.received'], where: 'agent N+1', area: 'network + broker', label: 'socket -> agent N+1 has the fetch response frame' },
  { at: ['out', 'consume.fetched'], where: 'agent N+1', area: 'kafkajs client', label: 'kafkajs: decode the fetch response' },
  { at: ['out', 'consume.batch'], where: 'agent N+1', area: 'consumer loop', label: 'kafkajs consumer loop -> eachBatch starts' },
  { at: ['out', 'claim.done'], where: 'agent N+1', area: 'idempotency (Redis)', label: 'readBatch + idempotency claim (Redis)' },
  { at: ['out', 'handler.start'], where: 'agent N+1', area: 'mesh code', label: 'processEvent: trace, decode (Avro) -> handler runs' },
];
const HOP_OFF_PATH = [
  { label: 'agent N: output Produce written -> acked', from: ['out', 'produce.written'], to: ['out', 'produce.acked'] },
  { label: 'agent N: idempotency complete (Redis), once the output is acked', from: ['in', 'complete.start'], to: ['in', 'complete.done'] },
  { label: 'agent N: handler returned -> completion written (its batch done)', from: ['in', 'handler.end'], to: ['in', 'complete.done'] },
  { label: 'agent N+1: its handler', from: ['out', 'handler.start'], to: ['out', 'handler.end'] },
];
/** The agent-to-agent hops, by the topic between them. */
const INNER_HOPS = HOPS.slice(1).map((h, i) => ({ topic: h.from, name: `${HOPS[i].agent} -> ${h.agent}` }));

/** The paced phase's hop breakdown from the stamps of the pipeline child(ren) and the broker: pooled, and per hop. */
function hopBreakdown(kids, broker) {
  const events = breakdown.joinStamps(kids, broker);
  const samples = [];
  for (const [, e] of events) {
    const hop = INNER_HOPS.find((h) => h.topic === e.topic);
    const cause = e.cause !== undefined ? events.get(e.cause) : undefined;
    if (hop && cause) samples.push({ hop: hop.name, in: cause, out: e });
  }
  const bd = breakdown.pathBreakdown(samples, HOP_PATH, HOP_OFF_PATH);
  bd.hops = INNER_HOPS.map((h) => {
    const one = breakdown.pathBreakdown(
      samples.filter((s) => s.hop === h.name),
      HOP_PATH,
    );
    return { name: h.name, samples: one.samples, total: one.total, areas: one.areas };
  });
  return bd;
}

function median(rows, key) {
  const v = rows
    .map((r) => r[key])
    .filter((x) => x !== null && x !== undefined)
    .sort((a, b) => a - b);
  if (v.length === 0) return null;
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
}

function printReport({ mode, description, results, counters, profiles }) {
  console.log('');
  console.log(`===== ${mode} mode: ${description}`);
  const summary = summarize(results);
  if (!summary.mesh && !summary.bare) return;
  const m = summary.mesh;
  const b = summary.bare;
  const { line, row } = comparisonTable(m, b, { labelWidth: 36, width: 12 });
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
  const bd = m && m.breakdown;
  if (bd) {
    console.log('');
    breakdown.printBreakdown(
      `paced, mesh: where one hop's time goes (agent N's handler returns -> agent N+1's handler runs), ${fmt(bd.samples)} records over the hops ` +
        `${INNER_HOPS.map((h) => h.name).join(', ')}; stamps in the pipeline process(es) and the broker on one host clock; ms`,
      bd,
    );
    console.log(`  per hop, total p50 (mid sum): ${bd.hops.map((h) => `${h.name} ${fmt(h.total.p50, 1)} (${fmt(h.total.mid, 1)}), ${fmt(h.samples)} records`).join('; ')}`);
    console.log('');
    line('', 'mesh', 'bare', 'mesh/bare');
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

/** The modes' headline figures side by side, when both ran. */
function printModes(runs) {
  printSecurityCompared(runs);
  const d = runs.find((r) => r.mode === 'durable');
  const mem = runs.find((r) => r.mode === 'memory');
  if (!d || !mem) return;
  const sd = summarize(d.results);
  const sm = summarize(mem.results);
  const { line, row } = comparisonTable(sd, sm, { labelWidth: 46, width: 12 });
  console.log('');
  console.log('===== modes compared (medians): durable = broker --data-dir + Redis AOF everysec; memory = in-memory broker + Redis as configured');
  line('', 'durable', 'memory', 'dur/mem');
  for (const side of ['mesh', 'bare']) {
    row(`${side} throughput, invoices/s`, (s) => s[side].throughput);
    row(`${side} paced latency p50, ms`, (s) => s[side].pacedP50, 1);
    row(`${side} paced latency p99, ms`, (s) => s[side].pacedP99, 1);
  }
  row('mesh paced hop p50 (same stamps), ms', (s) => s.mesh.breakdown.total.p50, 1);
  row('mesh paced hop: idempotency claim (Redis) mid, ms', (s) => s.mesh.breakdown.areas['idempotency (Redis)'], 1);
  row('mesh pipeline CPU per invoice, ms', (s) => s.mesh.cpuPerInvoiceMs.pipeline, 3);
  row('mesh redis CPU per invoice, ms', (s) => s.mesh.cpuPerInvoiceMs.redis, 3);
  row('mesh broker CPU per invoice, ms', (s) => s.mesh.cpuPerInvoiceMs.broker, 3);
  console.log('');
}

/** The sasl mode beside the memory mode (the same broker and Redis, plaintext against SASL_SSL with SCRAM-SHA-512). */
function printSecurityCompared(runs) {
  const mem = runs.find((r) => r.mode === 'memory');
  const sasl = runs.find((r) => r.mode === 'sasl');
  if (!mem || !sasl || mem.results.mesh.length === 0 || sasl.results.mesh.length === 0) return;
  const { line, row } = comparisonTable(summarize(sasl.results), summarize(mem.results), { labelWidth: 46, width: 12 });
  console.log('');
  console.log('===== SASL_SSL against plaintext (medians): sasl = every client over SASL_SSL, SCRAM-SHA-512; memory = plaintext');
  line('', 'sasl', 'plaintext', 'sasl/plain');
  for (const side of ['mesh', 'bare']) {
    row(`${side} throughput, invoices/s`, (s) => s[side]?.throughput);
    row(`${side} paced latency p50, ms`, (s) => s[side]?.pacedP50, 1);
  }
  row('mesh pipeline CPU per invoice, ms', (s) => s.mesh.cpuPerInvoiceMs.pipeline, 3);
  row('mesh broker CPU per invoice, ms', (s) => s.mesh.cpuPerInvoiceMs.broker, 3);
  console.log('');
}

/** Per side, the round with the median throughput (so a row's figures belong together), with medians of the rounds' figures. */
function summarize(results) {
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
  return summary;
}

// ---------------------------------------------------------------------------------------------------------------

benchEntry({ infra: infraChild, mesh: meshChild, bare: bareChild }, main);
