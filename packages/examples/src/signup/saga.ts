import { defineSaga, type Saga, type SagaTrigger } from '@agentmesh/coordinator';
import { InvalidInputError } from '@agentmesh/runtime';
import type { AccountSignup, AccountSignupSaga } from '@agentmesh/schema-registry';
import { signupSagaId } from './ids';

/** The saga's topics (schemas/topics.json): the trigger, and a command and compensation topic per step. */
export const SignupTopics = {
  signups: 'accounts.signups',
  createUser: 'users.create',
  deleteUser: 'users.delete',
  createSubscription: 'subscriptions.create',
  cancelSubscription: 'subscriptions.cancel',
  sendWelcomeEmail: 'emails.welcome.send',
} as const;

export const SIGNUP_TOPICS: readonly string[] = Object.values(SignupTopics);

export const SignupSteps = {
  createUser: 'create-user',
  createSubscription: 'create-subscription',
  sendWelcomeEmail: 'send-welcome-email',
} as const;

export const ACCOUNT_SIGNUP_SAGA = 'account-signup';

/** The saga id of a signup record; a record without an account id is refused (the coordinator dead-letters it). */
export function sagaIdOfSignup(trigger: SagaTrigger<AccountSignup>): string {
  const accountId: unknown = trigger.value?.accountId;
  if (typeof accountId !== 'string' || accountId === '') {
    throw new InvalidInputError(`${trigger.topic}@${trigger.offset} has no accountId: cannot name its signup saga`);
  }
  return signupSagaId(accountId);
}

/** The saga's first data: the request, and nothing made yet. */
export function signupSagaData(signup: AccountSignup): AccountSignupSaga {
  return {
    accountId: signup.accountId,
    email: signup.email,
    displayName: signup.displayName,
    plan: signup.plan,
    userId: null,
    subscriptionId: null,
    welcomeMessageId: null,
  };
}

/**
 * Account signup: create the user, then the subscription, then send the
 * welcome email. A step that fails for good turns the saga back: what was
 * made is undone newest first (cancel the subscription, then delete the user).
 *
 * Timeouts and retries are sized for the demo's participants, which answer in
 * milliseconds: a step waits 2-5 s for its reply and is tried three times
 * before the saga gives up on it. A permanent failure (PermanentError) is not
 * retried. Compensations are retried longer: giving up on one leaves the saga
 * stuck for an operator (`mesh saga resume`).
 */
export const accountSignupSaga: Saga<AccountSignup, AccountSignupSaga> = defineSaga<AccountSignup, AccountSignupSaga>({
  name: ACCOUNT_SIGNUP_SAGA,
  trigger: SignupTopics.signups,
  // One saga per account: a redelivered or repeated signup of the account maps to the saga already there.
  sagaId: sagaIdOfSignup,
  start: (trigger) => signupSagaData(trigger.value),
  compensationRetry: { delaysMs: [200, 1_000, 5_000], maxAttempts: 6, jitter: 0.2 },
  steps: [
    {
      name: SignupSteps.createUser,
      command: SignupTopics.createUser,
      compensation: SignupTopics.deleteUser,
      timeoutMs: 5_000,
      retry: { delaysMs: [200, 1_000], maxAttempts: 3, jitter: 0.2 },
    },
    {
      name: SignupSteps.createSubscription,
      command: SignupTopics.createSubscription,
      compensation: SignupTopics.cancelSubscription,
      timeoutMs: 5_000,
      retry: { delaysMs: [200, 1_000], maxAttempts: 3, jitter: 0.2 },
    },
    {
      // No compensation: an email cannot be unsent. Should the saga be turned back after this step
      // may have taken effect (it timed out), the email stays sent; the user and subscription are still undone.
      name: SignupSteps.sendWelcomeEmail,
      command: SignupTopics.sendWelcomeEmail,
      timeoutMs: 2_000,
      // Wide jitter: sagas that timed out together (behind the same hung send) retry apart.
      retry: { delaysMs: [500, 1_500], maxAttempts: 3, jitter: 0.5 },
    },
  ],
});

export default accountSignupSaga;
