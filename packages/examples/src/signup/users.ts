import { sagaParticipant, type SagaReplyRecord } from '@agentmesh/coordinator';
import type { Agent } from '@agentmesh/runtime';
import type { AccountSignupSaga } from '@agentmesh/schema-registry';
import { userIdFor } from './ids';
import { resolveParticipantOptions, SignupParticipants, type SignupParticipantOptions } from './options';
import { SignupTopics } from './saga';

export const USERS_PARTICIPANT = SignupParticipants.users;

/** Creates the account's user (its id derived from the account) and deletes it when the saga is turned back. */
export function createUsersParticipant(options: SignupParticipantOptions = {}): Agent<AccountSignupSaga, SagaReplyRecord> {
  const { ledger, timeoutMs } = resolveParticipantOptions(options);
  return sagaParticipant<AccountSignupSaga>({
    name: USERS_PARTICIPANT,
    timeoutMs,
    on: {
      async [SignupTopics.createUser](command) {
        const userId = userIdFor(command.data.accountId);
        await ledger.record(command.sagaId, 'user.created', userId);
        return { userId };
      },
      async [SignupTopics.deleteUser](command) {
        // The id is derived, so a user whose creation timed out before it reached the saga's data is still found.
        await ledger.record(command.sagaId, 'user.deleted', command.data.userId ?? userIdFor(command.data.accountId));
      },
    },
  });
}

export default createUsersParticipant();
