#!/usr/bin/env node
/*
 * Broker benchmark (not a test): kafkajs producer and consumer throughput against
 *   (a) our embedded broker (packages/broker/dist, run in a child process so that its memory is measured alone) and
 *   (b) librdkafka's mock cluster, started by `kcat -b localhost:1 -X test.mock.num.brokers=1 -C -t warmup`.
 *
 * Run: npm run bench:broker   (= npm run build && node --expose-gc test/bench/broker.bench.js)
 *
 * Both sides get exactly the same client workload:
 *   - 1 KiB values, no key, no compression, acks -1, NON-idempotent kafkajs producer;
 *   - BENCH_BATCH messages per producer.send(), BENCH_IN_FLIGHT sends in flight;
 *   - topics auto-created with 4 partitions (the mock's default; our broker is started with defaultPartitions 4);
 *   - the consumer reads back a small set (BENCH_CONSUME_MESSAGES, the mock keeps only ~5,000 records a partition)
 *     several times over: each partition is seeked back to its start when its end is reached. The first pass
 *     (group join, first fetches) is timed separately; throughput is taken over the following passes.
 * Each figure is the median of BENCH_ROUNDS rounds; rounds alternate ours / mock.
 *
 * Environment (all optional):
 *   BENCH_MESSAGES          messages per produce measurement          (default 50000)
 *   BENCH_CONSUME_MESSAGES  size of the set read back                 (default 4000)
 *   BENCH_CONSUME_PASSES    timed passes over that set                (default 10)
 *   BENCH_ROUNDS            rounds, median reported                   (default 3)
 *   BENCH_WARMUP            warmup messages per target                (default 10000)
 *   BENCH_BATCH             messages per producer.send()              (default 100)
 *   BENCH_IN_FLIGHT         concurrent producer.send() calls          (default 4)
 *   BENCH_MESSAGE_BYTES     value size                                (default 1024)
 *   BENCH_IDEMPOTENT        0 skips the extra idempotent run (ours)   (default 1)
 *   BENCH_PROFILE           1 runs the broker child under --cpu-prof and prints its top self-time functions
 *   BENCH_PROFILE_DIR       where the .cpuprofile goes                (default: a temp dir)
 *   BENCH_KCAT              kcat binary                               (default kcat)
 *   BENCH_BROKER_DIST       benchmark another build of the broker     (default packages/broker/dist)
 *   BENCH_PHASE_TIMEOUT_MS  bound on any single phase                 (default 60000)
 *   BENCH_DEADLINE_MS       hard bound on the whole run               (default 170000)
 */
'use strict';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const { envInt, track, withTimeout, reap, sleep, procCpuMs, procStatusKiB, selfCpuMs, killChildrenOnExit, hardDeadline, runMain } = require('./support/processes');
const { readProfile, frameKey } = require('./support/cpuprofile');
const os = require('node:os');
const path = require('node:path');
const { Kafka, logLevel } = require('kafkajs');

const ROOT = path.resolve(__dirname, '..', '..');
const BROKER_DIST = process.env.BENCH_BROKER_DIST ? path.resolve(process.env.BENCH_BROKER_DIST) : path.join(ROOT, 'packages', 'broker', 'dist');

const CFG = {
  messages: envInt('BENCH_MESSAGES', 50000),
  consumeMessages: envInt('BENCH_CONSUME_MESSAGES', 4000),
  consumePasses: Math.max(1, envInt('BENCH_CONSUME_PASSES', 10)),
  rounds: Math.max(1, envInt('BENCH_ROUNDS', 3)),
  warmup: envInt('BENCH_WARMUP', 10000),
  batch: Math.max(1, envInt('BENCH_BATCH', 100)),
  inFlight: Math.max(1, envInt('BENCH_IN_FLIGHT', 4)),
  messageBytes: envInt('BENCH_MESSAGE_BYTES', 1024),
  idempotent: envInt('BENCH_IDEMPOTENT', 1) !== 0,
  profile: envInt('BENCH_PROFILE', 0) !== 0,
  profileDir: process.env.BENCH_PROFILE_DIR || '',
  kcat: process.env.BENCH_KCAT || 'kcat',
  phaseTimeoutMs: envInt('BENCH_PHASE_TIMEOUT_MS', 60000),
  deadlineMs: envInt('BENCH_DEADLINE_MS', 170000),
  partitions: 4, // librdkafka's mock auto-creates topics with 4 partitions; ours is started to do the same
};

