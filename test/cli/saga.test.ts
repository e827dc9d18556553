import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { sagaParticipant, SagaStore, type SagaState, type SagaStatus } from '@agentmesh/coordinator';
import { Header, PermanentError } from '@agentmesh/runtime';
import { eventually, uniqueName } from '../support/kafka';
import { MESH, runMesh, type FinishedCommand } from '../support/mesh-cli';
import { json, quiet, runtimeHarness, type RuntimeHarness } from '../runtime/support';
import { startPrivateRedis } from '../../packages/runtime/test/support/redis-server';
import { printedRedisPattern, TEST_REDIS_URL } from '../support/redis';

// `mesh coordinator` and `mesh saga` as an operator runs them: the coordinator is a `mesh`
// process running the sagas of test/cli/fixtures/saga-fixture.js; the participant runs here
// (embedded broker, the real Redis); every saga command is its own `mesh` process.

const FIXTURE = resolve(__dirname, 'fixtures/saga-fixture.js');
const REDIS = TEST_REDIS_URL;
const id = uniqueName('saga');
const sagaName = `order-${id}`;
const topics = `orders-${id}`;
/** Every key of this run is under it, so runs and parallel suites never meet. */
const keyPrefix = `test:mesh-saga:${id}:`;
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

interface Order {
  order: string;
  failCharge?: boolean;
  reserved?: boolean;
}

let h: RuntimeHarness;
let store: SagaStore;
let coordinator: { child: ChildProcess; stdout: () => string; stderr: () => string; exit: Promise<[number | null, NodeJS.Signals | null]> };
let readyLine: string;
/** Flipped by the test: until then every release fails, so a compensation gets stuck. */
let releaseWorks = false;
const ledger: string[] = [];
/** Saga ids by order. */
const ids = new Map<string, string>();

function saga(args: string[]): Promise<FinishedCommand> {
  return runMesh(['saga', ...args, '--redis', REDIS, '--key-prefix', keyPrefix]);
}

async function statuses(): Promise<SagaState[]> {
  return store.list({ limit: 100 });
}

