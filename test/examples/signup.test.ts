import { randomBytes } from 'node:crypto';
import { runCoordinator, type RunningCoordinatorService, type SagaState } from '@agentmesh/coordinator';
import { RegistryCodec, startWorker, type Agent, type IdempotencyStore, type RunningWorker } from '@agentmesh/runtime';
import type { AccountSignup } from '@agentmesh/schema-registry';
import pino from 'pino';
import {
  accountSignupSaga,
  checkSagaEffects,
  failureOfFailedStep,
  formatSagaState,
  NO_EMAIL_FAULTS,
  publishSignups,
  RedisSignupLedger,
  signupSagaId,
  startLocalStack,
  type LocalStack,
  type SagaEffects,
} from '@agentmesh/examples';
import { RedisIdempotencyStore } from '../../packages/runtime/src/idempotency/redis-store';
import { createEmailsParticipant } from '../../packages/examples/src/signup/emails';
import { createSubscriptionsParticipant } from '../../packages/examples/src/signup/subscriptions';
import { createUsersParticipant } from '../../packages/examples/src/signup/users';
import { eventually, externalTestKafka, kafkaFor } from '../support/kafka';
import { TEST_REDIS_URL } from '../support/redis';

/**
 * The account signup saga end to end: embedded broker and registry (Avro),
 * the coordinator and the three participants in this process as real
 * consumer groups, saga state, idempotency and the effects ledger in the
 * real Redis under prefixes of this run. Each test publishes one signup and
 * waits for its saga to end: a hung email holds back the replies of whatever
 * the email participant fetched with it, so signups in flight together would
 * make each other's outcome a matter of timing.
 */

const REDIS_URL = TEST_REDIS_URL;
const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

interface Mesh {
  stack: LocalStack;
  coordinator: RunningCoordinatorService;
  ledger: RedisSignupLedger;
  publish(accountId: string): Promise<string>;
  /** The saga once it has completed or been compensated (bounded). */
  ended(sagaId: string, timeoutMs?: number): Promise<{ state: SagaState; effects: SagaEffects }>;
  stop(): Promise<void>;
}