// ---------------------------------------------------------------------------------------------------------------
// Process bookkeeping: every child is killed on any exit path.

killChildrenOnExit();
hardDeadline(CFG.deadlineMs);

// ---------------------------------------------------------------------------------------------------------------
// Targets

/** The code run in the broker child (`node -e`). It talks to us over IPC only. */
const BROKER_CHILD_SOURCE = `
'use strict';
const { startBroker } = require(process.env.BENCH_BROKER_DIST);
const peak = { rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 };
const sample = () => {
  const m = process.memoryUsage();
  for (const k of Object.keys(peak)) if (m[k] > peak[k]) peak[k] = m[k];
};
setInterval(sample, 50).unref();
process.on('disconnect', () => process.exit(0));
startBroker({ port: 0, logLevel: 'warn', defaultPartitions: Number(process.env.BENCH_PARTITIONS) }).then(
  (broker) => {
    sample();
    process.on('message', (msg) => {
      if (msg.type === 'stats') {
        sample();
        process.send({ type: 'stats', id: msg.id, peak, now: process.memoryUsage() });
      } else if (msg.type === 'stop') {
        const force = setTimeout(() => process.exit(3), 5000);
        broker.stop().then(() => { clearTimeout(force); process.exit(0); }, () => process.exit(4));
      }
    });
    process.send({ type: 'ready', address: broker.address, memory: process.memoryUsage() });
  },
  (err) => {
    process.send({ type: 'error', message: String((err && err.stack) || err) }, () => process.exit(1));
  },
);
`;

async function startOurBroker(profileDir) {
  const execArgv = [];
  if (profileDir) execArgv.push('--cpu-prof', '--cpu-prof-dir', profileDir);
  const child = track(
    spawn(process.execPath, [...execArgv, '-e', BROKER_CHILD_SOURCE], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, BENCH_BROKER_DIST: BROKER_DIST, BENCH_PARTITIONS: String(CFG.partitions) },
    }),
  );
  const ready = await withTimeout(
    new Promise((resolve, reject) => {
      child.once('exit', (code, sig) => reject(new Error(`broker child exited early (code ${code}, signal ${sig})`)));
      child.on('message', (msg) => {
        if (msg.type === 'ready') resolve(msg);
        else if (msg.type === 'error') reject(new Error(`broker child failed to start: ${msg.message}`));
      });
    }),
    15000,
    'our broker to start',
  );
  let nextId = 0;
  return {
    name: 'ours',
    address: ready.address,
    pid: child.pid,
    startRssBytes: ready.memory.rss,
    stats() {
      const id = ++nextId;
      return withTimeout(
        new Promise((resolve) => {
          const onMsg = (msg) => {
            if (msg.type === 'stats' && msg.id === id) {
              child.off('message', onMsg);
              resolve(msg);
            }
          };
          child.on('message', onMsg);
          child.send({ type: 'stats', id });
        }),
        5000,
        'broker memory stats',
      );
    },
    async stop() {
      if (child.connected) child.send({ type: 'stop' });
      await reap(child, 8000);
    },
  };
}