function startCoordinator(): typeof coordinator {
  const child = spawn(
    process.execPath,
    [MESH, 'coordinator', '--sagas', FIXTURE, '--brokers', h.broker.address, '--json', '--redis', REDIS, '--key-prefix', keyPrefix, '--session-timeout', '3000', '--group', `coordinator-${id}`],
    { env: { ...process.env, LOG_LEVEL: 'warn', SAGA_NAME: sagaName, SAGA_TOPICS: topics }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return { child, stdout: () => out, stderr: () => err, exit: once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]> };
}

beforeAll(async () => {
  h = await runtimeHarness();
  store = SagaStore.connect(REDIS, quiet, { keyPrefix });
  coordinator = startCoordinator();
  readyLine = await eventually(
    () =>
      /^coordinator ready: .*$/m.exec(coordinator.stderr())?.[0] ?? (coordinator.child.exitCode !== null ? Promise.reject(new Error(`mesh coordinator exited: ${coordinator.stderr()}`)) : undefined),
    'the coordinator to join its group',
    20_000,
  );
  // The coordinator has created the command topics by now: the participant can subscribe to them.
  await h.start(
    sagaParticipant<Order>({
      name: `payments-${id}`,
      on: {
        [`${topics}.reserve`]: (cmd) => {
          ledger.push(`reserve ${cmd.data.order}`);
          return { reserved: true };
        },
        [`${topics}.release`]: (cmd) => {
          if (!releaseWorks) throw new Error('ledger offline');
          ledger.push(`release ${cmd.data.order}`);
        },
        [`${topics}.charge`]: (cmd) => {
          if (cmd.data.failCharge) throw new PermanentError('card declined');
          ledger.push(`charge ${cmd.data.order}`);
        },
      },
    }),
  );
  const producer = h.kafka.producer();
  await producer.connect();
  await producer.send({
    topic: `${topics}.placed`,
    messages: [
      { key: 'o-1', value: json({ order: 'o-1' }), headers: { [Header.eventId]: `${id}-o-1` } },
      { key: 'o-2', value: json({ order: 'o-2' }), headers: { [Header.eventId]: `${id}-o-2` } },
      { key: 'o-3', value: json({ order: 'o-3', failCharge: true }), headers: { [Header.eventId]: `${id}-o-3`, [Header.traceparent]: `00-${TRACE_ID}-00f067aa0ba902b7-01` } },
    ],
  });
  await producer.disconnect();
  const settled = await eventually(
    async () => {
      const all = await statuses();
      const done = all.filter((s) => s.status === 'completed' || s.status === 'compensation_failed');
      return done.length === 3 ? all : undefined;
    },
    'two sagas completed and one stuck',
    20_000,
    100,
  );
  for (const s of settled) {
    const data = JSON.parse(Buffer.from(s.data.bytes, 'base64').toString()) as Order;
    ids.set(data.order, s.id);
  }
}, 45_000);

afterAll(async () => {
  if (coordinator?.child.exitCode === null) coordinator.child.kill('SIGKILL');
  if (store) {
    const keys = await store.redis.keys(`${keyPrefix}*`).catch(() => []);
    if (keys.length > 0) await store.redis.del(...keys).catch(() => undefined);
    await store.close();
  }
  await h?.close();
});

describe('mesh coordinator', () => {
  it('prints one line when it has joined: group, sagas, partitions owned, and its /metrics URL', async () => {
    expect(readyLine).toMatch(
      new RegExp(
        `^coordinator ready: group coordinator-${id}, sagas ${sagaName} \\(trigger ${topics}\\.placed\\); owns saga\\.replies partitions 0-5; state in ${printedRedisPattern(REDIS)}/? under ${keyPrefix}; metrics at (http://127\\.0\\.0\\.1:\\d+/metrics)`,
      ),
    );
    const metricsUrl = /metrics at (\S+\/metrics)/.exec(readyLine)![1]!;
    const metrics = await fetch(metricsUrl);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('# TYPE');
  });
});

describe('mesh saga', () => {
  it('ls lists the sagas, newest first, with their step, age and trace id, then the counts per status', async () => {
    const [run, asJson, limited, old] = await Promise.all([saga(['ls']), saga(['ls', '--json']), saga(['ls', '--limit', '1', '--state', 'completed']), saga(['ls', '--older-than', '1h'])]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+TYPE\s+STATUS\s+STEP\s+AGE\s+TRACE ID$/);
    expect(
      lines
        .slice(1, 4)
        .map((l) => l.split(/\s+/)[0])
        .sort(),
    ).toEqual([...ids.values()].sort());
    expect(run.stdout).toMatch(new RegExp(`${ids.get('o-3')}\\s+${sagaName}\\s+compensation_failed\\s+reserve compensation failed\\s+\\d+(\\.\\d)?(ms|s)\\s+${TRACE_ID}\\n`));
    expect(run.stdout).toMatch(new RegExp(`${ids.get('o-1')}\\s+${sagaName}\\s+completed\\s+-\\s+\\S+\\s+[0-9a-f]{32}\\n`));
    expect(lines[4]).toBe('3 saga(s) by status: running 0, waiting 0, compensating 0, completed 2, compensated 0, compensation_failed 1, forward_failed 0 (stuck: 1)');

    const doc = JSON.parse(asJson.stdout) as { sagas: Array<{ id: string; status: SagaStatus; traceId: string }>; counts: Record<SagaStatus, number>; more: boolean };
    expect(doc.sagas).toHaveLength(3);
    expect(doc.sagas.find((s) => s.id === ids.get('o-3'))).toMatchObject({ status: 'compensation_failed', traceId: TRACE_ID, step: 'reserve compensation failed' });
    expect(doc).toMatchObject({ counts: { completed: 2, compensation_failed: 1 }, more: false });

    expect(limited.stdout).toContain('(the newest 1 shown; raise --limit to see more)');
    expect(limited.stdout.split('\n').filter((l) => l.includes(sagaName))).toHaveLength(1);

    expect(old).toMatchObject({ code: 0, stderr: '' });
    expect(old.stdout).toMatch(/^no sagas started more than 1h ago\n3 saga\(s\) by status/);
  });

  it('ls --state stuck lists only the sagas waiting for an operator', async () => {
    const run = await saga(['ls', '--state', 'stuck']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const rows = run.stdout.split('\n').filter((l) => l.includes(sagaName));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatch(new RegExp(`^${ids.get('o-3')}\\s+${sagaName}\\s+compensation_failed\\s`));
  });

  it("show tells a saga's story: header, timeline, steps and data", async () => {
    const stuckId = ids.get('o-3')!;
    const [run, asJson, unknown] = await Promise.all([saga(['show', stuckId]), saga(['show', stuckId, '--json']), saga(['show', 'no-such-saga'])]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const out = run.stdout;
    expect(out).toContain(`saga ${stuckId}\ntype:          ${sagaName}\nstatus:        compensation_failed\n`);
    expect(out).toMatch(/\nstarted: {7}\d{4}-\d\d-\d\dT[\d:.]+Z \(\S+ ago\)\n/);
    expect(out).toMatch(/\nduration: {6}stuck since .*waiting for `mesh saga resume /);
    expect(out).toContain(`trace id:      ${TRACE_ID}\n`);
    expect(out).toMatch(new RegExp(`\\ntrigger: {7}${topics}\\.placed partition \\d offset \\d+, event id ${id}-o-3\\n`));
    expect(out).toContain('failed step:   charge');
    // The timeline, in order, times relative to the start.
    const events = [...out.matchAll(/^ {2}\+\d+\.\d{3}s\s+([A-Z_]+)/gm)].map((m) => m[1]);
    expect(events).toEqual([
      'STARTED',
      'STEP_STARTED',
      'STEP_SUCCEEDED',
      'STEP_STARTED',
      'STEP_FAILED',
      'COMPENSATING',
      'COMPENSATION_STARTED',
      'COMPENSATION_FAILED',
      'COMPENSATION_RETRY_SCHEDULED',
      'COMPENSATION_STARTED',
      'COMPENSATION_FAILED',
      'STUCK',
    ]);
    expect(out).toMatch(/\n {2}\+0\.000s\s+STARTED\s+-\s+-\s+-\s+trigger /);
    expect(out).toMatch(/\n {2}\+\d+\.\d{3}s\s+STEP_FAILED\s+charge\s+execute\s+1\s+permanent: PermanentError: card declined\n/);
    // Steps: reserve's compensation failed twice; charge failed once.
    expect(out).toMatch(/\n {2}1\s+reserve\s+compensation_failed\s+1\s+2\s+Error: ledger offline\n/);
    expect(out).toMatch(/\n {2}2\s+charge\s+failed\s+1\s+0\s+PermanentError: card declined\n/);
    // The data as reserve left it, decoded with the JSON codec.
    expect(out).toMatch(new RegExp(`\\ndata \\(json, for topic ${topics}\\.reserve, \\d+ bytes\\):\\n {2}\\{\\n {4}"order": "o-3",\\n {4}"failCharge": true,\\n {4}"reserved": true\\n {2}\\}\\n$`));

    expect(JSON.parse(asJson.stdout)).toMatchObject({ id: stuckId, status: 'compensation_failed', traceId: TRACE_ID, data: { encoding: 'json', value: { order: 'o-3', reserved: true } } });

    expect(unknown).toMatchObject({ code: 1, stdout: '', stderr: `mesh: no saga with id 'no-such-saga' under key prefix '${keyPrefix}'\n` });
  });

  it('resume refuses a saga that is not stuck, naming its status', async () => {
    const completed = ids.get('o-1')!;
    const run = await saga(['resume', completed]);
    expect(run).toMatchObject({ code: 1, stdout: '', stderr: `mesh: saga '${completed}' is completed; only a stuck saga (compensation_failed or forward_failed) can be resumed\n` });
  });

  it('resume retries the failed compensation once the participant is fixed, and waits until the saga is compensated', async () => {
    const stuckId = ids.get('o-3')!;
    releaseWorks = true;
    const run = await saga(['resume', stuckId, '--timeout', '20s']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain(`resume requested for saga ${stuckId} (${sagaName}, compensation_failed: reserve compensation failed); its coordinator will retry the compensation of step 'reserve'`);
    expect(run.stdout).toMatch(new RegExp(`saga ${stuckId} is now compensated \\(\\S+ after the request\\)\\n$`));
    expect((await store.load(stuckId))!.status).toBe('compensated');
    expect(ledger).toContain('release o-3');

    const show = await saga(['show', stuckId]);
    expect(show.stdout).toMatch(/\n {2}\+\d+\.\d{3}s\s+RESUMED\s+reserve\s+-\s+-\s+compensation resumed by an operator\n/);
    expect(show.stdout).toMatch(/\n {2}1\s+reserve\s+compensated\s+1\s+3 \(2 before resume\)\s/);
  });

  it('purge --completed deletes the completed sagas (and --dry-run only counts them)', async () => {
    const dry = await saga(['purge', '--completed', '--older-than', '0s', '--dry-run']);
    expect(dry).toMatchObject({ code: 0, stderr: '', stdout: 'would purge 2 saga(s) started more than 0ms ago: 2 of 2 completed (dry run: nothing deleted)\n' });
    expect((await store.countByStatus()).completed).toBe(2);

    const real = await saga(['purge', '--completed', '--older-than', '0s']);
    expect(real).toMatchObject({ code: 0, stderr: '', stdout: 'purged 2 saga(s) started more than 0ms ago: 2 of 2 completed\n' });
    expect(await store.load(ids.get('o-1')!)).toBeUndefined();
    const left = await saga(['ls']);
    expect(left.stdout.split('\n').filter((l) => l.includes(sagaName))).toEqual([expect.stringMatching(new RegExp(`^${ids.get('o-3')}\\s+${sagaName}\\s+compensated\\s`))]);
    expect(left.stdout).toContain('1 saga(s) by status: running 0, waiting 0, compensating 0, completed 0, compensated 1,');
  });

  it.each([
    [['saga', 'purge', '--older-than', '7d'], /^mesh: say which finished sagas to purge: --completed, --compensated or both \(e\.g\. mesh saga purge --completed --compensated --older-than 7d\)\n$/],
    [['saga', 'purge', '--completed'], /^mesh: --older-than is required: purge deletes only sagas started at least that long ago/],
    [['saga', 'purge', '--completed', '--older-than', '7 days'], /option '--older-than <duration>' argument '7 days' is invalid\. '7 days' is not a duration/],
    [
      ['saga', 'ls', '--state', 'broken'],
      /option '--state <state>' argument 'broken' is invalid\. Allowed choices are running, waiting, compensating, compensated, completed, stuck, compensation_failed, forward_failed/,
    ],
    [['saga', 'ls', '--older-than', '10x'], /'10x' is not a duration/],
    [['coordinator', '--json'], /^mesh: --sagas <module> is required: .*e\.g\. mesh coordinator --sagas \.\/sagas\/order\.js/],
    [['coordinator', '--sagas', 'no/such/sagas.js', '--json'], /^mesh: --sagas no\/such\/sagas\.js: cannot load saga module \S+no\/such\/sagas\.js: Cannot find module '\S+'\n$/],
  ])('refuses %j with one clear line and exit code 1', async (args, message) => {
    const run = await runMesh([...args, '--redis', REDIS]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('mesh coordinator started while its Redis is away', () => {
  it('says so in one line, waits, and is ready once Redis answers', async () => {
    const redis = await startPrivateRedis();
    await redis.kill();
    const group = `coordinator-away-${id}`;
    const child = spawn(
      process.execPath,
      [MESH, 'coordinator', '--sagas', FIXTURE, '--brokers', h.broker.address, '--json', '--redis', redis.url, '--key-prefix', `${keyPrefix}away:`, '--session-timeout', '3000', '--group', group],
      { env: { ...process.env, LOG_LEVEL: 'warn', SAGA_NAME: `${sagaName}-away`, SAGA_TOPICS: `${topics}-away` }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    try {
      await eventually(() => (/starting anyway/.test(err) ? true : undefined), 'the one-line notice');
      expect(err).toMatch(
        new RegExp(
          `^mesh: saga store at redis://127\\.0\\.0\\.1:${redis.port}: .+; starting anyway: the coordinator claims its partitions once the store answers \\(/ready says so meanwhile\\)$`,
          'm',
        ),
      );
      expect(child.exitCode).toBeNull();
      await redis.restart();
      await eventually(() => (/^coordinator ready: group /m.test(err) ? true : undefined), 'the ready line once Redis answers', 30_000);
      expect(child.exitCode).toBeNull();
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
      await redis.kill();
    }
  });
});

describe('mesh coordinator stopping', () => {
  it('drains and exits 0 on SIGTERM', async () => {
    coordinator.child.kill('SIGTERM');
    expect(await coordinator.exit).toEqual([0, null]);
    expect(coordinator.stderr()).toContain('received SIGTERM, stopping');
  });
});
