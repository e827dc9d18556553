import { defineSaga, sagaParticipant, startCoordinator, SagaStore, PermanentError, type RunningCoordinator } from './imports';
import { RegistryCodec } from '@agentmesh/runtime';
import { loadContracts, registerContracts, startSchemaRegistry, type RunningSchemaRegistry } from '@agentmesh/schema-registry';
import { eventually, uniqueName } from '../support/kafka';
import { quiet, runtimeHarness, type RuntimeHarness } from '../runtime/support';
import { TEST_REDIS_URL } from '../support/redis';

// This suite's own registry (it stops and restarts it), on a state topic of its own: never a cluster's `_schemas`.
const SCHEMAS_TOPIC = uniqueName('_schemas-outage');

// The coordinator writes a saga's state first and its records (commands, audit, stuck notices) after: when a record
// cannot be built because the schema registry is away, it must be built and sent later, not lost.
describe('coordinator while the schema registry is away', () => {
  let h: RuntimeHarness;
  let registry: RunningSchemaRegistry | undefined;
  let store: SagaStore;
  let coordinator: RunningCoordinator | undefined;
  let release: () => void = () => undefined;
  beforeAll(async () => {
    h = await runtimeHarness();
    // Kafka-backed, so a restart on the same port keeps the schema ids.
    registry = await startSchemaRegistry({ port: 0, brokers: h.broker.brokers, topic: SCHEMAS_TOPIC });
    await registerContracts(registry.url, loadContracts());
    store = SagaStore.connect(TEST_REDIS_URL, quiet, { keyPrefix: `${uniqueName('registry-outage')}:` });
  });
  afterAll(async () => {
    release();
    await coordinator?.stop();
    await store.close();
    await h.close();
    await registry?.stop();
  });

  it('sends the saga.stuck notice it could not encode once the registry is back', async () => {
    const url = registry!.url;
    const port = registry!.port;
    const name = uniqueName('registry-outage');
    const gate = new Promise<void>((resolve) => (release = resolve));
    let undoEntered = false;
    type Signup = { accountId: string; email: string; displayName: string; plan: 'FREE'; userId: string | null; subscriptionId: string | null; welcomeMessageId: string | null };
    // The signup contracts: users.create / users.delete and subscriptions.create carry AccountSignupSaga.
    const saga = defineSaga({
      name,
      trigger: 'accounts.signups',
      sagaId: (t) => `${name}-${(t.value as { accountId: string }).accountId}`,
      start: (t) => {
        const { accountId, email, displayName, plan } = t.value as Signup;
        return { accountId, email, displayName, plan, userId: null, subscriptionId: null, welcomeMessageId: null };
      },
      steps: [
        { name: 'create-user', command: 'users.create', compensation: 'users.delete', compensationRetry: { maxAttempts: 1 } },
        { name: 'create-subscription', command: 'subscriptions.create' },
      ],
    });
    const participantCodec = new RegistryCodec({ url });
    await h.start(
      sagaParticipant<Signup>({
        name: `${name}-p`,
        on: {
          'users.create': () => ({ userId: 'u-1' }),
          'subscriptions.create': () => {
            throw new PermanentError('card declined');
          },
          // The undo fails for good once the registry is down: the saga goes stuck, and its notice needs saga.stuck's schema.
          'users.delete': async () => {
            undoEntered = true;
            await gate;
            throw new PermanentError('user store refuses');
          },
        },
      }),
      { codec: participantCodec },
    );
    const stuckSeen = await h.watch(['saga.stuck']);
    coordinator = await startCoordinator({
      sagas: [saga],
      brokers: h.broker.brokers,
      codec: new RegistryCodec({ url, requestTimeoutMs: 1_000, retries: 0 }),
      store,
      logger: quiet,
      sessionTimeoutMs: 6000,
      heartbeatIntervalMs: 500,
      groupId: `${name}-coordinator`,
    });
    await coordinator.joined;

    const value = await participantCodec.encode('accounts.signups', { accountId: 'acc-1', email: 'a@x.io', displayName: 'A', plan: 'FREE', referralCode: null, requestedAt: 1 });
    const producer = h.kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'accounts.signups', messages: [{ key: 'acc-1', value }] });
    await producer.disconnect();
    const id = `${name}-acc-1`;
    // The undo is running (its command already decoded by the participant): only the coordinator needs the registry now.
    await eventually(() => (undoEntered ? true : undefined), 'the compensation under way', 15_000);

    await registry!.stop();
    registry = undefined;
    release();
    await eventually(async () => ((await store.load(id))?.status === 'compensation_failed' ? true : undefined), 'the saga stuck', 15_000);
    expect(stuckSeen.seen).toHaveLength(0); // its notice cannot be encoded yet

    registry = await startSchemaRegistry({ port, brokers: h.broker.brokers, topic: SCHEMAS_TOPIC });
    const seen = await stuckSeen.until((s) => s.length >= 1, 'the saga.stuck notice', 20_000);
    expect(seen.map((s) => s.key)).toEqual([id]);
    const notice = await participantCodec.decode('saga.stuck', seen[0]!.value);
    expect(notice).toMatchObject({ sagaId: id, status: 'COMPENSATION_FAILED', step: 'create-user' });
  });
});