async function startMockCluster() {
  let child;
  try {
    child = track(
      spawn(CFG.kcat, ['-b', 'localhost:1', '-X', 'test.mock.num.brokers=1', '-C', '-t', 'warmup'], {
        stdio: ['ignore', 'ignore', 'pipe'],
      }),
    );
  } catch (err) {
    throw new Error(`cannot run ${CFG.kcat}: ${err.message}`);
  }
  const address = await withTimeout(
    new Promise((resolve, reject) => {
      let buf = '';
      child.once('error', (err) => reject(new Error(`cannot run ${CFG.kcat}: ${err.message}`)));
      child.once('exit', (code, sig) => reject(new Error(`${CFG.kcat} exited (code ${code}, signal ${sig}) before announcing the mock cluster: ${buf.trim().slice(-300)}`)));
      child.stderr.on('data', (chunk) => {
        if (buf.length < 65536) buf += chunk;
        // "%5|...|MOCK|rdkafka#consumer-1| [thrd:app]: Mock cluster enabled: original bootstrap.servers and
        //  security.protocol ignored and replaced with 127.0.0.1:37839"
        const m = /Mock cluster[^\n]*?((?:\d{1,3}\.){3}\d{1,3}:\d+)/.exec(buf);
        if (m) resolve(m[1]);
      });
    }),
    10000,
    'the mock cluster to announce its address',
  ).catch(async (err) => {
    await reap(child, 0);
    throw err;
  });
  child.stderr.resume(); // keep draining so kcat never blocks on a full pipe
  return {
    name: 'mock',
    address,
    pid: child.pid,
    peakRssBytes() {
      const kib = procStatusKiB(child.pid, 'VmHWM');
      return kib === null ? null : kib * 1024;
    },
    async stop() {
      child.kill('SIGTERM');
      await reap(child, 3000);
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Workloads

function makeClient(address, clientId) {
  return new Kafka({
    clientId,
    brokers: [address],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 5000,
    requestTimeout: 30000,
    retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1000 },
  });
}

const VALUE = Buffer.alloc(CFG.messageBytes);
for (let i = 0; i < VALUE.length; i++) VALUE[i] = (i * 31 + 7) & 0xff;

/** Sends n messages, `batch` per send, `inFlight` sends outstanding. Returns elapsed ms. */
async function produce(producer, topic, n, batch, inFlight) {
  let remaining = n;
  const worker = async () => {
    while (remaining > 0) {
      const count = Math.min(batch, remaining);
      remaining -= count;
      const messages = new Array(count);
      for (let i = 0; i < count; i++) messages[i] = { value: VALUE };
      await producer.send({ topic, acks: -1, messages });
    }
  };
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: inFlight }, worker));
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

async function ensureTopic(admin, topic, viaCreateTopics) {
  // kafkajs' admin asks Metadata NOT to auto-create, which our broker honours and the mock ignores (it also has no
  // controller for CreateTopics). So: CreateTopics on ours, Metadata auto-creation on the mock; 4 partitions both.
  if (viaCreateTopics) {
    await admin.createTopics({ topics: [{ topic, numPartitions: CFG.partitions }], waitForLeaders: true, timeout: 5000 });
  }
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      const md = await admin.fetchTopicMetadata({ topics: [topic] });
      const t = md.topics.find((x) => x.name === topic);
      if (t && t.partitions.length > 0 && t.partitions.every((p) => p.partitionErrorCode === 0 && p.leader >= 0)) {
        return t.partitions.length;
      }
    } catch {
      /* retried below */
    }
    await sleep(100);
  }
  throw new Error(`topic ${topic} was not auto-created`);
}

/** Records ever appended to a fresh topic (the mock purges old records, so the low watermark may have moved). */
async function highWatermarkSum(admin, topic) {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((sum, p) => sum + Number(p.high), 0);
}

/**
 * Reads the whole (small) topic once to join the group and warm up, then keeps reading it `passes` more times by
 * seeking each partition back to its start when its end is reached.
 */
