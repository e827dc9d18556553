#!/usr/bin/env node
/*
 * Failover benchmark (not a test): how long an agent's partitions stay unprocessed when one of its two
 * replicas goes away, by SIGTERM (a clean leave) and by kill -9 (the group notices by the session timeout).
 *
 * Run: npm run bench:failover   (= npm run build && node test/bench/failover.bench.js)
 *      BENCH_RUNS=5 BENCH_RATE=200 node test/bench/failover.bench.js
 *      BENCH_SESSION_TIMEOUT_MS=30000 node test/bench/failover.bench.js   (the session timeout before it became 10 s)
 *      BENCH_MODES=STANDBY node test/bench/failover.bench.js   (only the standby takeover; modes: SIGTERM, SIGKILL, STANDBY)
 *
 * Each run: the embedded broker in this process; two `mesh run --json` processes (Redis: BENCH_REDIS_URL) of a relay agent
 * (test/runtime/fixtures/relay-agent.js: each output says which process relayed it) in one group, with the
 * CLI's defaults (session timeout 10 s); a stream of BENCH_RATE events/s over 60 keys. Once both replicas
 * relay, one is stopped (SIGTERM, or SIGKILL). Hand-over time = from the signal to the first output the
 * survivor relays for a key the stopped replica was relaying (its partitions processed again). Printed per
 * run and as median / max of BENCH_RUNS runs per signal, against the targets (SIGTERM under 2 s; kill -9
 * within the session timeout + 2 s).
 * Standby takeover: the same relay agent as a one-active agent (instances: 'one-active'), an active replica and a
 * hot standby; the active one is killed with -9. Takeover time = from the signal to the standby's first output.
 * Target: the lease TTL (10 s by default, counted from the active replica's last renewal, at most 1 s before the
 * kill) + 1 s.
 */
'use strict';
const path = require('node:path');
const { spawn } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { envInt, track, withTimeout, reap, assertBuilt, runMain, killChildrenOnExit } = require('./support/processes');
const { fmt } = require('./support/report');

const ROOT = path.resolve(__dirname, '..', '..');
const DIST = { broker: path.join(ROOT, 'packages', 'broker', 'dist'), cli: path.join(ROOT, 'packages', 'cli', 'dist') };
const MESH = path.join(ROOT, 'packages', 'cli', 'bin', 'mesh.js');
const RELAY = path.join(ROOT, 'test', 'runtime', 'fixtures', 'relay-agent.js');
const CFG = {
  runs: Math.max(1, envInt('BENCH_RUNS', 5)),
  rate: Math.max(10, envInt('BENCH_RATE', 200)),
  /** The CLI's default unless BENCH_SESSION_TIMEOUT_MS says (30000: the default before it was 10 s). */
  sessionTimeoutMs: envInt('BENCH_SESSION_TIMEOUT_MS', 10_000),
  redisUrl: process.env.BENCH_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
};
const KEYS = Array.from({ length: 60 }, (_, i) => `k${i}`);

