import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import type { Consumer, Kafka } from 'kafkajs';
import { HEARTBEAT_TOPIC } from '@agentmesh/runtime/internal';
import { kafkaFor, testKafka, uniqueName, type TestKafka } from '../support/kafka';
import { MESH, runMesh } from '../support/mesh-cli';
import { TEST_REDIS_URL } from '../support/redis';

// `mesh run --replicas N` as an operator runs it: a supervisor process whose replicas are `mesh run`
// processes, killed with -9, crashing at every start, and stopped with SIGTERM.

const FIXTURE = resolve(__dirname, 'fixtures/crashing-agent.js');

let broker: TestKafka;
let kafka: Kafka;
const supervisors = new Set<ChildProcess>();
const replicaPids = new Set<number>();

beforeAll(async () => {
  broker = await testKafka();
  kafka = kafkaFor(broker);
});
afterAll(async () => {
  // A supervisor a failed test left running: SIGTERM stops its replicas too; whatever is left is killed.
  for (const s of supervisors) s.kill('SIGTERM');
  await Promise.all([...supervisors].map((s) => Promise.race([once(s, 'exit'), new Promise((r) => setTimeout(r, 10_000).unref())])));
  for (const s of supervisors) s.kill('SIGKILL');
  for (const pid of replicaPids) if (alive(pid)) process.kill(pid, 'SIGKILL');
  await broker.stop();
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A JSON line the supervisor logged about its replicas. */
interface SupervisorLog {
  name: string;
  msg: string;
  replica?: number;
  replicaPid?: number;
  restarts?: number;
  delayMs?: number;
  exitCode?: number | null;
  signal?: string | null;
  observabilityUrl?: string;
  reason?: string;
}

interface Supervisor {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** The supervisor's own log lines, parsed. */
  logs(): SupervisorLog[];
  /** Resolves with the probe's first value other than undefined, checked as output arrives; fails on exit or after `timeoutMs`. */
  until<T>(probe: () => T | undefined, what: string, timeoutMs?: number): Promise<T>;
  exit: Promise<[number | null, NodeJS.Signals | null]>;
}

function agentEnv(crashReplicas = '') {
  const id = uniqueName('sup');
  return { AGENT_NAME: `agent-${id}`, AGENT_IN: `in-${id}`, AGENT_OUT: `out-${id}`, CRASH_REPLICAS: crashReplicas };
}

function supervise(env: Record<string, string>, extra: string[] = []): Supervisor {
  const args = [MESH, 'run', FIXTURE, '--replicas', '2', '--brokers', broker.address, '--json', '--redis', TEST_REDIS_URL, '--session-timeout', '3000', ...extra];
  const child = spawn(process.execPath, args, { env: { ...process.env, LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  supervisors.add(child);
  let out = '';
  let err = '';
  const logs: SupervisorLog[] = [];
  let partial = '';
  const checks = new Set<() => void>();
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    const lines = (partial + d.toString()).split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      if (!line.startsWith('{"level"')) continue; // the replicas' lines start with {"replica":
      const parsed = JSON.parse(line) as SupervisorLog;
      if (parsed.name === 'supervisor') logs.push(parsed);
    }
    checks.forEach((c) => c());
  });
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    checks.forEach((c) => c());
  });
  const exit = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  void exit.then(() => supervisors.delete(child));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    logs: () => logs,
    exit,
    until<T>(probe: () => T | undefined, what: string, timeoutMs = 20_000): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const done = (error: Error | undefined, value?: T) => {
          clearTimeout(timer);
          checks.delete(check);
          child.off('exit', onExit);
          if (error) reject(error);
          else resolve(value as T);
        };
        const check = () => {
          const value = probe();
          if (value !== undefined) done(undefined, value);
        };
        const onExit = () => {
          const value = probe();
          if (value !== undefined) done(undefined, value);
          else done(new Error(`the supervisor exited before ${what}; stdout: ${out.slice(-4000)} stderr: ${err.slice(-4000)}`));
        };
        const timer = setTimeout(() => done(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; stdout: ${out.slice(-4000)} stderr: ${err.slice(-4000)}`)), timeoutMs);
        checks.add(check);
        child.once('exit', onExit);
        check();
      });
    },
  };
}

/** The supervisor's `replica <i> ready` line for the given run of that replica (its restart count). */
function readyLog(s: Supervisor, replica: number, restarts: number): Promise<SupervisorLog> {
  return s.until(() => s.logs().find((l) => l.msg === `replica ${replica} ready` && l.restarts === restarts), `replica ${replica} (restarts ${restarts}) to be ready`);
}

async function restartsMetric(url: string, agent: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = new RegExp(`^mesh_process_restarts\\{agent="${agent}"\\} (\\d+)$`, 'm').exec(text);
  if (!m) throw new Error(`no mesh_process_restarts for ${agent} at ${url}/metrics`);
  return Number(m[1]);
}

/** The first heartbeat of `agent` from process `pid`, read from mesh.heartbeats (JSON, as the replicas run with --json). */
async function heartbeatOf(agent: string, pid: number, timeoutMs = 15_000): Promise<{ pid: number; counters: Record<string, number> }> {
  const consumer: Consumer = kafka.consumer({ groupId: uniqueName('heartbeats'), maxWaitTimeInMs: 50 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [HEARTBEAT_TOPIC], fromBeginning: true });
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no heartbeat of ${agent} from pid ${pid} within ${timeoutMs} ms`)), timeoutMs);
      consumer
        .run({
          eachMessage: async ({ message }) => {
            const beat = JSON.parse(message.value!.toString()) as { agent: string; pid: number; counters: Record<string, number> };
            if (beat.agent !== agent || beat.pid !== pid) return;
            clearTimeout(timer);
            resolve(beat);
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
}

describe('mesh run --replicas', () => {
  it('restarts a replica killed with -9 as a new process that reports 1 restart, while the other keeps running', async () => {
    const env = agentEnv();
    const s = supervise(env, ['--restart-delay', '200']);
    const [first0, first1] = await Promise.all([readyLog(s, 0, 0), readyLog(s, 1, 0)]);
    await s.until(() => /^agent \S+ ready: 2 replica processes in group \S+, supervised; /m.exec(s.stderr()), 'the supervisor to say every replica is ready');
    replicaPids.add(first0.replicaPid!).add(first1.replicaPid!);
    expect(await restartsMetric(first1.observabilityUrl!, env.AGENT_NAME)).toBe(0);

    process.kill(first1.replicaPid!, 'SIGKILL');
    const crash = await s.until(() => s.logs().find((l) => l.msg.startsWith('replica 1 crashed')), 'the supervisor to log the crash');
    expect(crash).toMatchObject({ replica: 1, replicaPid: first1.replicaPid, signal: 'SIGKILL', exitCode: null, restarts: 1, delayMs: 200 });
    const again = await readyLog(s, 1, 1);
    replicaPids.add(again.replicaPid!);
    expect(again.replicaPid).not.toBe(first1.replicaPid);
    expect(alive(first1.replicaPid!)).toBe(false);
    expect(s.stderr()).toMatch(/^\[replica 1\] agent \S+ ready \(replica 1, restarts 1\): /m);
    // stdout is the log stream: JSON objects only, the replicas' labelled with their number.
    expect(
      s
        .stdout()
        .split('\n')
        .filter((l) => l !== '' && !l.startsWith('{'))
        .slice(0, 3),
    ).toEqual([]);

    // The restarted replica says so on /metrics and in its heartbeats.
    expect(await restartsMetric(again.observabilityUrl!, env.AGENT_NAME)).toBe(1);
    expect((await heartbeatOf(env.AGENT_NAME, again.replicaPid!)).counters).toMatchObject({ restarts: 1 });
    expect((await heartbeatOf(env.AGENT_NAME, first0.replicaPid!)).counters).toMatchObject({ restarts: 0 });

    // The other one was left alone: same process, serving, never restarted.
    expect(alive(first0.replicaPid!)).toBe(true);
    expect(await restartsMetric(first0.observabilityUrl!, env.AGENT_NAME)).toBe(0);
    expect(
      s
        .logs()
        .filter((l) => l.replica === 0 && /crashed|started/.test(l.msg))
        .map((l) => l.msg),
    ).toEqual(['replica 0 started']);

    s.child.kill('SIGTERM');
    expect(await s.exit).toEqual([0, null]);
  });

  it('on SIGTERM stops every replica (each drains and leaves its group) and exits 0', async () => {
    const s = supervise(agentEnv());
    const ready = await Promise.all([readyLog(s, 0, 0), readyLog(s, 1, 0)]);
    ready.forEach((r) => replicaPids.add(r.replicaPid!));
    s.child.kill('SIGTERM');
    expect(await s.exit).toEqual([0, null]);
    for (const r of ready) {
      expect(alive(r.replicaPid!)).toBe(false);
      expect(s.logs().find((l) => l.msg.startsWith(`replica ${r.replica} stopped`))).toMatchObject({ replicaPid: r.replicaPid, exitCode: 0, signal: null });
      // The replica stopped itself, cleanly: its worker's last line, relayed with its replica number.
      expect(s.stdout()).toMatch(new RegExp(`^\\{"replica":${r.replica},.*"msg":"stopped"\\}$`, 'm'));
      expect(s.stderr()).toContain(`[replica ${r.replica}] received SIGTERM, stopping`);
    }
    expect(s.logs().some((l) => /^replica \d+ (crashed|gave up)/.test(l.msg))).toBe(false);
  });

  it('gives up a replica that crashes at every start with a one-line status, and keeps the other running', async () => {
    const s = supervise(agentEnv('1'), ['--restart-delay', '100']);
    const healthy = await readyLog(s, 0, 0);
    replicaPids.add(healthy.replicaPid!);
    const status = await s.until(() => /^mesh: replica 1 gave up .*$/m.exec(s.stderr())?.[0], 'replica 1 to be given up');
    expect(status).toMatch(
      /^mesh: replica 1 gave up \(crash loop: 5 crashes in a row within [\d.]+ s, never up 60 s in between; last exit code 1: Error: replica 1 crashed at start \(injected\)\); 1 of 2 replicas still running$/,
    );
    const restarts = s.logs().filter((l) => l.msg.startsWith('replica 1 crashed'));
    expect(restarts.map((l) => [l.restarts, l.delayMs, l.exitCode])).toEqual([
      [1, 100, 1],
      [2, 200, 1],
      [3, 400, 1],
      [4, 800, 1],
    ]);
    // The log line travels on stdout, the status on stderr: either may come first.
    const gaveUp = await s.until(() => s.logs().find((l) => l.msg.startsWith('replica 1 gave up')), 'the give-up log line');
    expect(gaveUp).toMatchObject({ replica: 1, restarts: 4, exitCode: 1 });

    // The supervisor did not end, and the healthy replica is still the same process, serving.
    expect(s.child.exitCode).toBeNull();
    expect(alive(healthy.replicaPid!)).toBe(true);
    expect((await fetch(`${healthy.observabilityUrl}/ready`)).status).toBe(200);
    s.child.kill('SIGTERM');
    expect(await s.exit).toEqual([0, null]);
  });

  it('exits 1 with a one-line status once every replica has given up', async () => {
    const s = supervise(agentEnv('all'), ['--restart-delay', '100']);
    const [code] = await Promise.race([
      s.exit,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`the supervisor did not give up within 25 s; stderr: ${s.stderr()}`)), 25_000).unref()),
    ]);
    expect(code).toBe(1);
    const own = s
      .stderr()
      .split('\n')
      .filter((l) => l.startsWith('mesh: '));
    expect(own).toHaveLength(3);
    expect(own.slice(0, 2).sort()).toEqual([
      expect.stringMatching(/^mesh: replica 0 gave up \(crash loop: 5 crashes in a row/),
      expect.stringMatching(/^mesh: replica 1 gave up \(crash loop: 5 crashes in a row/),
    ]);
    expect(own[2]).toBe('mesh: all 2 replicas gave up (crash loop): nothing left to supervise');
    expect(
      s
        .logs()
        .filter((l) => l.msg.includes('gave up'))
        .map((l) => l.replica),
    ).toEqual(expect.arrayContaining([0, 1]));
  });

  it.each([
    [['--replicas', '100'], "error: option '--replicas <n>' argument '100' is invalid. '100' is not a replica count (a whole number from 1 to 64)"],
    [['--replicas', '2', '--port', '65535'], 'mesh: --port 65535 with --replicas 2: replica 1 would need port 65536 (the replicas take ports P to P+N-1)'],
  ])('refuses %j with one line', async (flags, line) => {
    const run = await runMesh(['run', FIXTURE, '--brokers', broker.address, '--json', ...flags], {}, 15_000);
    expect(run.code).toBe(1);
    expect(run.stderr.split('\n')[0]).toBe(line);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses a module it cannot find before starting any replica', async () => {
    const missing = resolve(__dirname, 'fixtures/no-such-agent.js');
    const run = await runMesh(['run', missing, '--replicas', '2', '--brokers', broker.address, '--json'], {}, 15_000);
    expect(run).toEqual({ code: 1, stdout: '', stderr: `mesh: cannot find agent module ${missing}\n` });
  });
});
