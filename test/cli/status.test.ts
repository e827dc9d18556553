import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineAgent, type AgentEvent, type RunningWorker } from '@agentmesh/runtime';
import { MESH, runMesh, type FinishedCommand } from '../support/mesh-cli';
import { embeddedBrokerOnly, eventually, kafkaFor, startTestBroker, uniqueName } from '../support/kafka';
import { json, runtimeHarness, type RuntimeHarness } from '../runtime/support';

// `mesh status` and `mesh agents show` as an operator runs them: the built CLI in its own process, against agents
// running here (embedded broker, the real Redis): one whose handler fails every event (retries, then the DLQ), one
// stopped while records keep arriving (lag grows from committed offsets), a heartbeat of a newer contract, and an
// instance that went silent without stopping (a crashed consumer).

const mesh = (args: string[], timeoutMs = 45_000): Promise<FinishedCommand> => runMesh(args, {}, timeoutMs);

interface Item {
  n: number;
}

interface StatusJson {
  agents: Array<{
    name: string;
    instances: Array<{ instanceId: string; liveness: string; crashed: boolean; status: string; unknownFields: string[] }>;
    alive: number;
    lag: { records: number; seconds: number | null; partitions: Array<{ topic: string; lag: number }> };
    rates: { processed: number; retried: number; deadLettered: number };
    errorRate: number;
    p99Ms: number | null;
    dlqSize: number;
    health: { trend: string };
  }>;
  alerts: Array<{ alert: string; subject: string; state: string; value: number }>;
  newerContractHeartbeats: number;
}

let h: RuntimeHarness;
const id = uniqueName('status');
const failing = `failing-${id}`;
const paused = `paused-${id}`;
const future = `future-${id}`;
const crashedAgent = `crashed-${id}`;
const failingInput = `fail-in-${id}`;
const pausedInput = `paused-in-${id}`;
const DEAD_LETTERS = 105;
const at = () => ['--brokers', h.broker.address, '--window', '2m'];
let pausedWorker: RunningWorker;

async function produce(topic: string, count: number): Promise<void> {
  const producer = h.kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: Array.from({ length: count }, (_, n) => ({ key: `k-${n % 7}`, value: json({ n }) })) });
  await producer.disconnect();
}

async function status(): Promise<StatusJson> {
  const result = await mesh(['status', '--json', ...at()]);
  expect(result).toMatchObject({ code: 0, stderr: '' });
  return JSON.parse(result.stdout) as StatusJson;
}

beforeAll(async () => {
  h = await runtimeHarness();
  const fast = { heartbeatEveryMs: 300, lagEveryMs: 300 };
  await h.start(
    defineAgent<Item>({
      name: failing,
      consumes: [failingInput],
      produces: [],
      retry: { delaysMs: [50], maxAttempts: 2, jitter: 0 },
      handle: async (e: AgentEvent<Item>) => {
        throw new Error(`item ${e.value.n} fails`);
      },
    }),
    fast,
  );
  pausedWorker = await h.start(defineAgent<Item>({ name: paused, consumes: [pausedInput], produces: [], handle: async () => [] }), fast);
  await produce(failingInput, DEAD_LETTERS);
  await produce(pausedInput, 3);
  const watcher = await h.watch([`${failing}.dlq`]);
  await watcher.until((s) => s.length === DEAD_LETTERS, `${DEAD_LETTERS} dead letters`, 60_000);
  await watcher.stop();
  // The paused agent consumed its first records; stopped, it consumes nothing while more arrive.
  await eventually(async () => ((await status()).agents.find((a) => a.name === paused)?.lag.records === 0 ? true : undefined), 'the paused agent to catch up', 20_000, 300);
  await pausedWorker.stop();
  await produce(pausedInput, 4);

  // A heartbeat from a newer contract (a status and a field this reader does not know), and one of an instance
  // that stopped sending 30 s ago without saying it was stopping.
  const producer = h.kafka.producer();
  await producer.connect();
  const beat = (agent: string, instanceId: string, sentAt: number, extra: Record<string, unknown> = {}) => ({
    key: instanceId,
    value: json({ agent, instanceId, host: 'elsewhere', pid: 1, status: 'READY', sentAt, topics: [], counters: {}, ...extra }),
  });
  await producer.send({
    topic: 'mesh.heartbeats',
    messages: [beat(future, `${future}-1`, Date.now(), { status: 'DRAINING', gpuUtilisation: 0.5 }), beat(crashedAgent, `${crashedAgent}-1`, Date.now() - 30_000)],
  });
  await producer.disconnect();
}, 120_000);

