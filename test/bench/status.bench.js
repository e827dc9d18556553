#!/usr/bin/env node
/*
 * mesh status benchmark (not a test): how fast `mesh status` answers for a fleet of 50 agents x 3 instances, and what
 * the fleet reader costs while it keeps watching them.
 *
 * Run: npm run bench:status   (= npm run build && node test/bench/status.bench.js)
 *      BENCH_AGENTS=50 BENCH_INSTANCES=3 BENCH_RUNS=5 BENCH_WARMUP_MS=30000 BENCH_WATCH_MS=30000 node test/bench/status.bench.js
 *
 * In this process: the embedded broker, and BENCH_AGENTS x BENCH_INSTANCES simulated instances, each with its own
 * source topic, consumer group offsets (some lag) and a DLQ, whose heartbeats (the current contract: partitions,
 * breakers, latency) cover the 5-minute window, one every 5 s, as a running fleet leaves them. Then:
 *   answer   `mesh status --json` run BENCH_RUNS times as an operator runs it (a new process each time), beside
 *            `mesh topics ls` (a command that only lists topics) as the baseline of starting the CLI and connecting,
 *            and `mesh --version` (Node starting the CLI without loading any command);
 *   reader   `mesh status --watch --json --every 5s` left running for BENCH_WATCH_MS, after BENCH_WARMUP_MS of warming up,
 *            while the simulated instances keep sending heartbeats every 5 s: its CPU time (from /proc) over the wall
 *            time, as a share of one core.
 */
'use strict';
const path = require('node:path');
const { spawn } = require('node:child_process');
const { envInt, track, withTimeout, sleep, assertBuilt, procCpuMs, reap, hardDeadline, runMain, killChildrenOnExit } = require('./support/processes');
const { fmt, dist } = require('./support/report');

const ROOT = path.resolve(__dirname, '..', '..');
const DIST = { broker: path.join(ROOT, 'packages', 'broker', 'dist'), cli: path.join(ROOT, 'packages', 'cli', 'dist') };
const MESH = path.join(ROOT, 'packages', 'cli', 'bin', 'mesh.js');
const CFG = {
  agents: Math.max(1, envInt('BENCH_AGENTS', 50)),
  instances: Math.max(1, envInt('BENCH_INSTANCES', 3)),
  runs: Math.max(1, envInt('BENCH_RUNS', 5)),
  watchMs: Math.max(10_000, envInt('BENCH_WATCH_MS', 30_000)),
  warmupMs: Math.max(0, envInt('BENCH_WARMUP_MS', 30_000)),
  windowMs: 300_000,
  everyMs: 5_000,
};

/** Runs `mesh <args>` to completion; its wall time in ms. */
async function timedMesh(args) {
  const started = process.hrtime.bigint();
  const child = track(spawn(process.execPath, [MESH, ...args], { stdio: ['ignore', 'pipe', 'pipe'] }));
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const code = await withTimeout(new Promise((resolve) => child.on('exit', resolve)), 60_000, `mesh ${args.join(' ')}`);
  if (code !== 0) throw new Error(`mesh ${args.join(' ')} exited ${code}: ${stderr}`);
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, stdout };
}

function heartbeat(agent, i, sentAt, n) {
  const instanceId = `${agent}-${i}`;
  return {
    key: instanceId,
    timestamp: String(sentAt),
    value: JSON.stringify({
      agent,
      instanceId,
      host: 'bench',
      pid: 1000 + i,
      status: 'READY',
      sentAt,
      assignedPartitions: 1,
      consumerLag: 2,
      openBreakers: [],
      version: '1.0.0',
      topics: [`${agent}.in`],
      counters: { processed: n * 50, retried: n, 'dead-lettered': Math.floor(n / 10) },
      kind: 'agent',
      group: agent,
      partitions: [{ topic: `${agent}.in`, partition: i, lag: 2 }],
      inFlight: 1,
      breakers: { downstream: 'closed' },
      latencyP50Ms: 5 + (n % 3),
      latencyP99Ms: 40 + (n % 5),
      role: null,
      fencingToken: null,
    }),
  };
}

