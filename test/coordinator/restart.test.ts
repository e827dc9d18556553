import { defineSaga, sagaParticipant, startCoordinator, SagaStore, type RunningCoordinator } from './imports';
import { JsonCodec } from '@agentmesh/runtime';
import { eventually, uniqueName } from '../support/kafka';
import { quiet, runtimeHarness, type RuntimeHarness } from '../runtime/support';
import { TEST_REDIS_URL } from '../support/redis';

// Deadlines are timers in Redis, not in a process: a coordinator that stops while a step is awaited, and a new one
// that starts later, must still time the step out and compensate.
describe('a coordinator restart', () => {
  let h: RuntimeHarness;
  let store: SagaStore;
  let release: () => void = () => undefined;
  const running: RunningCoordinator[] = [];
  beforeAll(async () => {
    h = await runtimeHarness();
    store = SagaStore.connect(TEST_REDIS_URL, quiet, { keyPrefix: `${uniqueName('restart')}:` });
  });
  afterAll(async () => {
    release();
    for (const c of running) await c.stop();
    await store.close();
    await h.close();
  });

  it('forgets no step deadline: the next instance times the step out and compensates', async () => {
    const name = uniqueName('restart');
    const t = (s: string) => `${name}.${s}`;
    const ledger: string[] = [];
    const hung = new Promise<void>((resolve) => (release = resolve));
    const saga = defineSaga<{ id: string }>({
      name,
      trigger: t('trigger'),
      steps: [
        { name: 'a', command: t('a'), compensation: t('a-undo'), timeoutMs: 10_000 },
        { name: 'b', command: t('b'), compensation: t('b-undo'), timeoutMs: 4_000, retry: { maxAttempts: 1 } },
      ],
    });
    // b hangs (no reply) until the test ends; its compensation must still be sent, since it may have taken effect.
    const participant = (only: 'b' | 'rest') =>
      sagaParticipant<{ id: string }>({
        name: `${name}-${only}`,
        timeoutMs: 60_000,
        on:
          only === 'b'
            ? {
                [t('b')]: async (cmd) => {
                  ledger.push(`${cmd.data.id}:b`);
                  await hung;
                },
              }
            : {
                [t('a')]: (cmd) => void ledger.push(`${cmd.data.id}:a`),
                [t('a-undo')]: (cmd) => void ledger.push(`${cmd.data.id}:a-undo`),
                [t('b-undo')]: (cmd) => void ledger.push(`${cmd.data.id}:b-undo`),
              },
      });
    await h.start(participant('b'));
    await h.start(participant('rest'));
    const options = { sagas: [saga], brokers: h.broker.brokers, codec: new JsonCodec(), store, logger: quiet, sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, groupId: `${name}-coordinator` };
    const first = await startCoordinator(options);
    running.push(first);
    await first.joined;

    const producer = h.kafka.producer();
    await producer.connect();
    await producer.send({ topic: t('trigger'), messages: [{ key: 'x', value: JSON.stringify({ id: 'x' }) }] });
    const waiting = await eventually(
      async () => {
        const [s] = await store.list({ statuses: ['running'] });
        return s?.inFlight?.step === 1 ? s : undefined;
      },
      'step b awaited',
      15_000,
    );
    await producer.disconnect();
    await first.stop();
    running.splice(running.indexOf(first), 1);
    const stoppedAt = Date.now();
    expect(waiting.inFlight!.deadlineAt).toBeGreaterThan(stoppedAt); // stopped before the deadline fell due

    const second = await startCoordinator(options);
    running.push(second);
    const ended = await eventually(
      async () => {
        const s = await store.load(waiting.id);
        return s?.status === 'compensated' ? s : undefined;
      },
      'the saga compensated by the new instance',
      20_000,
      100,
    );
    const timedOut = ended.timeline.find((e) => e.type === 'STEP_TIMED_OUT');
    expect(timedOut).toMatchObject({ step: 'b', attempt: 1 });
    expect(timedOut!.at).toBeGreaterThanOrEqual(stoppedAt);
    expect(ledger).toEqual(['x:a', 'x:b', 'x:b-undo', 'x:a-undo']);
  });
});
