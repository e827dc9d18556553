import { sagaParticipant, type SagaReplyRecord } from '@agentmesh/coordinator';
import { PermanentError, type Agent } from '@agentmesh/runtime';
import type { AccountSignupSaga } from '@agentmesh/schema-registry';
import { decideEmailFault, EmailProviderTimeoutError, emailFaultsFromEnv, hang, hangDurationMs, HANG_OVERRUN_MS, type EmailFaultConfig } from './email-faults';
import { welcomeMessageIdFor } from './ids';
import { resolveParticipantOptions, SignupParticipants, type SignupParticipantOptions } from './options';
import { SignupTopics } from './saga';

export const EMAILS_PARTICIPANT = SignupParticipants.emails;

export interface EmailsParticipantOptions extends SignupParticipantOptions {
  /** Injected faults; default from MESH_SIGNUP_EMAIL_FAIL_RATE / MESH_SIGNUP_EMAIL_HANG_RATE (account ids ending -fail / -hang always apply). */
  faults?: EmailFaultConfig;
  /**
   * How long past the command's deadline a hung send holds on before giving up. Default HANG_OVERRUN_MS
   * (short: a hung send stalls the participant's consumer). Tests raise it so the coordinator's deadline
   * passes first even on a loaded machine.
   */
  hangOverrunMs?: number;
}

/** The address was refused for good: retrying will not help, the saga is turned back. */
export class EmailBouncedError extends PermanentError {
  override readonly name: string = 'EmailBouncedError';
}

/**
 * Sends the welcome email. Its message id is derived from the saga, and the
 * provider (the ledger) takes a message id once: a send retried after a
 * timeout delivers no second email. Nothing to compensate: an email cannot be
 * unsent.
 */
export function createEmailsParticipant(options: EmailsParticipantOptions = {}): Agent<AccountSignupSaga, SagaReplyRecord> {
  const { ledger, timeoutMs } = resolveParticipantOptions(options);
  const faults = options.faults ?? emailFaultsFromEnv();
  const overrunMs = options.hangOverrunMs ?? HANG_OVERRUN_MS;
  return sagaParticipant<AccountSignupSaga>({
    name: EMAILS_PARTICIPANT,
    timeoutMs,
    // A send the provider never answered is a timeout (the reply says TIMEOUT), not a transient failure.
    classify: (error) => (error instanceof EmailProviderTimeoutError ? 'timeout' : undefined),
    on: {
      async [SignupTopics.sendWelcomeEmail](command, ctx) {
        const { accountId, email } = command.data;
        switch (decideEmailFault(faults, accountId, command.sagaId, command.attempt)) {
          case 'fail':
            throw new EmailBouncedError(`${email} bounced (injected)`);
          case 'hang':
            // The provider never answers: the coordinator's deadline passes first, then the call gives up (its late reply is ignored).
            return hang(hangDurationMs(command.deadlineAt, Date.now(), timeoutMs, overrunMs), ctx.signal, `welcome email to ${email} (injected hang)`);
          case 'none':
            break;
        }
        const welcomeMessageId = welcomeMessageIdFor(command.sagaId);
        await ledger.record(command.sagaId, 'email.sent', welcomeMessageId);
        return { welcomeMessageId };
      },
    },
  });
}

export default createEmailsParticipant();
