import type { ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { sagaParticipant, SagaStore } from '@agentmesh/coordinator';
import { Header, PermanentError } from '@agentmesh/runtime';
import { eventually, uniqueName } from '../support/kafka';
import { runMesh, startCoordinatorProcess } from '../support/mesh-cli';
import { json, quiet, runtimeHarness, type RuntimeHarness } from '../runtime/support';
import { TEST_REDIS_URL } from '../support/redis';
import { deleteTraceIndex } from '../support/trace-index';

// `mesh trace` of a saga: the coordinator is a `mesh coordinator` process running the two-step saga of
// test/cli/fixtures/saga-fixture.js (reserve, then charge); the participant runs here and declines the
// charge, so the saga compensates. The trace shows every command and reply, with the replies' answers.

const FIXTURE = resolve(__dirname, 'fixtures/saga-fixture.js');
const id = uniqueName('trace-saga');
const sagaName = `order-${id}`;
const topics = `orders-${id}`;
const keyPrefix = `test:mesh-trace-saga:${id}:`;
const triggerId = `${id}-o-1`;

interface Order {
  order: string;
}

interface HopJson {
  topic: string;
  depth: number;
  parent: string | null;
  place: string;
  agent: string | null;
  outcome: { kind: string; step?: string | null; command?: string | null; outcome?: string | null; errorKind?: string | null; error?: string | null };
}

let h: RuntimeHarness;
let store: SagaStore;
let coordinator: ChildProcess | undefined;
let sagaId = '';

beforeAll(async () => {
  h = await runtimeHarness();
  store = SagaStore.connect(TEST_REDIS_URL, quiet, { keyPrefix });
  coordinator = (
    await startCoordinatorProcess({
      sagas: FIXTURE,
      brokers: h.broker.address,
      redisUrl: TEST_REDIS_URL,
      keyPrefix,
      group: `coordinator-${id}`,
      env: { SAGA_NAME: sagaName, SAGA_TOPICS: topics },
    })
  ).child;
  await h.start(
    sagaParticipant<Order>({
      name: `payments-${id}`,
      on: {
        [`${topics}.reserve`]: () => ({}),
        [`${topics}.release`]: () => undefined,
        [`${topics}.charge`]: () => {
          throw new PermanentError('card declined');
        },
      },
    }),
  );
  const producer = h.kafka.producer();
  await producer.connect();
  await producer.send({ topic: `${topics}.placed`, messages: [{ key: 'o-1', value: json({ order: 'o-1' }), headers: { [Header.eventId]: triggerId } }] });
  await producer.disconnect();
  const done = await eventually(async () => (await store.list({ limit: 10 })).find((s) => s.status === 'compensated'), 'the saga to be compensated', 20_000, 100);
  sagaId = done.id;
}, 60_000);

afterAll(async () => {
  if (coordinator?.exitCode === null) coordinator.kill('SIGKILL');
  if (store) {
    const keys = await store.redis.keys(`${keyPrefix}*`).catch(() => []);
    if (keys.length > 0) await store.redis.del(...keys).catch(() => undefined);
    await store.close();
  }
  if (h) await deleteTraceIndex(h.kafka).catch(() => undefined);
  await h?.close();
});

describe('mesh trace of a saga', () => {
  it('shows each command under the trigger and each reply, with its answer, under its command', async () => {
    const traced = await runMesh(['trace', triggerId, '--json', '--brokers', h.broker.address], { REDIS_URL: TEST_REDIS_URL }, 45_000);
    expect(traced).toMatchObject({ code: 0, stderr: '' });
    const { hops, counts } = JSON.parse(traced.stdout) as { hops: HopJson[]; counts: Record<string, number> };
    expect(counts).toMatchObject({ records: 7, sagaCommands: 3, sagaReplies: 3 });
    expect(hops[0]).toMatchObject({ topic: `${topics}.placed`, depth: 0, outcome: { kind: 'ok' } });
    const commands = hops.filter((x) => x.outcome.kind === 'saga-command');
    expect(commands.map((c) => [c.topic, c.outcome.step, c.outcome.command, c.depth, c.parent, c.agent])).toEqual([
      [`${topics}.reserve`, 'reserve', 'execute', 1, hops[0]!.place, `coordinator-${id}`],
      [`${topics}.charge`, 'charge', 'execute', 1, hops[0]!.place, `coordinator-${id}`],
      [`${topics}.release`, 'reserve', 'compensate', 1, hops[0]!.place, `coordinator-${id}`],
    ]);
    for (const command of commands) {
      const reply = hops.find((x) => x.parent === command.place)!;
      expect(reply).toMatchObject({ topic: 'saga.replies', depth: 2, agent: `payments-${id}`, outcome: { kind: 'saga-reply', step: command.outcome.step } });
      // Each reply follows its command in the waterfall.
      expect(hops.indexOf(reply)).toBe(hops.indexOf(command) + 1);
    }
    const answers = commands.map((c) => hops.find((x) => x.parent === c.place)!.outcome);
    expect(answers.map((a) => a.outcome)).toEqual(['SUCCEEDED', 'FAILED', 'SUCCEEDED']);
    expect(answers[1]).toMatchObject({ errorKind: 'PERMANENT', error: expect.stringContaining('card declined') as unknown });
  });

  it('finds the same journey by saga id and draws it', async () => {
    const traced = await runMesh(['trace', sagaId, '--brokers', h.broker.address], { REDIS_URL: TEST_REDIS_URL }, 45_000);
    expect(traced).toMatchObject({ code: 0, stderr: '' });
    expect(traced.stdout).toContain(`journey ${triggerId}`);
    expect(traced.stdout).toMatch(/7 records over \S+ from \S+: 3 saga commands, 3 replies/);
    expect(traced.stdout).toMatch(new RegExp(`└ ${topics}\\.charge\\s+\\d+@0\\s+coordinator-${id}\\s+1\\s+saga ${sagaName} command charge execute`));
    expect(traced.stdout).toMatch(/└ saga\.replies .* saga reply charge: FAILED \(PERMANENT: .*card declined/);
  });
});
