import { createLogger } from '@agentmesh/runtime';
import { describeExit, isTellingLine, Supervisor, type SupervisorOptions } from './supervisor';
import type { RestartPolicy } from './restart-policy';

// The supervisor with real child processes: small `node -e` scripts standing in for `mesh run`.

interface LogLine {
  level: string;
  msg: string;
  replica?: number;
  replicaPid?: number;
  restarts?: number;
  delayMs?: number;
  exitCode?: number | null;
  signal?: string | null;
  reason?: string;
  lastError?: string | null;
}

/** A supervisor logger whose JSON lines a test reads, and can wait for. */
function capturedLogger() {
  const lines: LogLine[] = [];
  const waiters: Array<{ test: (l: LogLine) => boolean; resolve: (l: LogLine) => void }> = [];
  const logger = createLogger({
    name: 'supervisor',
    level: 'info',
    destination: {
      write(text: string) {
        const line = JSON.parse(text) as LogLine;
        lines.push(line);
        for (const w of [...waiters]) {
          if (!w.test(line)) continue;
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      },
    },
  });
  const waitFor = (test: (l: LogLine) => boolean, timeoutMs = 10_000): Promise<LogLine> => {
    const seen = lines.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no such log line within ${timeoutMs} ms; lines: ${JSON.stringify(lines)}`)), timeoutMs);
      waiters.push({ test, resolve: (l) => (clearTimeout(timer), resolve(l)) });
    });
  };
  return { logger, lines, waitFor };
}

const fast: RestartPolicy = { firstDelayMs: 20, maxDelayMs: 200, stableAfterMs: 60_000, crashLoopCrashes: 3 };

/** Node code a replica runs: `scripts[i]` for replica i. */
function supervisor(scripts: string[], extra: Partial<SupervisorOptions> = {}) {
  const log = capturedLogger();
  const out: string[] = [];
  const err: string[] = [];
  const s = new Supervisor({
    replicas: scripts.length,
    argsOf: (i) => ['-e', scripts[i]!],
    policy: fast,
    stopTimeoutMs: 5_000,
    logger: log.logger,
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    ...extra,
  });
  return { s, log, out: () => out.join(''), err: () => err.join('') };
}

const READY = "process.send({ kind: 'mesh-replica-ready', agent: 'a', observabilityUrl: 'http://127.0.0.1:' + (9000 + Number(process.env.MESH_REPLICA)) });";
const RUN_UNTIL_SIGTERM = `process.on('SIGTERM', () => { console.log('stopping'); process.exit(0); }); setInterval(() => {}, 1000); ${READY}`;
const CRASH = "console.log(`run ${process.env.MESH_REPLICA}/${process.env.MESH_RESTARTS}`); console.error('Error: boom'); process.exit(3);";

const running: Supervisor[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

describe('Supervisor', () => {
  it('restarts a crashing replica with doubling back-off, passing its restart count, and gives it up on a crash loop', async () => {
    const t = supervisor([CRASH]);
    running.push(t.s);
    t.s.start();
    expect(await t.s.done).toEqual({ how: 'ended', gaveUp: [0], exited: [] });
    expect(t.out()).toBe('[replica 0] run 0/0\n[replica 0] run 0/1\n[replica 0] run 0/2\n');
    const restarts = t.log.lines.filter((l) => l.msg.includes('crashed'));
    expect(restarts.map((l) => [l.replica, l.exitCode, l.restarts, l.delayMs])).toEqual([
      [0, 3, 1, 20],
      [0, 3, 2, 40],
    ]);
    const gaveUp = t.log.lines.find((l) => l.msg.includes('gave up'))!;
    expect(gaveUp).toMatchObject({ level: 'error', replica: 0, exitCode: 3, restarts: 2, lastError: 'Error: boom' });
    expect(gaveUp.reason).toMatch(/^crash loop: 3 crashes in a row within [\d.]+ s, never up 60 s in between$/);
    expect(t.err()).toMatch(/^mesh: replica 0 gave up \(crash loop: 3 crashes in a row within [\d.]+ s, never up 60 s in between; last exit code 3: Error: boom\); 0 of 1 replicas still running$/m);
  });

  it('counts a death by signal as a crash', async () => {
    const t = supervisor(["process.kill(process.pid, 'SIGKILL');"]);
    running.push(t.s);
    t.s.start();
    const crash = await t.log.waitFor((l) => l.msg.includes('crashed'));
    expect(crash).toMatchObject({ signal: 'SIGKILL', exitCode: null, restarts: 1, delayMs: 20 });
    expect(await t.s.done).toMatchObject({ how: 'ended', gaveUp: [0] });
  });

  it('keeps the other replicas running when one gives up, and stops them on stop()', async () => {
    const t = supervisor([CRASH, RUN_UNTIL_SIGTERM]);
    t.s.start();
    await t.log.waitFor((l) => l.msg.includes('gave up'));
    expect(t.s.view().map((v) => v.state)).toEqual(['gave-up', 'running']);
    expect(t.err()).toContain('1 of 2 replicas still running');
    let ended = false;
    void t.s.done.then(() => (ended = true));
    await t.log.waitFor((l) => l.msg === 'replica 1 ready');
    expect(ended).toBe(false);
    expect(await t.s.stop()).toEqual({ how: 'stopped', killed: [] });
    expect(t.out()).toContain('[replica 1] stopping\n');
    expect(t.log.lines.find((l) => l.msg.startsWith('replica 1 stopped'))).toMatchObject({ exitCode: 0, signal: null });
  });

  it('says once when every replica is ready, with their addresses', async () => {
    const ready = jest.fn();
    const t = supervisor([RUN_UNTIL_SIGTERM, RUN_UNTIL_SIGTERM], { onAllReady: ready });
    running.push(t.s);
    t.s.start();
    await t.log.waitFor((l) => l.msg === 'replica 0 ready');
    await t.log.waitFor((l) => l.msg === 'replica 1 ready');
    expect(ready).toHaveBeenCalledTimes(1);
    const [views] = ready.mock.calls[0] as [Array<{ index: number; agent: string; observabilityUrl: string; pid: number }>];
    expect(views.map((v) => [v.index, v.agent, v.observabilityUrl])).toEqual([
      [0, 'a', 'http://127.0.0.1:9000'],
      [1, 'a', 'http://127.0.0.1:9001'],
    ]);
    expect(views.every((v) => v.pid > 0)).toBe(true);
  });

  it('does not restart a replica that exited with code 0 by itself', async () => {
    const t = supervisor(["console.log('done')"]);
    running.push(t.s);
    t.s.start();
    expect(await t.s.done).toEqual({ how: 'ended', gaveUp: [], exited: [0] });
    expect(t.log.lines.filter((l) => l.msg === 'replica 0 started')).toHaveLength(1);
  });

  it('kills a replica that does not stop within the bound after SIGTERM', async () => {
    const t = supervisor([`process.on('SIGTERM', () => console.log('ignoring SIGTERM')); setInterval(() => {}, 1000); ${READY}`], { stopTimeoutMs: 300 });
    t.s.start();
    await t.log.waitFor((l) => l.msg === 'replica 0 ready');
    expect(await t.s.stop()).toEqual({ how: 'stopped', killed: [0] });
    expect(t.out()).toContain('[replica 0] ignoring SIGTERM\n');
    expect(t.log.lines.find((l) => l.msg.startsWith('replica 0 stopped'))).toMatchObject({ signal: 'SIGKILL' });
  });

  it('does not restart a replica that was waiting for its back-off when stop() came', async () => {
    const t = supervisor([CRASH], { policy: { ...fast, firstDelayMs: 60_000 } });
    t.s.start();
    await t.log.waitFor((l) => l.msg.includes('crashed'));
    expect(await t.s.stop()).toEqual({ how: 'stopped', killed: [] });
    expect(t.s.view()[0]!.state).toBe('stopped');
    expect(t.log.lines.filter((l) => l.msg === 'replica 0 started')).toHaveLength(1);
  });
});

describe('describeExit and isTellingLine', () => {
  it('say how a process ended, and which stderr lines are worth quoting', () => {
    expect(describeExit(1, null)).toBe('exit code 1');
    expect(describeExit(null, 'SIGKILL')).toBe('killed by SIGKILL');
    expect(['Error: boom', 'mesh: cannot load agent module x'].every(isTellingLine)).toBe(true);
    expect(['', '   ', '    at Object.<anonymous> (/x.js:1:1)', 'Node.js v20.20.2', '    ^'].some(isTellingLine)).toBe(false);
  });
});
