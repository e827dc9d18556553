import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { sagaParticipant, SagaStore, type SagaState } from '@agentmesh/coordinator';
import { Header } from '@agentmesh/runtime';
import { eventually, uniqueName } from '../support/kafka';
import { MESH, runMesh, type FinishedCommand } from '../support/mesh-cli';
import { json, quiet, runtimeHarness, type RuntimeHarness } from '../runtime/support';
import { TEST_REDIS_URL } from '../support/redis';

// Human-in-the-loop waits as an operator meets them: `mesh coordinator` runs the sagas of
// fixtures/approval-saga-fixture.js, is killed while they wait and started again; `mesh saga signal`
// approves one and rejects another; a third waits out its short deadline and takes its declared path.

const FIXTURE = resolve(__dirname, 'fixtures/approval-saga-fixture.js');
const REDIS = TEST_REDIS_URL;
const id = uniqueName('signal');
const sagaName = `approval-${id}`;
const topics = `approvals-${id}`;
const keyPrefix = `test:mesh-saga-signal:${id}:`;

interface Order {
  order: string;
  approvedBy?: string;
  approved?: boolean;
}

interface CoordinatorProcess {
  child: ChildProcess;
  stderr: () => string;
}

let h: RuntimeHarness;
let store: SagaStore;
let coordinator: CoordinatorProcess | undefined;
const ledger: string[] = [];
/** The data each ship command carried, by order. */
const shipped = new Map<string, Order>();

function sagaCli(args: string[]): Promise<FinishedCommand> {
  return runMesh(['saga', ...args, '--redis', REDIS, '--key-prefix', keyPrefix], {}, 40_000);
}

function signal(sagaId: string, args: string[]): Promise<FinishedCommand> {
  return sagaCli(['signal', sagaId, 'approve', ...args, '--brokers', h.broker.address, '--json-values', '--wait', '--timeout', '25s']);
}

