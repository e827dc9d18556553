import { defineSaga, sagaParticipant, startCoordinator, SagaStore, PermanentError, type RunningCoordinator } from './imports';
import { JsonCodec } from '@agentmesh/runtime';
import { eventually, uniqueName } from '../support/kafka';
import { quiet, runtimeHarness, type RuntimeHarness } from '../runtime/support';
import { TEST_REDIS_URL } from '../support/redis';

describe('coordinator smoke', () => {
  let h: RuntimeHarness;
  let store: SagaStore;
  let coordinator: RunningCoordinator | undefined;
  beforeAll(async () => {
    h = await runtimeHarness();
    store = SagaStore.connect(TEST_REDIS_URL, quiet, { keyPrefix: `${uniqueName('test')}:` });
  });
  afterAll(async () => {
    await coordinator?.stop();
    await store.close();
    await h.close();
  });

  it('runs a saga to completion and compensates a failure', async () => {
    const name = uniqueName('smoke');
    const t = (s: string) => `${name}.${s}`;
    const ledger: string[] = [];
    const saga = defineSaga<{ id: string; fail?: boolean }>({
      name,
      trigger: t('trigger'),
      steps: [
        { name: 'a', command: t('a'), compensation: t('a-undo'), timeoutMs: 5000 },
        { name: 'b', command: t('b'), compensation: t('b-undo'), timeoutMs: 5000 },
        { name: 'c', command: t('c'), timeoutMs: 5000, retry: { maxAttempts: 1 } },
      ],
    });
    const participant = sagaParticipant<{ id: string; fail?: boolean; aDone?: string }>({
      name: `${name}-p`,
      on: {
        [t('a')]: (cmd) => {
          ledger.push(`${cmd.sagaId}:a`);
          return { aDone: 'yes' };
        },
        [t('a-undo')]: (cmd) => {
          ledger.push(`${cmd.sagaId}:a-undo:${cmd.data.aDone}`);
        },
        [t('b')]: (cmd) => {
          ledger.push(`${cmd.sagaId}:b`);
        },
        [t('b-undo')]: (cmd) => {
          ledger.push(`${cmd.sagaId}:b-undo`);
        },
        [t('c')]: (cmd) => {
          if (cmd.data.fail) throw new PermanentError('nope');
          ledger.push(`${cmd.sagaId}:c`);
        },
      },
    });
    await h.start(participant);
    coordinator = await startCoordinator({ sagas: [saga], brokers: h.broker.brokers, codec: new JsonCodec(), store, logger: quiet, sessionTimeoutMs: 6000, heartbeatIntervalMs: 500 });
    await coordinator.joined;
    const producer = h.kafka.producer();
    await producer.connect();
    await producer.send({
      topic: t('trigger'),
      messages: [
        { key: 'ok', value: JSON.stringify({ id: 'ok' }) },
        { key: 'bad', value: JSON.stringify({ id: 'bad', fail: true }) },
      ],
    });
    await producer.disconnect();
    const finished = await eventually(
      async () => {
        const all = await store.list({});
        const done = all.filter((s) => s.status === 'completed' || s.status === 'compensated');
        return done.length === 2 ? done : undefined;
      },
      'two sagas finished',
      30_000,
      100,
    );
    const completed = finished.find((s) => s.status === 'completed')!;
    const compensated = finished.find((s) => s.status === 'compensated')!;
    expect(ledger.filter((l) => l.startsWith(completed.id))).toEqual([`${completed.id}:a`, `${completed.id}:b`, `${completed.id}:c`]);
    expect(ledger.filter((l) => l.startsWith(compensated.id))).toEqual([`${compensated.id}:a`, `${compensated.id}:b`, `${compensated.id}:b-undo`, `${compensated.id}:a-undo:yes`]);
  });
});