/** A `mesh run` of the relay agent; resolves once it says it is ready. */
async function startReplica(broker, names, instances = 'all-active') {
  const child = track(
    spawn(process.execPath, [MESH, 'run', RELAY, '--brokers', broker.address, '--json', '--redis', CFG.redisUrl, '--port', '0', '--session-timeout', String(CFG.sessionTimeoutMs)], {
      env: { ...process.env, RELAY_NAME: names.agent, RELAY_IN: names.input, RELAY_OUT: names.output, RELAY_INSTANCES: instances, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  let output = '';
  const ready = new Promise((resolve, reject) => {
    // The ready line comes on stderr (stdout carries the JSON logs).
    const onOutput = (chunk) => {
      output += chunk;
      if (/ ready: consumer group /.test(output)) resolve();
    };
    child.stdout.on('data', onOutput);
    child.stderr.on('data', onOutput);
    child.once('exit', (code, signal) => reject(new Error(`replica exited (${code ?? signal}) before it was ready:\n${output}`)));
  });
  await withTimeout(ready, 30_000, 'a replica to be ready');
  return child;
}

/** `mode`: SIGTERM or SIGKILL of one of two replicas sharing the work, or STANDBY (kill -9 of a one-active agent's active replica). */
async function oneRun(kafka, broker, mode, run) {
  const standby = mode === 'STANDBY';
  const signal = standby ? 'SIGKILL' : mode;
  const id = `${mode.toLowerCase()}-${run}-${randomBytes(3).toString('hex')}`;
  const names = { agent: `failover-${id}`, input: `failover.in.${id}`, output: `failover.out.${id}` };
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: [
      { topic: names.input, numPartitions: 6 },
      { topic: names.output, numPartitions: 6 },
    ],
  });
  await admin.disconnect();
  // One-active: the first replica to start takes the lease; the second waits as the standby.
  const instances = standby ? 'one-active' : 'all-active';
  const replicas = [await startReplica(broker, names, instances), await startReplica(broker, names, instances)];
  const lastRelayer = new Map();
  const outputs = [];
  const consumer = kafka.consumer({ groupId: `failover-watch-${id}`, maxWaitTimeInMs: 20 });
  await consumer.connect();
  await consumer.subscribe({ topics: [names.output], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const value = JSON.parse(message.value.toString());
      const key = message.key.toString();
      lastRelayer.set(key, value.relayedBy);
      outputs.push({ key, by: value.relayedBy, at: Date.now() });
    },
  });
  const producer = kafka.producer();
  await producer.connect();
  let seq = 0;
  let sending = true;
  const stream = (async () => {
    const everyMs = 1000 / CFG.rate;
    let next = Date.now();
    while (sending) {
      const key = KEYS[seq % KEYS.length];
      await producer.send({ topic: names.input, messages: [{ key, value: JSON.stringify({ seq: seq++ }) }] });
      next += everyMs;
      const wait = next - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
  })();
  try {
    const pids = replicas.map((r) => r.pid);
    const bothRelay = () => (standby ? [...lastRelayer.values()].includes(pids[0]) : pids.every((pid) => [...lastRelayer.values()].includes(pid)));
    const deadline = Date.now() + 30_000;
    while (!bothRelay()) {
      if (Date.now() > deadline)
        throw new Error(`the two replicas did not both relay within 30 s (pids ${pids.join(', ')}; relayed by ${[...new Set(lastRelayer.values())].join(', ')}; ${outputs.length} outputs)`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const [victim, survivor] = replicas;
    const victimKeys = new Set([...lastRelayer].filter(([, by]) => by === victim.pid).map(([key]) => key));
    const stoppedAt = Date.now();
    const seen = outputs.length;
    victim.kill(signal);
    const limit = stoppedAt + CFG.sessionTimeoutMs + 20_000;
    for (;;) {
      const taken = outputs.slice(seen).find((o) => o.by === survivor.pid && (standby || victimKeys.has(o.key)));
      if (taken) return taken.at - stoppedAt;
      if (Date.now() > limit) throw new Error(`the survivor took none of the stopped replica's keys within ${limit - stoppedAt} ms`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  } finally {
    sending = false;
    await stream.catch(() => undefined);
    await producer.disconnect();
    await consumer.disconnect();
    for (const r of replicas) {
      if (r.exitCode === null && r.signalCode === null) r.kill('SIGTERM');
      await reap(r, 15_000);
    }
  }
}

async function main() {
  assertBuilt(DIST);
  killChildrenOnExit();
  const { startBroker } = require(DIST.broker);
  const { Kafka, logLevel } = require(require.resolve('kafkajs', { paths: [DIST.cli] }));
  const broker = await startBroker({ port: 0, logLevel: 'silent' });
  const kafka = new Kafka({ clientId: 'failover-bench', brokers: [broker.address], logLevel: logLevel.NOTHING });
  console.log(`failover bench: ${CFG.runs} runs per signal, 2 replicas of a relay agent, ${CFG.rate} events/s over ${KEYS.length} keys, session timeout ${CFG.sessionTimeoutMs} ms`);
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
  const targets = { SIGTERM: 2_000, SIGKILL: CFG.sessionTimeoutMs + 2_000, STANDBY: 10_000 + 1_000 };
  const summary = [];
  try {
    for (const signal of (process.env.BENCH_MODES ?? 'SIGTERM,SIGKILL,STANDBY').split(',')) {
      const times = [];
      for (let run = 1; run <= CFG.runs; run++) {
        const ms = await oneRun(kafka, broker, signal, run);
        times.push(ms);
        console.log(
          signal === 'STANDBY'
            ? `  STANDBY run ${run}: the standby took over and relayed after ${fmt(ms)} ms`
            : `  ${signal} run ${run}: the survivor relayed the stopped replica's keys after ${fmt(ms)} ms`,
        );
      }
      summary.push(
        `${signal.padEnd(8)} ${signal === 'STANDBY' ? 'takeover: ' : 'hand-over:'} median ${fmt(median(times))} ms, max ${fmt(Math.max(...times))} ms (target: under ${fmt(targets[signal])} ms)`,
      );
    }
  } finally {
    await broker.stop();
  }
  for (const line of summary) console.log(line);
}

runMain(main);
