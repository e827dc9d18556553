import { createHash } from 'node:crypto';

/**
 * The ids the signup saga's participants hand out. Each is derived from the
 * account (or the saga), never drawn at random: a participant asked again for
 * the same account (a retry after a timeout) names the same user, the same
 * subscription and the same email, so the systems behind it can refuse the
 * second one, and a compensation finds what to undo even when the step that
 * made it timed out before it could add its id to the saga's data.
 */

function digest(...parts: readonly string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 16);
}

/** The saga id of an account's signup: one signup saga per account (a second request for the account starts none). */
export function signupSagaId(accountId: string): string {
  return `signup-${accountId}`;
}

export function userIdFor(accountId: string): string {
  return `usr_${digest('user', accountId)}`;
}

export function subscriptionIdFor(accountId: string): string {
  return `sub_${digest('subscription', accountId)}`;
}

/** The welcome email's message id: the email provider's idempotency key, so a retried send delivers once. */
export function welcomeMessageIdFor(sagaId: string): string {
  return `msg_${digest('welcome', sagaId)}`;
}