async function consume(kafka, topic, total, passes, snapshot = () => null) {
  const admin = kafka.admin();
  await admin.connect();
  let bounds;
  try {
    bounds = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, { low: p.low, high: Number(p.high) }]));
  } finally {
    await admin.disconnect();
  }
  const consumer = kafka.consumer({
    groupId: `bench-${topic}`,
    sessionTimeout: 10000,
    rebalanceTimeout: 10000,
    heartbeatInterval: 1000,
    maxWaitTimeInMs: 250,
    retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1000 },
  });
  const target = total * (1 + passes);
  let consumed = 0;
  let bytes = 0;
  let tStart;
  let tFirstPassDone = null;
  let consumedAtFirstPassDone = 0;
  let bytesAtFirstPassDone = 0;
  let cpuAtFirstPassDone = null;
  let cpuAtEnd = null;
  let done;
  let failed;
  const finished = new Promise((resolve, reject) => {
    done = resolve;
    failed = reject;
  });
  try {
    await consumer.connect();
    consumer.on(consumer.events.CRASH, (e) => failed(e.payload.error));
    await consumer.subscribe({ topic, fromBeginning: true });
    tStart = process.hrtime.bigint();
    let finishedAt = null;
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        if (finishedAt !== null) return;
        for (const m of batch.messages) bytes += m.value ? m.value.length : 0;
        consumed += batch.messages.length;
        if (tFirstPassDone === null && consumed >= total) {
          tFirstPassDone = process.hrtime.bigint();
          consumedAtFirstPassDone = consumed;
          bytesAtFirstPassDone = bytes;
          cpuAtFirstPassDone = snapshot();
        }
        if (consumed >= target) {
          finishedAt = process.hrtime.bigint();
          cpuAtEnd = snapshot();
          done();
          return;
        }
        const b = bounds.get(batch.partition);
        if (batch.messages.length > 0 && Number(batch.lastOffset()) + 1 >= b.high) {
          consumer.seek({ topic, partition: batch.partition, offset: b.low });
        }
      },
    });
    await withTimeout(finished, CFG.phaseTimeoutMs, `consuming ${target} messages from ${topic}`);
    const end = finishedAt;
    return {
      firstPassMs: Number(tFirstPassDone - tStart) / 1e6,
      ms: Number(end - tFirstPassDone) / 1e6,
      messages: consumed - consumedAtFirstPassDone,
      bytes: bytes - bytesAtFirstPassDone,
      cpu: cpuAtFirstPassDone && cpuAtEnd ? cpuDelta(cpuAtFirstPassDone, cpuAtEnd) : null,
    };
  } finally {
    await withTimeout(consumer.disconnect(), 10000, 'consumer disconnect').catch(() => {});
  }
}

function cpuSnapshot(targetPid) {
  return { t: process.hrtime.bigint(), server: procCpuMs(targetPid), client: selfCpuMs() };
}

function cpuDelta(a, b) {
  const wall = Number(b.t - a.t) / 1e6;
  return {
    serverPct: a.server === null || b.server === null ? null : ((b.server - a.server) / wall) * 100,
    clientPct: ((b.client - a.client) / wall) * 100,
  };
}

async function runRound(target, kafka, admin, producer, round) {
  const tag = `${target.name}-${process.pid}-${round}`;
  const result = {};

  // Produce throughput.
  const pTopic = `bench-produce-${tag}`;
  await ensureTopic(admin, pTopic, target.name === 'ours');
  const c0 = cpuSnapshot(target.pid);
  const ms = await withTimeout(produce(producer, pTopic, CFG.messages, CFG.batch, CFG.inFlight), CFG.phaseTimeoutMs, `producing ${CFG.messages} messages to ${target.name}`);
  const c1 = cpuSnapshot(target.pid);
  const stored = await highWatermarkSum(admin, pTopic);
  if (stored !== CFG.messages) throw new Error(`${target.name}: ${pTopic} holds ${stored} records, expected ${CFG.messages}`);
  result.produce = { ms, messages: CFG.messages, bytes: CFG.messages * CFG.messageBytes, cpu: cpuDelta(c0, c1) };

  // Consume throughput on a small fresh topic.
  const cTopic = `bench-consume-${tag}`;
  await ensureTopic(admin, cTopic, target.name === 'ours');
  await withTimeout(produce(producer, cTopic, CFG.consumeMessages, CFG.batch, CFG.inFlight), CFG.phaseTimeoutMs, 'filling the consume topic');
  const small = await highWatermarkSum(admin, cTopic);
  if (small !== CFG.consumeMessages) throw new Error(`${target.name}: ${cTopic} holds ${small} records, expected ${CFG.consumeMessages}`);
  result.consume = await consume(kafka, cTopic, CFG.consumeMessages, CFG.consumePasses, () => cpuSnapshot(target.pid));

  // Our broker keeps everything in memory: drop this round's topics so rounds don't pile up (best effort; the
  // mock has no controller and purges old records by itself).
  if (target.name === 'ours') {
    await admin.deleteTopics({ topics: [pTopic, cTopic], timeout: 5000 }).catch(() => {});
  }
  return result;
}

