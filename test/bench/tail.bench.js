#!/usr/bin/env node
/*
 * mesh tail benchmark (not a test): how many Avro records per second `mesh tail` reads, decodes through the schema
 * registry and prints, as a user runs it (its own process).
 *
 * Run: npm run bench:tail   (= npm run build && node test/bench/tail.bench.js)
 *      BENCH_EVENTS=200000 BENCH_RUNS=3 node test/bench/tail.bench.js
 *
 * In this process: the embedded broker (in memory, 3 partitions) and the embedded registry. BENCH_EVENTS invoices
 * (the repository's invoices.received contract, under a fresh topic's subject), Avro-encoded with the registry's
 * wire format, with a key and a header each, are produced with kafkajs. Then `mesh tail <topic> --from beginning`
 * reads them to the end and exits, once with --json and once as text; stdout is counted (one JSON object a line,
 * one `── ` heading a record). Printed per run and mode: wall time of the whole command (start-up included) and the
 * rate over it, the rate from the first record printed to the last (the decoding loop: what the target is about), and
 * the command's CPU time (from /proc), which a loaded machine inflates less than the wall time.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { envInt, track, withTimeout, assertBuilt, killChildrenOnExit, hardDeadline, runMain, procCpuMs } = require('./support/processes');
const { fmt } = require('./support/report');

const ROOT = path.resolve(__dirname, '..', '..');
const DIST = {
  broker: path.join(ROOT, 'packages', 'broker', 'dist'),
  'schema-registry': path.join(ROOT, 'packages', 'schema-registry', 'dist'),
  runtime: path.join(ROOT, 'packages', 'runtime', 'dist'),
  cli: path.join(ROOT, 'packages', 'cli', 'dist'),
};
const MESH = path.join(ROOT, 'packages', 'cli', 'bin', 'mesh.js');
const CFG = {
  events: Math.max(1, envInt('BENCH_EVENTS', 100_000)),
  runs: Math.max(1, envInt('BENCH_RUNS', 1)),
  targetPerSec: envInt('BENCH_TARGET', 20_000),
  runTimeoutMs: envInt('BENCH_RUN_TIMEOUT_MS', 120_000),
};
const BATCH = 2_000;

/** Runs `mesh tail`, counting records as they are printed; resolves with the count and the times. */
function tail(args, json) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = track(spawn(process.execPath, [MESH, 'tail', ...args], { stdio: ['ignore', 'pipe', 'pipe'] }));
    let records = 0;
    let firstAt;
    let partial = '';
    let stderr = '';
    // The command's CPU time (user + system), read from /proc as it prints: on a shared machine the wall time says
    // more about the other processes than about mesh tail. The last reading misses at most its final batch.
    let cpuMs = null;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      cpuMs = procCpuMs(child.pid) ?? cpuMs;
      firstAt ??= process.hrtime.bigint();
      const text = partial + chunk;
      const lines = text.split('\n');
      partial = lines.pop();
      for (const line of lines) if (json ? line.startsWith('{') : line.startsWith('── ')) records += 1;
    });
    child.stderr.on('data', (d) => (stderr += d));
    child.once('error', reject);
    child.once('exit', (code) => {
      const endedAt = process.hrtime.bigint();
      if (code !== 0) return reject(new Error(`mesh tail exited ${code}: ${stderr.trim()}`));
      resolve({ records, cpuMs, wallMs: Number(endedAt - started) / 1e6, streamMs: Number(endedAt - (firstAt ?? endedAt)) / 1e6 });
    });
  });
}

