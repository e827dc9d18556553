import { sagaParticipant, type SagaReplyRecord } from '@agentmesh/coordinator';
import type { Agent } from '@agentmesh/runtime';
import type { TicketReplySaga } from '@agentmesh/schema-registry';
import { TriageLedger } from './ledger';
import { SUPPORT_DESK, triageSettingsFromEnv, TriageTopics } from './options';

export function replyMessageIdFor(ticketId: string): string {
  return `reply-${ticketId}`;
}

/**
 * Sends an approved reply to the customer. The message id comes from the ticket, and the mail system (the
 * ledger) takes a ticket once: a command repeated after a timeout sends no second mail.
 */
export function createSupportDesk(ledger: TriageLedger): Agent<TicketReplySaga, SagaReplyRecord> {
  return sagaParticipant<TicketReplySaga>({
    name: SUPPORT_DESK,
    timeoutMs: 10_000,
    on: {
      async [TriageTopics.sendReply](command) {
        const replyMessageId = replyMessageIdFor(command.data.ticketId);
        await ledger.replySent(command.data.ticketId, replyMessageId);
        return { replyMessageId };
      },
    },
  });
}

export function supportDeskFromEnv(env: NodeJS.ProcessEnv = process.env): Agent<TicketReplySaga, SagaReplyRecord> {
  const settings = triageSettingsFromEnv(env);
  return createSupportDesk(new TriageLedger(settings.redisUrl, settings.ledgerPrefix));
}

export default supportDeskFromEnv();