async function runIdempotent(target, kafka, admin) {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: true });
  await withTimeout(producer.connect(), 10000, 'idempotent producer connect');
  try {
    const topic = `bench-idem-${target.name}-${process.pid}`;
    await ensureTopic(admin, topic, target.name === 'ours');
    await produce(producer, topic, Math.min(CFG.warmup, 2000), CFG.batch, 1); // InitProducerId + warm path
    const c0 = cpuSnapshot(target.pid);
    // kafkajs assigns idempotent sequence numbers per send and cannot pipeline them: one send in flight.
    const ms = await withTimeout(produce(producer, topic, CFG.messages, CFG.batch, 1), CFG.phaseTimeoutMs, 'idempotent produce');
    const c1 = cpuSnapshot(target.pid);
    const stored = await highWatermarkSum(admin, topic);
    const expected = Math.min(CFG.warmup, 2000) + CFG.messages;
    if (stored !== expected) throw new Error(`idempotent: ${topic} holds ${stored} records, expected ${expected}`);
    await admin.deleteTopics({ topics: [topic], timeout: 5000 }).catch(() => {});
    return { ms, messages: CFG.messages, bytes: CFG.messages * CFG.messageBytes, cpu: cpuDelta(c0, c1) };
  } finally {
    await withTimeout(producer.disconnect(), 5000, 'producer disconnect').catch(() => {});
  }
}

/** Connects a client to a target and warms up both the target and the client. */
async function openSession(target) {
  const kafka = makeClient(target.address, `bench-${target.name}`);
  const admin = kafka.admin();
  const producer = kafka.producer({ idempotent: false, allowAutoTopicCreation: true });
  const session = {
    target,
    kafka,
    admin,
    producer,
    async close() {
      await withTimeout(producer.disconnect(), 5000, 'producer disconnect').catch(() => {});
      await withTimeout(admin.disconnect(), 5000, 'admin disconnect').catch(() => {});
    },
  };
  await withTimeout(admin.connect(), 10000, `admin connect to ${target.name}`);
  await withTimeout(producer.connect(), 10000, `producer connect to ${target.name}`);
  if (CFG.warmup > 0) {
    const topic = `bench-warmup-${target.name}-${process.pid}`;
    await ensureTopic(admin, topic, target.name === 'ours');
    await withTimeout(produce(producer, topic, CFG.warmup, CFG.batch, CFG.inFlight), CFG.phaseTimeoutMs, `warmup produce on ${target.name}`);
    const n = Math.min(CFG.warmup, CFG.consumeMessages);
    const wTopic = `bench-warmup-consume-${target.name}-${process.pid}`;
    await ensureTopic(admin, wTopic, target.name === 'ours');
    await withTimeout(produce(producer, wTopic, n, CFG.batch, CFG.inFlight), CFG.phaseTimeoutMs, `warmup produce on ${target.name}`);
    await consume(kafka, wTopic, n, 1);
    if (target.name === 'ours') await admin.deleteTopics({ topics: [topic, wTopic], timeout: 5000 }).catch(() => {});
  }
  return session;
}

// ---------------------------------------------------------------------------------------------------------------
// Reporting

