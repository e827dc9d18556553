#!/usr/bin/env node
/*
 * Idle cost benchmark (not a test): the CPU a kafkajs client takes while nothing happens, with our kafkajs paths (the
 * production configuration: packages/kafkajs-paths, put in place by patches/kafkajs+2.2.4.patch) against kafkajs as
 * published (MESH_KAFKAJS=stock), side by side in one run. kafkajs 2.2.4 re-arms a 1 ms timer on every connection
 * that has had an answer, so an idle agent, coordinator or CLI reader wakes a thousand times a second per connection
 * (packages/kafkajs-paths/src/request-queue.ts).
 *
 * Run: npm run bench:idle   (= npm run build && node test/bench/idle.bench.js)
 *      BENCH_IDLE_MS=10000 BENCH_RUNS=2 node test/bench/idle.bench.js
 *
 * Each side is a child process: an admin, a producer (one record sent) and a consumer group on 3 partitions of the
 * embedded broker (in the parent), then BENCH_IDLE_MS of nothing but the consumer's long polls; the child's CPU
 * over that window (process.cpuUsage), as a share of one core, and its wake-ups (timers fired, from async hooks).
 */
'use strict';
const path = require('node:path');
const { execFile } = require('node:child_process');
const { promisify } = require('node:util');

const ROOT = path.resolve(__dirname, '..', '..');
const IDLE_MS = Math.max(2_000, Number(process.env.BENCH_IDLE_MS) || 10_000);
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS) || 2);

async function child(address) {
  const { Kafka, logLevel } = require(require.resolve('kafkajs', { paths: [path.join(ROOT, 'packages', 'runtime')] }));
  const { createHook } = require('node:async_hooks');
  const kafka = new Kafka({ brokers: [address], logLevel: logLevel.NOTHING, clientId: 'idle-bench' });
  const topic = `idle-${process.pid}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }] });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: [{ value: 'x' }] });
  const consumer = kafka.consumer({ groupId: topic, maxWaitTimeInMs: 500 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let consumed;
  const first = new Promise((resolve) => (consumed = resolve));
  await consumer.run({ eachMessage: async () => consumed() });
  await first;
  let timers = 0;
  const hook = createHook({ init: (_id, type) => void (type === 'Timeout' && timers++) }).enable();
  const before = process.cpuUsage();
  const started = Date.now();
  await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
  const used = process.cpuUsage(before);
  const elapsed = Date.now() - started;
  hook.disable();
  process.stdout.write(JSON.stringify({ cpuShare: (used.user + used.system) / 1000 / elapsed, timersPerSecond: (timers * 1000) / elapsed }));
  await Promise.all([consumer.disconnect(), producer.disconnect(), admin.disconnect()]);
  process.exit(0);
}

async function main() {
  const { startBroker } = require(path.join(ROOT, 'packages', 'broker', 'dist'));
  const broker = await startBroker({ port: 0, logLevel: 'error' });
  const side = async (stock) => {
    const env = { ...process.env };
    delete env.MESH_KAFKAJS;
    if (stock) env.MESH_KAFKAJS = 'stock';
    const { stdout } = await promisify(execFile)(process.execPath, [__filename, '--child', broker.address], { env, timeout: IDLE_MS + 60_000 });
    return JSON.parse(stdout);
  };
  const rows = [];
  for (let run = 1; run <= RUNS; run++) rows.push({ run, paths: await side(false), stock: await side(true) });
  await broker.stop();
  console.log(`idle kafkajs client (admin + producer + consumer group, 3 partitions), ${IDLE_MS / 1000} s of nothing; node ${process.version}`);
  console.log('run   CPU % of a core: paths / stock      timers created per second: paths / stock');
  for (const { run, paths, stock } of rows) {
    console.log(
      `${String(run).padEnd(5)} ${(paths.cpuShare * 100).toFixed(2).padStart(8)} / ${(stock.cpuShare * 100).toFixed(2).padEnd(18)} ${paths.timersPerSecond.toFixed(0).padStart(8)} / ${stock.timersPerSecond.toFixed(0)}`,
    );
  }
}

if (process.argv[2] === '--child') child(process.argv[3]).catch((error) => (console.error(error), process.exit(1)));
else main().catch((error) => (console.error(error), process.exit(1)));