/** Builds the simulated fleet on a fresh broker; returns what the measurements need. */
async function setUp() {
  const { startBroker } = require(DIST.broker);
  const { Kafka, logLevel } = require('kafkajs');
  const broker = await startBroker({ port: 0, logLevel: 'error', defaultPartitions: CFG.instances });
  const kafka = new Kafka({ clientId: 'bench-status', brokers: [broker.address], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const producer = kafka.producer();
  await producer.connect();
  const agents = Array.from({ length: CFG.agents }, (_, a) => `bench-agent-${String(a).padStart(2, '0')}`);
  const total = CFG.agents * CFG.instances;
  console.log(`mesh status bench: ${CFG.agents} agents x ${CFG.instances} instances = ${total}, window ${CFG.windowMs / 60_000} min, heartbeats every ${CFG.everyMs / 1000} s`);

  // Each agent: a source topic with some records, a group that committed part of them (lag), a DLQ with a few.
  await admin.createTopics({
    topics: [
      { topic: 'mesh.heartbeats', numPartitions: 3 },
      ...agents.flatMap((a) => [
        { topic: `${a}.in`, numPartitions: CFG.instances },
        { topic: `${a}.dlq`, numPartitions: 1 },
      ]),
    ],
  });
  for (const a of agents) {
    await producer.send({ topic: `${a}.in`, messages: Array.from({ length: 10 * CFG.instances }, (_, n) => ({ partition: n % CFG.instances, value: String(n) })) });
    await producer.send({ topic: `${a}.dlq`, messages: [{ value: 'x' }, { value: 'y' }] });
  }
  // Each setOffsets joins its group (seconds each): the groups are independent, so ten at a time.
  for (let i = 0; i < agents.length; i += 10)
    await Promise.all(
      agents.slice(i, i + 10).map((a) => admin.setOffsets({ groupId: a, topic: `${a}.in`, partitions: Array.from({ length: CFG.instances }, (_, p) => ({ partition: p, offset: '8' })) })),
    );
  // The window's history: one heartbeat per instance every 5 s.
  const now = Date.now();
  const beats = CFG.windowMs / CFG.everyMs;
  for (let b = 0; b < beats; b++) {
    const sentAt = now - CFG.windowMs + (b + 1) * CFG.everyMs;
    await producer.send({ topic: 'mesh.heartbeats', messages: agents.flatMap((a) => Array.from({ length: CFG.instances }, (_, i) => heartbeat(a, i, sentAt, b))) });
  }
  console.log(`history: ${fmt(beats * total)} heartbeats`);
  return { broker, kafka, admin, producer, agents, total, beats };
}

async function main() {
  assertBuilt(DIST);
  killChildrenOnExit();
  hardDeadline(10 * 60_000);
  const { broker, admin, producer, agents, total, beats } = await setUp();

  const at = ['--brokers', broker.address];
  await timedMesh(['status', '--json', ...at]); // warm-up (file cache, the broker's first reads)
  const status = [];
  const baseline = [];
  const start = [];
  let shown = 0;
  for (let r = 0; r < CFG.runs; r++) {
    const s = await timedMesh(['status', '--json', ...at]);
    status.push(s.ms);
    shown = JSON.parse(s.stdout).agents.reduce((n, a) => n + a.instances.length, 0);
    baseline.push((await timedMesh(['topics', 'ls', ...at])).ms);
    start.push((await timedMesh(['--version'])).ms);
  }
  if (shown !== total) throw new Error(`mesh status showed ${shown} instances, expected ${total}`);
  const s = dist(status);
  const b = dist(baseline);
  console.log('');
  console.log(`answer (ms, ${CFG.runs} runs)          p50      max`);
  console.log(`  mesh status --json     ${fmt(s.p50).padStart(9)}${fmt(s.max).padStart(9)}`);
  console.log(`  mesh topics ls         ${fmt(b.p50).padStart(9)}${fmt(b.max).padStart(9)}   (baseline: CLI start and connect)`);
  const v = dist(start);
  console.log(`  mesh --version         ${fmt(v.p50).padStart(9)}${fmt(v.max).padStart(9)}   (Node starting the CLI, no command loaded)`);
  console.log(`  status / baseline      ${fmt(s.p50 / b.p50, 2).padStart(9)}`);

  // The reader while it watches: heartbeats keep arriving every 5 s from every instance.
  let n = beats;
  const sender = setInterval(() => {
    const sentAt = Date.now();
    n += 1;
    void producer.send({ topic: 'mesh.heartbeats', messages: agents.flatMap((a) => Array.from({ length: CFG.instances }, (_, i) => heartbeat(a, i, sentAt, n))) });
  }, CFG.everyMs);
  const watcher = track(spawn(process.execPath, [MESH, 'status', '--watch', '--json', '--every', '5s', '--no-publish-alerts', ...at], { stdio: ['ignore', 'pipe', 'pipe'] }));
  let snapshots = 0;
  watcher.stdout.on(
    'data',
    (d) =>
      (snapshots += String(d)
        .split('\n')
        .filter((l) => l.startsWith('{')).length),
  );
  await withTimeout(
    (async () => {
      while (snapshots === 0) await sleep(50);
    })(),
    60_000,
    'the first snapshot of mesh status --watch',
  );
  // A reader runs for hours: what counts is its steady state, after Node has compiled its hot code (on other threads).
  await sleep(CFG.warmupMs);
  const cpuBefore = procCpuMs(watcher.pid);
  const wallBefore = Date.now();
  const snapshotsBefore = snapshots;
  await sleep(CFG.watchMs);
  const cpuMs = procCpuMs(watcher.pid) - cpuBefore;
  const wallMs = Date.now() - wallBefore;
  clearInterval(sender);
  console.log('');
  console.log(`reader (mesh status --watch, refresh every 5 s, ${total} instances, ${fmt(wallMs / 1000)} s after ${fmt(CFG.warmupMs / 1000)} s of warm-up)`);
  console.log(`  refreshes              ${fmt(snapshots - snapshotsBefore)}`);
  console.log(`  CPU time               ${fmt(cpuMs)} ms`);
  console.log(`  share of one core      ${fmt((100 * cpuMs) / wallMs, 2)} %   (goal: under 2 %)`);
  console.log(`  CPU per refresh        ${fmt(cpuMs / Math.max(1, snapshots - snapshotsBefore))} ms`);
  await reap(watcher);
  await producer.disconnect();
  await admin.disconnect();
  await broker.stop();
}

if (require.main === module) runMain(main);
module.exports = { setUp, CFG, heartbeat };
