import type { KafkaMessage } from 'kafkajs';
import pino from 'pino';
import type { BatchScope } from '@agentmesh/runtime/internal';
import { SATURATED_RETRY_MS } from './intake';
import { TriggerIntake, type TriggerIntakeDeps } from './trigger-intake';

const trigger = (offset: number): KafkaMessage => ({ offset: String(offset), key: null, value: Buffer.from('{}'), timestamp: '0', attributes: 0, headers: {} });

function scopeOf(messages: KafkaMessage[]) {
  const calls = { commits: [] as string[], pauses: [] as number[] };
  const scope: BatchScope = {
    topic: 'orders.placed',
    partition: 0,
    messages,
    lag: 0,
    isCurrent: () => true,
    commitThrough: (offset) => {
      calls.commits.push(offset);
      return Promise.resolve();
    },
    pauseFor: (ms) => calls.pauses.push(ms),
  };
  return { scope, calls };
}

function intake(pendingReplies: number): { intake: TriggerIntake } {
  const deps = {
    // No saga listens on the topic: a trigger taken is simply committed, so the test sees what the intake let through.
    sagasByTrigger: new Map(),
    store: { create: () => Promise.resolve(true) },
    logger: pino({ level: 'silent' }),
    pendingReplies: () => pendingReplies,
    replyBacklogLimit: 100,
  } as unknown as TriggerIntakeDeps;
  return { intake: new TriggerIntake(deps) };
}

describe('TriggerIntake back-pressure', () => {
  it('takes triggers while the replies owed to running sagas are few', async () => {
    const { scope, calls } = scopeOf([trigger(1), trigger(2)]);
    await intake(100).intake.handle(scope);
    expect(calls.commits).toEqual(['2']);
    expect(calls.pauses).toEqual([]);
  });

  it('leaves triggers in Kafka, uncommitted, and waits briefly while more replies wait to be applied', async () => {
    const { scope, calls } = scopeOf([trigger(1), trigger(2)]);
    await intake(101).intake.handle(scope);
    expect(calls.commits).toEqual([]);
    expect(calls.pauses).toEqual([SATURATED_RETRY_MS]);
  });
});
