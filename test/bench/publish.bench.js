#!/usr/bin/env node
/*
 * mesh publish --file benchmark (not a test): how many events per second `mesh publish --file` puts on a topic,
 * Avro-encoded through the schema registry, as a user runs it (its own process, start-up included).
 *
 * Run: npm run bench:publish   (= npm run build && node test/bench/publish.bench.js)
 *      BENCH_EVENTS=100000 BENCH_RUNS=3 node test/bench/publish.bench.js
 *
 * In this process: the embedded broker (in memory, 3 partitions per topic) and the embedded registry with the
 * repository's contracts. A JSON Lines file of BENCH_EVENTS invoices.received events (a third of them envelopes
 * with a key and a header, the rest bare values) is published by `mesh publish --file` to a fresh topic mapped
 * to the same contract; the topic's end offsets are checked to hold every event. Printed per run: wall time of
 * the whole command and events/s, beside the target.
 */
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { envInt, track, withTimeout, assertBuilt, killChildrenOnExit, hardDeadline, runMain } = require('./support/processes');
const { fmt } = require('./support/report');

const ROOT = path.resolve(__dirname, '..', '..');
const DIST = {
  broker: path.join(ROOT, 'packages', 'broker', 'dist'),
  'schema-registry': path.join(ROOT, 'packages', 'schema-registry', 'dist'),
  cli: path.join(ROOT, 'packages', 'cli', 'dist'),
};
const MESH = path.join(ROOT, 'packages', 'cli', 'bin', 'mesh.js');
const CFG = {
  events: Math.max(1, envInt('BENCH_EVENTS', 50_000)),
  runs: Math.max(1, envInt('BENCH_RUNS', 1)),
  targetPerSec: envInt('BENCH_TARGET', 5_000),
  /** Bound on one publish run. */
  runTimeoutMs: envInt('BENCH_RUN_TIMEOUT_MS', 120_000),
};

function invoiceLines(n, tag) {
  const lines = [];
  for (let i = 0; i < n; i++) {
    const value = {
      invoiceId: `inv-${tag}-${i}`,
      source: 'UPLOAD',
      documentUri: `file:///inbox/inv-${tag}-${i}.pdf`,
      contentType: 'application/pdf',
      receivedAt: 1_700_000_000_000 + i,
      senderEmail: i % 2 === 0 ? null : `ap${i % 100}@example.com`,
    };
    lines.push(JSON.stringify(i % 3 === 0 ? { value, key: `supplier-${i % 97}`, headers: { batch: tag } } : value));
  }
  return `${lines.join('\n')}\n`;
}

function publish(args) {
  return new Promise((resolve, reject) => {
    const child = track(spawn(process.execPath, [MESH, 'publish', ...args], { stdio: ['ignore', 'pipe', 'pipe'] }));
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`mesh publish exited ${code}: ${stderr.trim()}`))));
  });
}

async function endTotal(admin, topic) {
  return (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0);
}

async function main() {
  assertBuilt(DIST);
  killChildrenOnExit();
  hardDeadline(CFG.runs * CFG.runTimeoutMs + 60_000);
  const { startBroker } = require(DIST.broker);
  const { startSchemaRegistry, loadContracts, registerContracts } = require(DIST['schema-registry']);
  const { Kafka, logLevel } = require(require.resolve('kafkajs', { paths: [DIST.cli] }));

  const broker = await startBroker({ port: 0, defaultPartitions: 3 });
  const registry = await startSchemaRegistry({ port: 0 });
  const contracts = loadContracts();
  await registerContracts(registry.url, contracts);
  const admin = new Kafka({ clientId: 'bench-publish', brokers: [broker.address], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-publish-'));
  const rates = [];
  try {
    // The invoice contract under a fresh topic's subject, so each run starts from an empty topic.
    const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'schemas', 'invoice', 'invoice-received.avsc'), 'utf8'));
    console.log(`mesh publish --file: ${fmt(CFG.events)} Avro events (invoices.received's contract) per run, ${CFG.runs} run(s), embedded broker and registry`);
    for (let run = 1; run <= CFG.runs; run++) {
      const tag = randomBytes(3).toString('hex');
      const topic = `bench.publish.${tag}`;
      await admin.createTopics({ topics: [{ topic, numPartitions: 3 }] });
      const res = await fetch(`${registry.url}/subjects/${topic}-value/versions`, {
        method: 'POST',
        headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
        body: JSON.stringify({ schema: JSON.stringify(schema) }),
      });
      if (!res.ok) throw new Error(`registering ${topic}-value: ${res.status} ${await res.text()}`);
      const file = path.join(dir, `${tag}.jsonl`);
      fs.writeFileSync(file, invoiceLines(CFG.events, tag));

      const started = process.hrtime.bigint();
      const out = await withTimeout(publish([topic, '--file', file, '--brokers', broker.address, '--registry', registry.url]), CFG.runTimeoutMs, `mesh publish run ${run}`);
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      const onTopic = await endTotal(admin, topic);
      if (onTopic !== CFG.events) throw new Error(`run ${run}: ${onTopic} of ${CFG.events} events on ${topic}`);
      const rate = (CFG.events * 1000) / wallMs;
      rates.push(rate);
      console.log(`  run ${run}: ${fmt(wallMs)} ms wall (process start-up included), ${fmt(rate)} events/s; mesh said: ${out.trim()}`);
    }
  } finally {
    await admin.disconnect().catch(() => undefined);
    await registry.stop();
    await broker.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const best = Math.max(...rates);
  const worst = Math.min(...rates);
  console.log(
    `mesh publish --file: ${fmt(worst)} events/s (slowest run)${CFG.runs > 1 ? `, ${fmt(best)} events/s (fastest)` : ''}; target >= ${fmt(CFG.targetPerSec)} events/s: ${worst >= CFG.targetPerSec ? 'met' : 'NOT met'}`,
  );
}

runMain(main);