afterAll(() => h?.close());

describe('mesh status', () => {
  it('--json shows every agent with instances, lag in records and seconds, rates, DLQ size and the firing alerts', async () => {
    const s = await status();
    const byName = new Map(s.agents.map((a) => [a.name, a]));

    const f = byName.get(failing)!;
    expect(f.alive).toBe(1);
    expect(f.dlqSize).toBe(DEAD_LETTERS);
    expect(f.errorRate).toBeGreaterThan(0.9);
    expect(f.rates.retried + f.rates.deadLettered).toBeGreaterThan(0);
    // Handler durations reach the heartbeats.
    expect(f.p99Ms).not.toBeNull();

    // Stopped, so lag comes from committed offsets, not from a fetch: 4 records behind, and their age in seconds.
    const p = byName.get(paused)!;
    expect(p.instances.map((i) => [i.status, i.liveness, i.crashed])).toEqual([['STOPPING', 'gone', false]]);
    expect(p.lag.records).toBe(4);
    expect(p.lag.seconds).toBeGreaterThan(0);

    // Shown, not crashed on.
    expect(byName.get(future)!.instances[0]).toMatchObject({ status: 'DRAINING', unknownFields: ['gpuUtilisation'] });
    expect(s.newerContractHeartbeats).toBeGreaterThanOrEqual(1);
    expect(byName.get(crashedAgent)!.instances[0]).toMatchObject({ liveness: 'stale', crashed: true });

    const firing = s.alerts.filter((a) => a.state === 'firing').map((a) => `${a.alert} ${a.subject}`);
    expect(firing).toEqual(expect.arrayContaining([`MeshAgentDeadLettersGrowing ${failing}`, `MeshConsumerCrashed ${crashedAgent}`]));
    // The error rate's rule holds for 5 minutes before it fires: a one-shot status shows it pending.
    expect(s.alerts).toEqual(expect.arrayContaining([expect.objectContaining({ alert: 'MeshAgentErrorRateHigh', subject: failing, state: 'pending' })]));
    expect(firing.some((a) => a.includes(paused))).toBe(false);
  });

  it('prints one table readable in 120 columns, with the alerts under it', async () => {
    const result = await mesh(['status', ...at()]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const lines = result.stdout.split('\n');
    expect(lines[0]!.split(/\s{2,}/)).toEqual(['AGENT', 'UP', 'LAG', 'LAG AGE', 'OK/S', 'ERR%', 'RTY/M', 'P99MS', 'BRK', 'DLQ', 'TREND', 'ALERTS']);
    const table = lines.slice(0, lines.indexOf(''));
    expect(table.length).toBeGreaterThan(4);
    expect(table.every((l) => l.length <= 120)).toBe(true);
    const row = lines.find((l) => l.startsWith(paused.slice(0, 20)))!;
    expect(row.split(/\s+/).slice(1, 3)).toEqual(['0/1', '4']);
    expect(result.stdout).toMatch(new RegExp(`FIRING\\s+warning\\s+MeshAgentDeadLettersGrowing\\s+Agent ${failing}: over 100 dead letters`));
    expect(result.stdout).toMatch(/note: \d+ heartbeat\(s\) of a newer contract/);
  });

  it('--watch publishes alert transitions on mesh.alerts, for agents to react to, and logs them', async () => {
    const watcher = await h.watch(['mesh.alerts']);
    let child: ChildProcess | undefined;
    try {
      child = spawn(process.execPath, [MESH, 'status', '--watch', '--json', '--every', '1s', ...at()], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      const seen = await watcher.until((s) => s.some((x) => x.key === `MeshAgentDeadLettersGrowing/${failing}`), 'the DLQ alert on mesh.alerts', 30_000);
      const record = JSON.parse(seen.find((x) => x.key === `MeshAgentDeadLettersGrowing/${failing}`)!.value!.toString()) as Record<string, unknown>;
      expect(record).toMatchObject({ alert: 'MeshAgentDeadLettersGrowing', state: 'FIRING', severity: 'warning', subject: failing, value: DEAD_LETTERS, threshold: 100 });
      await eventually(() => (stderr.includes(`alert firing: MeshAgentDeadLettersGrowing ${failing}`) ? true : undefined), 'the alert as a log line', 10_000);
    } finally {
      child?.kill('SIGTERM');
      if (child && child.exitCode === null) await once(child, 'exit');
      await watcher.stop();
    }
  });
});

describe('mesh agents show', () => {
  it("lists an agent's instances, partitions with their lag, anomalies and alerts", async () => {
    const result = await mesh(['agents', 'show', paused, ...at()]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain(`agent ${paused} (group ${paused}`);
    expect(result.stdout).toMatch(/INSTANCES\nINSTANCE\s+HOST\s+PID\s+STATUS\s+LIVENESS/);
    expect(result.stdout).toMatch(new RegExp(`${pausedInput}\\s+\\d\\s+\\d\\s+\\d+s`));
    const shown = JSON.parse((await mesh(['agents', 'show', failing, '--json', ...at()])).stdout) as { agent: { name: string }; alerts: Array<{ alert: string }> };
    expect(shown.agent.name).toBe(failing);
    expect(shown.alerts.map((a) => a.alert)).toContain('MeshAgentDeadLettersGrowing');
  });

  it('says in one line that an unknown agent sent no heartbeat', async () => {
    const result = await mesh(['agents', 'show', 'no-such-agent', ...at()]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^mesh: no agent 'no-such-agent' has sent a heartbeat in the last 2m \(agents seen: .*failing-/)]);
  });
});

describe('bad input', () => {
  it('a broker with no mesh on it is one line, exit 1', async () => {
    const empty = await embeddedBrokerOnly('needs a cluster with no mesh on it');
    try {
      const result = await mesh(['status', '--brokers', empty.address]);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(`mesh: no agents have sent a heartbeat to mesh.heartbeats on ${empty.address} in the last 5m\n`);
    } finally {
      await empty.stop();
    }
  });

  it('--watch survives the broker going away: it says so, and shows the mesh again once the broker is back', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mesh-status-'));
    let broker = await embeddedBrokerOnly('stops and restarts the broker', { dataDir });
    const port = broker.port;
    let child: ChildProcess | undefined;
    try {
      const kafka = kafkaFor(broker);
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({
        topic: 'mesh.heartbeats',
        messages: [{ key: 'w-1', value: json({ agent: 'watched', instanceId: 'w-1', host: 'h', pid: 1, status: 'READY', sentAt: Date.now(), topics: [], counters: {} }) }],
      });
      await producer.disconnect();
      child = spawn(process.execPath, [MESH, 'status', '--watch', '--json', '--every', '300ms', '--brokers', broker.address], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      const snapshots = () => stdout.split('\n').filter((l) => l.includes('"watched"')).length;
      await eventually(() => (snapshots() > 0 ? true : undefined), 'a first snapshot', 20_000);
      await broker.stop();
      await eventually(() => (/could not read the mesh on .*\(trying again every 300ms\)/.test(stderr) ? true : undefined), 'the broker reported away', 30_000);
      const before = snapshots();
      broker = await startTestBroker({ dataDir, port });
      await eventually(() => (snapshots() > before ? true : undefined), 'a snapshot after the broker came back', 30_000);
      expect(child.exitCode).toBeNull();
    } finally {
      child?.kill('SIGTERM');
      if (child && child.exitCode === null) await once(child, 'exit');
      await broker.stop().catch(() => undefined);
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);

  it('a broker that does not answer is one line naming it', async () => {
    const result = await mesh(['status', '--brokers', '127.0.0.1:1'], 60_000);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^mesh: could not read the mesh on 127\.0\.0\.1:1: /)]);
  });
});