async function startCoordinator(): Promise<CoordinatorProcess> {
  const child = spawn(
    process.execPath,
    [MESH, 'coordinator', '--sagas', FIXTURE, '--brokers', h.broker.address, '--json', '--redis', REDIS, '--key-prefix', keyPrefix, '--session-timeout', '3000', '--group', `coordinator-${id}`],
    { env: { ...process.env, LOG_LEVEL: 'warn', SAGA_NAME: sagaName, SAGA_TOPICS: topics }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout!.resume();
  await eventually(
    () => (/^coordinator ready: /m.test(err) ? true : child.exitCode !== null ? Promise.reject(new Error(`mesh coordinator exited: ${err}`)) : undefined),
    'the coordinator to join its group',
    30_000,
  );
  return { child, stderr: () => err };
}

async function kill(process_: CoordinatorProcess): Promise<void> {
  const exited = once(process_.child, 'exit');
  process_.child.kill('SIGKILL');
  await exited;
}

/** The saga of an order (the trigger's value is the saga's first data). */
async function sagaOf(order: string): Promise<SagaState | undefined> {
  const all = await store.list({ limit: 100 });
  return all.find((s) => (JSON.parse(Buffer.from(s.data.bytes, 'base64').toString()) as Order).order === order);
}

async function until(order: string, status: SagaState['status'], timeoutMs = 25_000): Promise<SagaState> {
  return eventually(
    async () => {
      const s = await sagaOf(order);
      return s?.status === status ? s : undefined;
    },
    `saga of ${order} ${status}`,
    timeoutMs,
    100,
  );
}

beforeAll(async () => {
  h = await runtimeHarness();
  store = SagaStore.connect(REDIS, quiet, { keyPrefix });
  coordinator = await startCoordinator();
  await h.start(
    sagaParticipant<Order>({
      name: `warehouse-${id}`,
      on: {
        [`${topics}.reserve`]: (cmd) => void ledger.push(`reserve ${cmd.data.order}`),
        [`${topics}.release`]: (cmd) => void ledger.push(`release ${cmd.data.order}`),
        [`${topics}.approval-requested`]: (cmd) => void ledger.push(`approval asked ${cmd.data.order}`),
        [`${topics}.ship`]: (cmd) => {
          ledger.push(`ship ${cmd.data.order}`);
          shipped.set(cmd.data.order, cmd.data);
        },
      },
    }),
  );
  const producer = h.kafka.producer();
  await producer.connect();
  const trigger = (order: string) => ({ key: order, value: json({ order }), headers: { [Header.eventId]: `${id}-${order}` } });
  await producer.send({ topic: `${topics}.long`, messages: [trigger('o-1'), trigger('o-2')] });
  await producer.send({ topic: `${topics}.short`, messages: [trigger('o-3')] });
  await producer.disconnect();
}, 60_000);

afterAll(async () => {
  if (coordinator && coordinator.child.exitCode === null) coordinator.child.kill('SIGKILL');
  if (store) {
    const keys = await store.redis.keys(`${keyPrefix}*`).catch(() => []);
    if (keys.length > 0) await store.redis.del(...keys).catch(() => undefined);
    await store.close();
  }
  await h?.close();
});

describe('a saga waiting for a person', () => {
  it('waits through a coordinator kill; `mesh saga signal` approves one and rejects another; a third takes its timeout path', async () => {
    const notifications = await h.watch([`${topics}.approval-requested`]);
    const [o1, o2] = [await until('o-1', 'waiting'), await until('o-2', 'waiting')];
    expect(o1.waiting!.deadlineAt - o1.waiting!.since).toBe(10 * 60_000);
    await eventually(() => (ledger.includes('approval asked o-1') && ledger.includes('approval asked o-2') ? true : undefined), 'the approvals announced', 15_000);

    const ls = await sagaCli(['ls', '--state', 'waiting']);
    expect(ls.code).toBe(0);
    expect(ls.stdout).toContain(`${o1.id}`);
    expect(ls.stdout).toMatch(/approve \(waiting for a signal until \d{4}-/);
    const show = await sagaCli(['show', o1.id]);
    expect(show.stdout).toContain(`waiting for:   a signal on step approve (mesh saga signal ${o1.id} approve --approve|--reject)`);
    expect(show.stdout).toContain(`deadline ${new Date(o1.waiting!.deadlineAt).toISOString()}`);

    // Killed while they wait: the waits and their deadlines are in Redis, and the next coordinator takes them up.
    await kill(coordinator!);
    coordinator = await startCoordinator();

    const approved = await signal(o1.id, ['--approve', '--value', '{"approvedBy":"ann"}', '--reason', 'looks fine']);
    expect(approved.stderr).toBe('');
    expect(approved.code).toBe(0);
    expect(approved.stdout).toMatch(/^signal \S+ \(approve approve\) published for saga /);
    expect(approved.stdout).toContain('applied: approved');
    const done = await until('o-1', 'completed');
    // The new owner re-sent the pending notifications with their event ids: each took effect once.
    const notices = await notifications.until((seen) => seen.filter((r) => r.key === o1.id).length >= 2, 'the notification of o-1 re-sent', 15_000);
    const ofO1 = notices.filter((r) => r.key === o1.id);
    expect(new Set(ofO1.map((r) => r.headers[Header.eventId])).size).toBe(1);
    expect(ledger.filter((e) => e === 'approval asked o-1')).toHaveLength(1);
    expect(shipped.get('o-1')).toMatchObject({ order: 'o-1', approvedBy: 'ann' });
    expect(done.timeline.map((e) => e.type)).toEqual(expect.arrayContaining(['WAITING', 'SIGNAL_APPLIED', 'COMPLETED']));

    // The same signal again changes nothing.
    const again = await signal(o1.id, ['--approve', '--value', '{"approvedBy":"ann"}']);
    expect(again.code).toBe(0);
    expect((await sagaOf('o-1'))!.version).toBe(done.version);

    const rejected = await signal(o2.id, ['--reject', '--reason', 'over budget']);
    expect(rejected.code).toBe(0);
    const compensated = await until('o-2', 'compensated');
    expect(compensated.steps.map((s) => s.status)).toEqual(['compensated', 'failed', 'pending']);
    expect(ledger).toContain('release o-2');
    expect(ledger).not.toContain('ship o-2');

    // Its short deadline passed (perhaps while no coordinator ran): it went on as declared, unapproved.
    const timedOut = await until('o-3', 'completed');
    expect(timedOut.timeline.find((e) => e.type === 'WAIT_TIMED_OUT')?.detail).toBe('no signal within 2500 ms: going on with its default');
    expect(shipped.get('o-3')).toMatchObject({ order: 'o-3', approved: false });

    // A finished saga takes no signal: said in one line, exit 1.
    const late = await sagaCli(['signal', timedOut.id, 'approve', '--approve', '--brokers', h.broker.address, '--json-values', '--wait', '--timeout', '3s']);
    expect(late.code).toBe(1);
    expect(late.stderr.trim().split('\n')).toHaveLength(1);
  }, 150_000);

  it('refuses bad input in one line, before publishing anything', async () => {
    const neither = await sagaCli(['signal', 'some-saga', 'approve', '--brokers', h.broker.address, '--json-values']);
    expect(neither.code).not.toBe(0);
    expect(neither.stderr).toContain('say --approve or --reject');
    const badValue = await sagaCli(['signal', 'some-saga', 'approve', '--approve', '--value', '[1]', '--brokers', h.broker.address, '--json-values']);
    expect(badValue.code).not.toBe(0);
    expect(badValue.stderr).toContain("the signal's value must be a JSON object");
  }, 60_000);
});
