import { sagaParticipant, type SagaReplyRecord } from '@agentmesh/coordinator';
import type { Agent } from '@agentmesh/runtime';
import type { AccountSignupSaga } from '@agentmesh/schema-registry';
import { subscriptionIdFor } from './ids';
import { resolveParticipantOptions, SignupParticipants, type SignupParticipantOptions } from './options';
import { SignupTopics } from './saga';

export const SUBSCRIPTIONS_PARTICIPANT = SignupParticipants.subscriptions;

/** Opens the account's subscription on its plan, and cancels it when the saga is turned back. */
export function createSubscriptionsParticipant(options: SignupParticipantOptions = {}): Agent<AccountSignupSaga, SagaReplyRecord> {
  const { ledger, timeoutMs } = resolveParticipantOptions(options);
  return sagaParticipant<AccountSignupSaga>({
    name: SUBSCRIPTIONS_PARTICIPANT,
    timeoutMs,
    on: {
      async [SignupTopics.createSubscription](command) {
        const subscriptionId = subscriptionIdFor(command.data.accountId);
        await ledger.record(command.sagaId, 'subscription.created', subscriptionId);
        return { subscriptionId };
      },
      async [SignupTopics.cancelSubscription](command) {
        await ledger.record(command.sagaId, 'subscription.cancelled', command.data.subscriptionId ?? subscriptionIdFor(command.data.accountId));
      },
    },
  });
}

export default createSubscriptionsParticipant();
