import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadSagaModule, type SagaTrigger } from '@agentmesh/coordinator';
import { InvalidInputError } from '@agentmesh/runtime';
import type { AccountSignup } from '@agentmesh/schema-registry';
import { signupSagaId, subscriptionIdFor, userIdFor, welcomeMessageIdFor } from './ids';
import accountSignupSagaDefault, { accountSignupSaga, ACCOUNT_SIGNUP_SAGA, sagaIdOfSignup, SignupTopics } from './saga';

const signup: AccountSignup = { accountId: 'acc-1', email: 'a@example.com', displayName: 'A', plan: 'TEAM', referralCode: 'r', requestedAt: 1_700_000_000_000 };
const trigger = (value: AccountSignup): SagaTrigger<AccountSignup> => ({ topic: SignupTopics.signups, partition: 0, offset: '7', key: value.accountId, value, headers: {}, eventId: 'e1' });

describe('the account signup saga', () => {
  it('runs create-user, create-subscription and send-welcome-email, undoing the first two', () => {
    expect(accountSignupSaga.name).toBe(ACCOUNT_SIGNUP_SAGA);
    expect(accountSignupSaga.trigger).toBe('accounts.signups');
    expect(accountSignupSaga.steps.map((s) => [s.name, s.command, s.compensation])).toEqual([
      ['create-user', 'users.create', 'users.delete'],
      ['create-subscription', 'subscriptions.create', 'subscriptions.cancel'],
      ['send-welcome-email', 'emails.welcome.send', undefined],
    ]);
    expect(accountSignupSaga.steps.some((s) => s.pivot)).toBe(false);
    for (const step of accountSignupSaga.steps) {
      expect(step.timeoutMs).toBeLessThanOrEqual(5_000);
      expect(step.retry.maxAttempts).toBe(3);
    }
  });

  it('uses topics whose contracts are the signup and the saga data', () => {
    const topics = JSON.parse(readFileSync(resolve(__dirname, '..', '..', '..', '..', 'schemas', 'topics.json'), 'utf8')) as Record<string, string>;
    expect(topics[accountSignupSaga.trigger]).toBe('account/account-signup.avsc');
    for (const step of accountSignupSaga.steps) {
      for (const topic of [step.command, step.compensation].filter((t): t is string => t !== undefined)) expect(topics[topic]).toBe('account/account-signup-saga.avsc');
    }
  });

  it('names the saga after the account, and refuses a signup without one', () => {
    expect(accountSignupSaga.sagaId!(trigger(signup))).toBe('signup-acc-1');
    expect(signupSagaId('acc-1')).toBe('signup-acc-1');
    expect(() => sagaIdOfSignup(trigger({ ...signup, accountId: '' }))).toThrow(InvalidInputError);
  });

  it('starts from the request with nothing made yet', () => {
    expect(accountSignupSaga.start!(trigger(signup))).toEqual({
      accountId: 'acc-1',
      email: 'a@example.com',
      displayName: 'A',
      plan: 'TEAM',
      userId: null,
      subscriptionId: null,
      welcomeMessageId: null,
    });
  });

  it('is the default export, so `mesh coordinator --sagas` loads it', () => {
    expect(accountSignupSagaDefault).toBe(accountSignupSaga);
    const loaded = loadSagaModule(join(__dirname, 'saga.ts'));
    expect(loaded.map((s) => s.name)).toEqual([ACCOUNT_SIGNUP_SAGA]);
  });

  it('derives the ids it hands out, so a repeated request names the same thing', () => {
    expect(userIdFor('acc-1')).toBe(userIdFor('acc-1'));
    expect(userIdFor('acc-1')).not.toBe(userIdFor('acc-2'));
    expect(userIdFor('acc-1')).toMatch(/^usr_[0-9a-f]{16}$/);
    expect(subscriptionIdFor('acc-1')).toMatch(/^sub_[0-9a-f]{16}$/);
    expect(welcomeMessageIdFor('signup-acc-1')).toMatch(/^msg_[0-9a-f]{16}$/);
  });
});
