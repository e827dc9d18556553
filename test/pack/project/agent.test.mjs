// A user's project test: the mesh as its installed packages run it, through the `mesh` command they ship.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

const MESH = join(process.cwd(), 'node_modules', '.bin', 'mesh');
const started = [];
const dataDir = mkdtempSync(join(tmpdir(), 'mesh-user-data-'));

function mesh(args) {
  const child = spawn(MESH, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d) => (out.stdout += d));
  child.stderr.on('data', (d) => (out.stderr += d));
  return { child, out };
}

async function finished(args, timeoutMs = 20_000) {
  const run = mesh(args);
  const timer = setTimeout(() => run.child.kill('SIGKILL'), timeoutMs);
  const [code] = await once(run.child, 'exit');
  clearTimeout(timer);
  return { code, ...run.out };
}

async function lineOf(run, pattern, timeoutMs = 20_000, stream = 'stdout') {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(run.out[stream]);
    if (match) return match;
    if (run.child.exitCode !== null || Date.now() > deadline) throw new Error(`no ${pattern}: ${JSON.stringify(run.out)}`);
    await Promise.race([once(run.child[stream], 'data'), new Promise((r) => setTimeout(r, 250))]);
  }
}

/** The first record of a topic, decoded, once there is one. */
async function firstRecord(topic, endpoints, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await finished(['tail', topic, '--json', '--max', '1', ...endpoints]);
    if (last.code === 0 && last.stdout.trim()) return JSON.parse(last.stdout.trim().split('\n')[0]);
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`nothing on ${topic}: ${JSON.stringify(last)}`);
}

let endpoints;
let registryUrl;

before(async () => {
  const dev = mesh(['dev', '--broker-port', '0', '--registry-port', '0', '--no-console', '--data-dir', dataDir]);
  const broker = (await lineOf(dev, /broker listening on (\S+)/))[1];
  registryUrl = (await lineOf(dev, /schema registry listening on (\S+)/))[1];
  await lineOf(dev, /registered \d+ contracts/);
  endpoints = ['--brokers', broker, '--registry', registryUrl];
});

after(async () => {
  for (const child of started.reverse()) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await Promise.race([once(child, 'exit'), new Promise((r) => setTimeout(r, 5_000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
});

test("mesh dev registered the mesh's own contracts and this project's ./schemas", async () => {
  const subjects = await (await fetch(`${registryUrl}/subjects`)).json();
  for (const subject of ['mesh.heartbeats-value', 'saga.replies-value', 'saga.events-value', 'orders.placed-value', 'orders.accepted-value']) {
    assert.ok(subjects.includes(subject), `${subject} in ${subjects}`);
  }
  const again = await finished(['contracts', 'register', '--registry', registryUrl]);
  assert.equal(again.code, 0, again.stderr);
});

test('the agent handles an Avro event and its heartbeats are Avro on mesh.heartbeats', async () => {
  const agent = mesh(['run', './agent.js', ...endpoints]);
  await lineOf(agent, /agent order-checker ready/, 30_000, 'stderr');
  const published = await finished(['publish', 'orders.placed', '--value', '{"orderId":"o-1","totalCents":1250}', ...endpoints]);
  assert.equal(published.code, 0, published.stderr);

  const accepted = await firstRecord('orders.accepted', endpoints).catch((error) => {
    throw new Error(`${error.message}; the agent said: ${JSON.stringify(agent.out)}`);
  });
  assert.deepEqual(accepted.value, { encoding: 'avro', schemaId: accepted.value.schemaId, value: { orderId: 'o-1', accepted: true } });

  const heartbeat = await firstRecord('mesh.heartbeats', endpoints);
  assert.equal(heartbeat.value.encoding, 'avro');
  assert.equal(heartbeat.value.value.agent, 'order-checker');
  assert.doesNotMatch(agent.out.stdout + agent.out.stderr, /no schema is registered/);
});