function median(values) {
  const v = values.filter((x) => x !== null && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

function fmt(x, digits = 0) {
  if (x === null || x === undefined || !Number.isFinite(x)) return '-';
  return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function summarize(rounds) {
  if (!rounds || rounds.length === 0) return null;
  const pick = (fn) => median(rounds.map(fn));
  return {
    produceMsgs: pick((r) => r.produce.messages / (r.produce.ms / 1000)),
    produceMB: pick((r) => r.produce.bytes / 1e6 / (r.produce.ms / 1000)),
    consumeMsgs: pick((r) => r.consume.messages / (r.consume.ms / 1000)),
    consumeMB: pick((r) => r.consume.bytes / 1e6 / (r.consume.ms / 1000)),
    firstPassMs: pick((r) => r.consume.firstPassMs),
    produceServerCpu: pick((r) => r.produce.cpu.serverPct),
    produceClientCpu: pick((r) => r.produce.cpu.clientPct),
    consumeServerCpu: pick((r) => (r.consume.cpu ? r.consume.cpu.serverPct : null)),
    consumeClientCpu: pick((r) => (r.consume.cpu ? r.consume.cpu.clientPct : null)),
  };
}

function printTable(ours, mock, idem, memory, mockError) {
  const W0 = 34;
  const W = 14;
  const line = (label, a, b, ratio) => console.log(label.padEnd(W0) + String(a).padStart(W) + String(b).padStart(W) + String(ratio).padStart(W));
  const ratio = (a, b) => (a !== null && b !== null && a !== undefined && b !== undefined && b > 0 ? fmt(a / b, 2) : '-');
  const row = (label, key, digits) => {
    const a = ours ? ours[key] : null;
    const b = mock ? mock[key] : null;
    line(label, fmt(a, digits), mock ? fmt(b, digits) : 'n/a', ratio(a, b));
  };

  console.log('');
  console.log(
    `kafkajs ${require('kafkajs/package.json').version}, node ${process.version}, ${os.cpus().length} CPU(s); ` +
      `${CFG.messageBytes} B values, acks -1, ${CFG.batch} msgs/send, ${CFG.inFlight} sends in flight, ` +
      `${CFG.partitions} partitions; median of ${CFG.rounds} round(s)`,
  );
  console.log(
    `produce: ${fmt(CFG.messages)} msgs per run, non-idempotent producer; consume: a set of ${fmt(CFG.consumeMessages)} ` +
      `msgs read ${CFG.consumePasses}x after a first (untimed) pass; MB = 10^6 bytes of values`,
  );
  if (CFG.profile) console.log('NOTE: our broker ran under --cpu-prof; its figures are lower than without the profiler.');
  console.log('');
  line('', 'ours', 'mock', 'ours/mock');
  row('produce msg/s', 'produceMsgs', 0);
  row('produce MB/s', 'produceMB', 1);
  row('consume msg/s', 'consumeMsgs', 0);
  row('consume MB/s', 'consumeMB', 1);
  row('consumer first pass, ms (join)', 'firstPassMs', 0);
  row('broker CPU while producing, %', 'produceServerCpu', 0);
  row('client CPU while producing, %', 'produceClientCpu', 0);
  row('broker CPU while consuming, %', 'consumeServerCpu', 0);
  row('client CPU while consuming, %', 'consumeClientCpu', 0);
  if (idem) {
    line('produce msg/s, idempotent (1 in fl.)', fmt(idem.messages / (idem.ms / 1000)), 'n/a', '-');
    line('produce MB/s, idempotent', fmt(idem.bytes / 1e6 / (idem.ms / 1000), 1), 'n/a', '-');
  }
  if (memory) {
    const mib = (b) => (b === null || b === undefined ? '-' : `${fmt(b / 1048576)} MiB`);
    line('broker peak RSS (VmHWM)', mib(memory.hwmBytes), memory.mockHwmBytes ? `${mib(memory.mockHwmBytes)}*` : '', '');
    line('broker RSS at start', mib(memory.startRss), '', '');
    line('broker peak heap used', mib(memory.peakHeapUsed), '', '');
    line('broker peak external (Buffers)', mib(memory.peakExternal), '', '');
  }
  if (memory) {
    const live = Math.max(CFG.warmup + Math.min(CFG.warmup, CFG.consumeMessages), CFG.messages + CFG.consumeMessages, CFG.idempotent ? CFG.messages + Math.min(CFG.warmup, 2000) : 0);
    console.log(
      `\nour broker keeps every record in memory; the bench deletes its topics after each round, so it held at most ` +
        `~${fmt((live * CFG.messageBytes) / 1048576)} MiB of values at once (plus whatever GC had not reclaimed yet).`,
    );
    if (memory.mockHwmBytes) console.log('* whole kcat process; the mock keeps only ~5,000 records per partition, so not comparable.');
  }
  if (mockError) console.log(`\nmock cluster: ${mockError}`);
  console.log('');
}

// ---------------------------------------------------------------------------------------------------------------
// CPU profile summary (BENCH_PROFILE=1)

function summarizeProfile(file, top = 25) {
  const { byId, selfUs } = readProfile(file);
  const byFn = new Map();
  let total = 0;
  for (const [id, us] of selfUs) {
    const cf = byId.get(id).callFrame;
    if (cf.functionName === '(idle)') continue;
    total += us;
    const key = frameKey(ROOT, cf);
    byFn.set(key, (byFn.get(key) || 0) + us);
  }
  const rows = [...byFn.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
  console.log(`broker CPU profile: ${file}`);
  console.log(`busy (non-idle) time: ${fmt(total / 1000)} ms; top self-time functions:`);
  for (const [key, us] of rows) {
    console.log(`  ${fmt((us / total) * 100, 1).padStart(5)}%  ${fmt(us / 1000).padStart(7)} ms  ${key}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------

async function main() {
  if (!fs.existsSync(path.join(BROKER_DIST, 'index.js'))) {
    throw new Error(`${BROKER_DIST}/index.js is missing: run \`npm run build\` (npx tsc -b) first`);
  }
  let profileDir = null;
  if (CFG.profile) {
    profileDir = CFG.profileDir || fs.mkdtempSync(path.join(os.tmpdir(), 'broker-bench-prof-'));
    fs.mkdirSync(profileDir, { recursive: true });
  }

  const targets = [];
  const sessions = [];
  let mockError = null;
  let memory = null;
  let idem = null;
  const results = { ours: [], mock: [] };
  let ours;
  let failure = null;
  try {
    ours = await startOurBroker(profileDir);
    targets.push(ours);
    console.log(`our broker:   ${ours.address} (pid ${ours.pid})`);
    let mock = null;
    try {
      mock = await startMockCluster();
      targets.push(mock);
      console.log(`mock cluster: ${mock.address} (kcat pid ${mock.pid})`);
    } catch (err) {
      mockError = `not available (${err.message}); reporting our broker only`;
      console.log(`mock cluster ${mockError}`);
    }

    for (const t of targets) {
      process.stdout.write(`warming up ${t.name} ...`);
      try {
        sessions.push(await openSession(t));
        console.log(' done');
      } catch (err) {
        console.log(' failed');
        if (t.name === 'ours') throw err;
        mockError = `warmup failed (${err.message}); reporting our broker only`;
      }
    }

    for (let round = 1; round <= CFG.rounds; round++) {
      for (const s of sessions) {
        if (s.target.name === 'mock' && mockError) continue;
        try {
          const r = await runRound(s.target, s.kafka, s.admin, s.producer, round);
          results[s.target.name].push(r);
          console.log(
            `round ${round} ${s.target.name.padEnd(4)}: produce ${fmt(r.produce.messages / (r.produce.ms / 1000))} msg/s, ` +
              `consume ${fmt(r.consume.messages / (r.consume.ms / 1000))} msg/s (first pass ${fmt(r.consume.firstPassMs)} ms)`,
          );
        } catch (err) {
          if (s.target.name === 'ours') throw err;
          mockError = `round ${round} failed (${err.message}); mock figures are from completed rounds only`;
          console.log(`mock: ${mockError}`);
        }
        if (global.gc) global.gc();
      }
    }

    if (CFG.idempotent) {
      const s = sessions.find((x) => x.target.name === 'ours');
      idem = await runIdempotent(s.target, s.kafka, s.admin);
    }

    const stats = await ours.stats();
    const hwmKiB = procStatusKiB(ours.pid, 'VmHWM');
    memory = {
      hwmBytes: hwmKiB !== null ? hwmKiB * 1024 : stats.peak.rss,
      startRss: ours.startRssBytes,
      peakHeapUsed: stats.peak.heapUsed,
      peakExternal: stats.peak.external, // includes arrayBuffers
      mockHwmBytes: targets.find((t) => t.name === 'mock')?.peakRssBytes() ?? null,
    };
  } catch (err) {
    failure = err;
  } finally {
    for (const s of sessions) await s.close();
    for (const t of targets) await t.stop().catch(() => {});
  }

  if (results.ours.length > 0 || failure === null) {
    printTable(summarize(results.ours), summarize(results.mock), idem, memory, mockError);
  }
  if (profileDir) {
    const files = fs.readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile'));
    if (files.length === 0) console.log(`no .cpuprofile found in ${profileDir}`);
    else summarizeProfile(path.join(profileDir, files.sort().pop()));
  }
  if (failure) throw failure;
}

runMain(main);
