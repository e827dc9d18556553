import { deriveEventId, Header, type EventCodec } from '@agentmesh/runtime';
import type { AccountSignup, Plan } from '@agentmesh/schema-registry';
import type { Producer } from 'kafkajs';
import { seededUniform } from '../invoice/failure-injection';
import { FAULT_SUFFIXES } from './email-faults';
import { SignupTopics } from './saga';

const PLANS: readonly Plan[] = ['FREE', 'FREE', 'TEAM', 'ENTERPRISE'];

export interface DemoSignupsOptions {
  /** Every n-th account id ends in `-fail` (its welcome email bounces). 0: none. */
  failEvery?: number;
  /** Every n-th account id ends in `-hang` (its welcome email never gets an answer). 0: none. */
  hangEvery?: number;
  requestedAt?: number;
}

/** `count` signups of one run; the run id keeps account (and so saga) ids apart from other runs on the same Redis. */
export function demoSignups(runId: string, count: number, options: DemoSignupsOptions = {}): AccountSignup[] {
  const requestedAt = options.requestedAt ?? Date.now();
  const every = (n: number | undefined, i: number) => n !== undefined && n > 0 && (i + 1) % n === 0;
  return Array.from({ length: count }, (_, i) => {
    const suffix = every(options.failEvery, i) ? FAULT_SUFFIXES.fail : every(options.hangEvery, i) ? FAULT_SUFFIXES.hang : '';
    const accountId = `acc-${runId}-${String(i + 1).padStart(4, '0')}${suffix}`;
    return {
      accountId,
      email: `user${i + 1}@${runId}.example`,
      displayName: `Demo User ${i + 1}`,
      plan: PLANS[Math.floor(seededUniform('plan', accountId) * PLANS.length)]!,
      referralCode: i % 5 === 0 ? `ref-${runId}` : null,
      requestedAt: requestedAt + i,
    };
  });
}

/** The event id a signup is published with: derived from the account, so a re-publish is the same event. */
export function signupEventId(accountId: string): string {
  return deriveEventId(`publish:${accountId}`, SignupTopics.signups, 0);
}

export interface PublishSignupsOptions {
  /** Paces the signups at about this many a second (in batches of a tenth of it); default: all at once, in batches of 100. */
  ratePerSecond?: number;
}

/** Publishes signups to accounts.signups, keyed by account id, encoded with the topic's contract. */
export async function publishSignups(producer: Producer, codec: EventCodec, signups: readonly AccountSignup[], options: PublishSignupsOptions = {}): Promise<void> {
  const rate = options.ratePerSecond;
  const paced = rate !== undefined && rate > 0;
  const batchSize = paced ? Math.max(1, Math.round(rate / 10)) : 100;
  const started = Date.now();
  for (let start = 0; start < signups.length; start += batchSize) {
    if (paced) {
      const due = started + (start / rate) * 1000;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    }
    const messages = await Promise.all(
      signups.slice(start, start + batchSize).map(async (signup) => {
        const eventId = signupEventId(signup.accountId);
        return { key: signup.accountId, value: await codec.encode(SignupTopics.signups, signup), headers: { [Header.eventId]: eventId, [Header.correlationId]: eventId } };
      }),
    );
    await producer.send({ topic: SignupTopics.signups, acks: -1, messages });
  }
}