async function startMesh(): Promise<Mesh> {
  const run = randomBytes(4).toString('hex');
  const stack = await startLocalStack({ partitions: 3, external: externalTestKafka() });
  const idempotency: IdempotencyStore = RedisIdempotencyStore.connect(REDIS_URL, logger, { keyPrefix: `test:signup:${run}` });
  const ledger = new RedisSignupLedger(REDIS_URL, { keyPrefix: `test:signup:${run}:ledger:`, ttlMs: 10 * 60_000, logger });
  const workers: RunningWorker[] = [];
  let coordinator: RunningCoordinatorService | undefined;
  const producer = kafkaFor(stack.broker).producer({ idempotent: true, maxInFlightRequests: 1 });
  const stop = async () => {
    await producer.disconnect().catch(() => undefined);
    await Promise.all(workers.map((w) => w.stop()));
    // This run's finished sagas are of no further use: leave the shared Redis as found (or nearly: timers and epochs stay).
    await coordinator?.store.purge(['completed', 'compensated'], 0).catch(() => undefined);
    await coordinator?.stop();
    await ledger.close();
    await idempotency.close();
    await stack.stop();
  };
  try {
    coordinator = await runCoordinator({
      sagas: [accountSignupSaga],
      brokers: stack.brokers,
      registryUrl: stack.registry.url,
      redisUrl: REDIS_URL,
      keyPrefix: `test:signup:${run}:saga:`,
      observability: false,
      logger,
      coordinator: { sessionTimeoutMs: 6_000, heartbeatIntervalMs: 500 },
    });
    await coordinator.ready(30_000);
    const codec = new RegistryCodec({ url: stack.registry.url });
    const participants = [
      createUsersParticipant({ ledger }),
      createSubscriptionsParticipant({ ledger }),
      // A hung send holds on 1 s past its deadline: the coordinator's deadline passes first, however loaded the machine.
      createEmailsParticipant({ ledger, faults: NO_EMAIL_FAULTS, hangOverrunMs: 1_000 }),
    ] as Agent[];
    const started = await Promise.allSettled(
      participants.map((agent) => startWorker(agent, { brokers: stack.brokers, codec, idempotency, logger, sessionTimeoutMs: 6_000, heartbeatIntervalMs: 500, drainTimeoutMs: 5_000 })),
    );
    for (const s of started) if (s.status === 'fulfilled') workers.push(s.value);
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    await Promise.all(workers.map((w) => w.joined));
    await producer.connect();
    const store = coordinator.store;
    return {
      stack,
      coordinator,
      ledger,
      async publish(accountId) {
        const signup: AccountSignup = { accountId, email: `${accountId}@example.com`, displayName: accountId, plan: 'TEAM', referralCode: null, requestedAt: Date.now() };
        await publishSignups(producer, codec, [signup]);
        return signupSagaId(accountId);
      },
      async ended(sagaId, timeoutMs = 15_000) {
        const state = await eventually(
          async () => {
            const s = await store.load(sagaId);
            return s && (s.status === 'completed' || s.status === 'compensated') ? s : undefined;
          },
          `saga ${sagaId} to complete or be compensated`,
          timeoutMs,
          100,
        );
        return { state, effects: (await ledger.read([sagaId])).get(sagaId)! };
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

const stepsOf = (state: SagaState) => state.steps.map((s) => [s.name, s.status, s.attempts, s.compensationAttempts]);
const typesOf = (state: SagaState) => state.timeline.map((e) => (e.step ? `${e.type} ${e.step}` : e.type));

describe('the account signup saga end to end', () => {
  let mesh: Mesh;
  const run = randomBytes(3).toString('hex');
  beforeAll(async () => {
    mesh = await startMesh();
  });
  afterAll(async () => {
    await mesh?.stop();
  });

  it('completes a signup: user, subscription and welcome email, each once', async () => {
    const sagaId = await mesh.publish(`acc-${run}-ok`);
    const { state, effects } = await mesh.ended(sagaId);
    expect(state.status).toBe('completed');
    expect(stepsOf(state)).toEqual([
      ['create-user', 'succeeded', 1, 0],
      ['create-subscription', 'succeeded', 1, 0],
      ['send-welcome-email', 'succeeded', 1, 0],
    ]);
    expect(effects.log).toEqual(['user.created', 'subscription.created', 'email.sent']);
    expect(effects.repeats).toBe(0);
    expect(checkSagaEffects(state, effects)).toEqual([]);
  });

  it('compensates a signup whose welcome email fails for good: subscription cancelled, then user deleted, no email', async () => {
    const sagaId = await mesh.publish(`acc-${run}-fail`);
    const { state, effects } = await mesh.ended(sagaId);
    expect(state.status).toBe('compensated');
    expect(failureOfFailedStep(state)).toBe('failed');
    // A permanent failure is not retried.
    expect(stepsOf(state)).toEqual([
      ['create-user', 'compensated', 1, 1],
      ['create-subscription', 'compensated', 1, 1],
      ['send-welcome-email', 'failed', 1, 0],
    ]);
    expect(state.steps[2]!.lastError).toMatch(/EmailBouncedError: .* bounced/);
    expect(typesOf(state).slice(-8)).toEqual([
      'STEP_STARTED send-welcome-email',
      'STEP_FAILED send-welcome-email',
      'COMPENSATING send-welcome-email',
      'COMPENSATION_STARTED create-subscription',
      'STEP_COMPENSATED create-subscription',
      'COMPENSATION_STARTED create-user',
      'STEP_COMPENSATED create-user',
      'COMPENSATED',
    ]);
    expect(effects.log).toEqual(['user.created', 'subscription.created', 'subscription.cancelled', 'user.deleted']);
    expect(checkSagaEffects(state, effects)).toEqual([]);
  });

  it('compensates a signup whose welcome email hangs past the step timeout on every attempt', async () => {
    const sagaId = await mesh.publish(`acc-${run}-hang`);
    // Three attempts of 2 s each, with back-off between them: about 8 s.
    const { state, effects } = await mesh.ended(sagaId, 25_000);
    expect(state.status).toBe('compensated');
    expect(failureOfFailedStep(state)).toBe('timed_out');
    expect(stepsOf(state)).toEqual([
      ['create-user', 'compensated', 1, 1],
      ['create-subscription', 'compensated', 1, 1],
      ['send-welcome-email', 'not_compensated', 3, 0],
    ]);
    expect(state.steps[2]!.mayHaveTakenEffect).toBe(true);
    expect(typesOf(state).filter((t) => t === 'STEP_TIMED_OUT send-welcome-email')).toHaveLength(3);
    expect(typesOf(state).filter((t) => t === 'STEP_RETRY_SCHEDULED send-welcome-email')).toHaveLength(2);
    const undo = typesOf(state).indexOf('COMPENSATING send-welcome-email');
    expect(
      typesOf(state)
        .slice(undo + 1)
        .filter((t) => t !== 'REPLY_IGNORED send-welcome-email'),
    ).toEqual(['COMPENSATION_STARTED create-subscription', 'STEP_COMPENSATED create-subscription', 'COMPENSATION_STARTED create-user', 'STEP_COMPENSATED create-user', 'COMPENSATED']);
    // The hung sends never reached the provider.
    expect(effects.log).toEqual(['user.created', 'subscription.created', 'subscription.cancelled', 'user.deleted']);
    expect(checkSagaEffects(state, effects)).toEqual([]);
    expect(formatSagaState(state)).toContain('STEP_TIMED_OUT        send-welcome-email execute #3: no reply within 2000 ms');
  });
});
