import { defineSaga, sagaParticipant, startCoordinator, SagaStore, type RunningCoordinator } from './imports';
import pino from 'pino';
import { JsonCodec } from '@agentmesh/runtime';
import { eventually, uniqueName } from '../support/kafka';
import { quiet, runtimeHarness, type RuntimeHarness } from '../runtime/support';
import { startPrivateRedis, type PrivateRedis } from '../../packages/runtime/test/support/redis-server';

// The saga store is a Redis of the test's own, frozen (SIGSTOP) mid-saga: the coordinator must hold the replies and
// triggers it cannot record, and go on from where it was once Redis answers again, with every step once.
describe('coordinator while its Redis is unreachable', () => {
  let h: RuntimeHarness;
  let redis: PrivateRedis;
  let store: SagaStore;
  let coordinator: RunningCoordinator | undefined;
  beforeAll(async () => {
    h = await runtimeHarness();
    redis = await startPrivateRedis();
    store = SagaStore.connect(redis.url, quiet, { keyPrefix: `${uniqueName('outage')}:`, commandTimeoutMs: 500, connectTimeoutMs: 500 });
  });
  afterAll(async () => {
    redis.thaw();
    await coordinator?.stop();
    await store.close();
    await redis.kill();
    await h.close();
  });

  it('pauses on replies and triggers it cannot record, then finishes every saga once Redis is back', async () => {
    const name = uniqueName('outage');
    const t = (s: string) => `${name}.${s}`;
    const ledger: string[] = [];
    let openGate: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    const saga = defineSaga<{ id: string }>({
      name,
      trigger: t('trigger'),
      steps: [
        { name: 'a', command: t('a'), timeoutMs: 30_000 },
        { name: 'b', command: t('b'), timeoutMs: 30_000 },
      ],
    });
    await h.start(
      sagaParticipant<{ id: string }>({
        name: `${name}-p`,
        on: {
          [t('a')]: (cmd) => void ledger.push(`${cmd.data.id}:a`),
          [t('b')]: async (cmd) => {
            if (cmd.data.id === 'first') {
              ledger.push('first:b-entered');
              await gate;
            }
            ledger.push(`${cmd.data.id}:b`);
          },
        },
        timeoutMs: 30_000,
      }),
    );
    const lines: { level: number; msg: string }[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line) as { level: number; msg: string }) });
    coordinator = await startCoordinator({ sagas: [saga], brokers: h.broker.brokers, codec: new JsonCodec(), store, logger, sessionTimeoutMs: 6000, heartbeatIntervalMs: 500 });
    await coordinator.joined;
    const producer = h.kafka.producer();
    await producer.connect();
    await producer.send({ topic: t('trigger'), messages: [{ key: 'first', value: JSON.stringify({ id: 'first' }) }] });
    // b is under way (a's success is recorded): only b's reply is left for the store to record.
    await eventually(() => (ledger.includes('first:b-entered') ? true : undefined), 'step b entered', 15_000);

    redis.freeze();
    openGate(); // b's reply arrives while the store cannot record it
    await producer.send({ topic: t('trigger'), messages: [{ key: 'second', value: JSON.stringify({ id: 'second' }) }] });
    await eventually(() => (ledger.includes('first:b') ? true : undefined), 'step b ran', 15_000);
    const ready = await coordinator.readiness();
    expect(ready.redis?.ok).toBe(false);
    // It pauses what it cannot record instead of failing batches (which kafkajs retries, then crashes on).
    const warned = (msg: string) => lines.some((l) => l.msg === msg);
    await eventually(() => (warned('saga store unavailable; saga.replies partition paused for 1000 ms') ? true : undefined), 'the replies partition paused', 15_000);
    await eventually(() => (warned('saga store unavailable; trigger partition paused for 1000 ms') ? true : undefined), 'the trigger partition paused', 15_000);

    redis.thaw();
    const done = await eventually(
      async () => {
        const all = await store.list({});
        return all.length === 2 && all.every((s) => s.status === 'completed') ? all : undefined;
      },
      'both sagas completed after Redis came back',
      30_000,
      100,
    );
    expect(done.map((s) => s.status)).toEqual(['completed', 'completed']);
    expect([...ledger].sort()).toEqual(['first:a', 'first:b', 'first:b-entered', 'second:a', 'second:b']);
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
    await producer.disconnect();
  });
});
