import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { kafkaFor, testKafka, uniqueName, type TestKafka } from '../support/kafka';
import { MESH, runMesh } from '../support/mesh-cli';
import { TEST_REDIS_URL } from '../support/redis';

// `mesh chaos` as an operator runs it: agents under `mesh run` (two supervised replicas with --chaos, and one
// process without), each scenario at small scale against them, its verdict and the proof its fault happened.

const FIXTURE = resolve(__dirname, 'fixtures/chaos-agent.js');
const REDIS_URL = TEST_REDIS_URL;

let broker: TestKafka;
const children = new Set<ChildProcess>();

interface Agent {
  name: string;
  input: string;
  output: string;
  log(): string;
}

interface Report {
  accepted: number;
  refused: Array<{ reason: string }>;
  counters: Record<string, number>;
  ledger: { published: number; processed: number; degraded: number; deadLettered: number; invalidInput: number; lost: number; duplicateEffects: number };
  restarted?: boolean;
  verdict: { pass: boolean; reason: string };
}

/** Starts `mesh run` of the fixture and resolves once every process of it said ready. */
async function startAgent(prefix: string, extra: string[], readyLines: number): Promise<Agent> {
  const id = uniqueName(prefix);
  const agent = { name: `agent-${id}`, input: `in-${id}`, output: `out-${id}` };
  const admin = kafkaFor(broker).admin();
  await admin.connect();
  await admin.createTopics({ topics: [agent.input, agent.output].map((topic) => ({ topic, numPartitions: 2 })) });
  await admin.disconnect();
  const args = [MESH, 'run', FIXTURE, '--brokers', broker.address, '--json', '--redis', REDIS_URL, '--session-timeout', '3000', ...extra];
  const child = spawn(process.execPath, args, {
    env: { ...process.env, LOG_LEVEL: 'info', AGENT_NAME: agent.name, AGENT_IN: agent.input, AGENT_OUT: agent.output },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 60_000;
  while ((out.match(/ ready/g) ?? []).length < readyLines) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`mesh run did not get ready: ${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { ...agent, log: () => out };
}

async function chaos(scenario: string, agent: Agent, extra: string[] = []): Promise<{ code: number | null; report: Report; stderr: string }> {
  const args = ['chaos', scenario, '--agent', agent.name, '--topic', agent.input, '--value', '{"n":1}', '--brokers', broker.address, '--json-values', '--json'];
  const done = await runMesh([...args, '--count', '10', '--duration', '2s', '--delay', '2s', '--answer-wait', '10s', '--settle-timeout', '40s', ...extra], {}, 90_000);
  return { code: done.code, report: JSON.parse(done.stdout) as Report, stderr: done.stderr };
}

let chaotic: Agent;

beforeAll(async () => {
  broker = await testKafka();
  chaotic = await startAgent('chaos', ['--replicas', '2', '--chaos', '--restart-delay', '200'], 2);
}, 90_000);

afterAll(async () => {
  for (const c of children) c.kill('SIGTERM');
  await Promise.all([...children].map((c) => Promise.race([once(c, 'exit'), new Promise((r) => setTimeout(r, 15_000).unref())])));
  for (const c of children) c.kill('SIGKILL');
  await broker.stop();
}, 30_000);

describe('mesh chaos', () => {
  it('dependency-delay: the breaker opens, events wait, none dead-lettered or lost', async () => {
    const { code, report } = await chaos('dependency-delay', chaotic);
    expect(report).toMatchObject({ verdict: { pass: true } });
    expect(code).toBe(0);
    expect(report.accepted).toBe(2);
    expect(report.counters.breakersOpened).toBeGreaterThan(0);
    expect(report.counters.delayedCalls).toBeGreaterThan(0);
    expect(report.ledger).toMatchObject({ published: 10, processed: 10, deadLettered: 0, lost: 0 });
  }, 100_000);

  it('stopped-agent: consumption pauses for the duration, then every event is handled', async () => {
    const { code, report } = await chaos('stopped-agent', chaotic);
    expect(report.verdict.pass).toBe(true);
    expect(code).toBe(0);
    expect(report.counters.pausedMs).toBeGreaterThan(1_000);
    expect(report.ledger).toMatchObject({ published: 10, processed: 10, lost: 0 });
    expect(chaotic.log()).toContain('chaos: stopped by command');
  }, 100_000);

  it('load and corrupted-data: ten times the events all handled; corrupted records dead-lettered as invalid-input', async () => {
    const load = await chaos('load', chaotic);
    expect(load.report.verdict.pass).toBe(true);
    expect(load.report.ledger).toMatchObject({ published: 100, processed: 100, lost: 0 });
    const corrupted = await chaos('corrupted-data', chaotic);
    expect(corrupted.report.verdict.pass).toBe(true);
    expect(corrupted.code).toBe(0);
    expect(corrupted.report.ledger).toMatchObject({ published: 12, processed: 10, deadLettered: 2, invalidInput: 2, lost: 0 });
  }, 100_000);

  it('redis-outage and registry-outage (simulated in the agent): the outage is felt, nothing lost or dead-lettered', async () => {
    for (const scenario of ['redis-outage', 'registry-outage']) {
      const { code, report } = await chaos(scenario, chaotic);
      expect(report.verdict).toMatchObject({ pass: true });
      expect(code).toBe(0);
      expect(report.counters.refusedCalls).toBeGreaterThan(0);
      expect(report.ledger).toMatchObject({ processed: 10, deadLettered: 0, lost: 0 });
    }
  }, 100_000);

  it('kill-replica: one process kills itself, its supervisor restarts it, nothing lost', async () => {
    const { code, report } = await chaos('kill-replica', chaotic);
    expect(report.verdict.pass).toBe(true);
    expect(code).toBe(0);
    expect(report.restarted).toBe(true);
    expect(report.ledger).toMatchObject({ published: 10, lost: 0 });
    expect(chaotic.log()).toMatch(/"signal":"SIGKILL"/);
  }, 100_000);

  it('an agent without chaos enabled refuses the command, logs it, and keeps processing; the verdict says no agent accepted it', async () => {
    const plain = await startAgent('plain', [], 1);
    const { code, report } = await chaos('stopped-agent', plain);
    expect(code).toBe(1);
    expect(report.verdict.reason).toMatch(/^no agent accepted the chaos command: 1 process\(es\) refused it \(chaos is not enabled for agent-plain/);
    expect(plain.log()).toContain(`chaos command refused: chaos is not enabled for ${plain.name}`);
    expect(report.ledger).toMatchObject({ published: 10, processed: 10, lost: 0 });
    expect(report.counters).toEqual({});
  }, 100_000);

  it('an unknown scenario is one line and exit 2; ls says which faults are real', async () => {
    const unknown = await runMesh(['chaos', 'meteor-strike']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim().split('\n')).toEqual(["mesh: unknown chaos scenario 'meteor-strike' (mesh chaos ls lists them)"]);
    const ls = await runMesh(['chaos', 'ls']);
    expect(ls.code).toBe(0);
    expect(ls.stdout).toMatch(/^kill-replica +\[real\]/m);
    expect(ls.stdout).toMatch(/^redis-outage +\[simulated in the agent, default 30 s\]/m);
    expect(ls.stdout).toMatch(/^sagas +\[real, in a harness\].*run: mesh chaos sagas --harness /m);
    expect(ls.stdout).toMatch(/^broker-restart +\[real, in a harness\].*a running mesh cannot stop its broker/m);
    const broker = await runMesh(['chaos', 'broker-restart', '--agent', 'a']);
    expect(broker.code).toBe(1);
    expect(broker.stderr).toMatch(/^mesh: scenario broker-restart needs --harness <module>: /);
  }, 30_000);

  it('an agent with no process running: nothing is published, and the verdict says no process answered', async () => {
    const absent = { ...chaotic, name: uniqueName('absent') };
    const { code, report } = await chaos('stopped-agent', absent, ['--answer-wait', '2s']);
    expect(code).toBe(1);
    expect(report.verdict.reason).toBe('no agent accepted the chaos command: no process answered (is the agent running under mesh run?)');
    expect(report.ledger.published).toBe(0);
  }, 30_000);
});