async function main() {
  assertBuilt(DIST);
  killChildrenOnExit();
  hardDeadline(CFG.runs * 2 * CFG.runTimeoutMs + 120_000);
  const { startBroker } = require(DIST.broker);
  const { startSchemaRegistry } = require(DIST['schema-registry']);
  const { RegistryCodec } = require(DIST.runtime);
  const { Kafka, logLevel } = require(require.resolve('kafkajs', { paths: [DIST.cli] }));

  const broker = await startBroker({ port: 0, defaultPartitions: 3 });
  const registry = await startSchemaRegistry({ port: 0 });
  const kafka = new Kafka({ clientId: 'bench-tail', brokers: [broker.address], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const producer = kafka.producer();
  await admin.connect();
  await producer.connect();
  const rates = [];
  const cpuRates = [];
  const streamRates = [];
  try {
    const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'schemas', 'invoice', 'invoice-received.avsc'), 'utf8'));
    console.log(`mesh tail: ${fmt(CFG.events)} Avro records (invoices.received's contract) per run, ${CFG.runs} run(s), embedded broker and registry`);
    for (let run = 1; run <= CFG.runs; run++) {
      const tag = randomBytes(3).toString('hex');
      const topic = `bench.tail.${tag}`;
      await admin.createTopics({ topics: [{ topic, numPartitions: 3 }] });
      const res = await fetch(`${registry.url}/subjects/${topic}-value/versions`, {
        method: 'POST',
        headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
        body: JSON.stringify({ schema: JSON.stringify(schema) }),
      });
      if (!res.ok) throw new Error(`registering ${topic}-value: ${res.status} ${await res.text()}`);
      const codec = new RegistryCodec({ url: registry.url });
      for (let from = 0; from < CFG.events; from += BATCH) {
        const messages = [];
        for (let i = from; i < Math.min(CFG.events, from + BATCH); i++) {
          const value = {
            invoiceId: `inv-${tag}-${i}`,
            source: 'UPLOAD',
            documentUri: `file:///inbox/inv-${tag}-${i}.pdf`,
            contentType: 'application/pdf',
            receivedAt: 1_700_000_000_000 + i,
            senderEmail: i % 2 === 0 ? null : `ap${i % 100}@example.com`,
          };
          messages.push({ key: `supplier-${i % 97}`, value: await codec.encode(topic, value), headers: { 'mesh-event-id': `${tag}-${i}` } });
        }
        await producer.send({ topic, messages });
      }

      for (const json of [true, false]) {
        const mode = json ? '--json' : 'text';
        const args = [topic, '--from', 'beginning', '--brokers', broker.address, '--registry', registry.url, ...(json ? ['--json'] : [])];
        const result = await withTimeout(tail(args, json), CFG.runTimeoutMs, `mesh tail ${mode} run ${run}`);
        if (result.records !== CFG.events) throw new Error(`run ${run} ${mode}: printed ${result.records} of ${CFG.events} records`);
        const wallRate = (CFG.events * 1000) / result.wallMs;
        const streamRate = (CFG.events * 1000) / result.streamMs;
        const cpuRate = result.cpuMs ? (CFG.events * 1000) / result.cpuMs : null;
        rates.push(wallRate);
        streamRates.push(streamRate);
        cpuRates.push(cpuRate);
        console.log(
          `  run ${run} ${mode.padEnd(6)}: ${fmt(result.wallMs)} ms wall (start-up included), ${fmt(wallRate)} records/s; first to last record ${fmt(result.streamMs)} ms, ${fmt(streamRate)} records/s; ${result.cpuMs === null ? 'CPU time not readable' : `${fmt(result.cpuMs)} ms of CPU, ${fmt(cpuRate)} records per CPU-second`}`,
        );
      }
    }
  } finally {
    await producer.disconnect().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    await registry.stop();
    await broker.stop();
  }
  const decoding = Math.min(...streamRates);
  const cpuKnown = cpuRates.filter((r) => r !== null);
  console.log(`mesh tail, whole command (start-up and group join included): ${fmt(Math.min(...rates))} records/s (slowest run and mode)`);
  if (cpuKnown.length > 0) console.log(`mesh tail: ${fmt(Math.min(...cpuKnown))} records per CPU-second, start-up included (what one idle core does)`);
  console.log(
    `mesh tail decoding (first record printed to last, slowest run and mode): ${fmt(decoding)} Avro records/s; target >= ${fmt(CFG.targetPerSec)}/s: ${decoding >= CFG.targetPerSec ? 'met' : 'NOT met'}`,
  );
}

runMain(main);
