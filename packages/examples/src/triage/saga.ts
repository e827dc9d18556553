import { defineSaga, type Saga, type SagaTrigger } from '@agentmesh/coordinator';
import { InvalidInputError } from '@agentmesh/runtime';
import type { TicketReplySaga, TicketTriaged } from '@agentmesh/schema-registry';
import { TriageTopics } from './options';

export const TICKET_REPLY_SAGA = 'ticket-reply';

export const TicketReplySteps = {
  approve: 'approve-reply',
  send: 'send-reply',
} as const;

/** A person has this long to approve a drafted reply; at the deadline the saga is turned back (nothing is sent). */
export const DEFAULT_APPROVAL_TIMEOUT_MS = 24 * 60 * 60_000;

export function ticketReplySagaId(ticketId: string): string {
  return `ticket-reply:${ticketId}`;
}

function sagaIdOfTriaged(trigger: SagaTrigger<TicketTriaged>): string {
  const ticketId: unknown = trigger.value?.ticketId;
  if (typeof ticketId !== 'string' || ticketId === '') throw new InvalidInputError(`${trigger.topic}@${trigger.offset} has no ticketId: cannot name its reply saga`);
  return ticketReplySagaId(ticketId);
}

/** The saga's first data: the triaged ticket's answer, not yet approved nor sent. */
export function ticketReplySagaData(triaged: TicketTriaged): TicketReplySaga {
  return {
    ticketId: triaged.ticketId,
    customer: triaged.customer,
    // The agent's validation lets no ticket through without both.
    category: triaged.category ?? 'OTHER',
    priority: triaged.priority ?? 'NORMAL',
    reply: triaged.reply,
    answeredBy: triaged.answeredBy,
    approvedBy: null,
    replyMessageId: null,
  };
}

/**
 * A drafted reply goes to the customer only once a person approves it: the saga waits at `approve-reply` (a wait
 * step: its deadline is in Redis, so the wait survives coordinator restarts) for `mesh saga signal <id>
 * approve-reply --approve --value '{"approvedBy":"..."}'` or `signalSaga`; then `send-reply` sends it. A rejection,
 * or no answer by the deadline, turns the saga back: nothing was sent, so nothing is undone.
 */
export function createTicketReplySaga(options: { approvalTimeoutMs?: number } = {}): Saga<TicketTriaged, TicketReplySaga> {
  return defineSaga<TicketTriaged, TicketReplySaga>({
    name: TICKET_REPLY_SAGA,
    trigger: TriageTopics.triaged,
    sagaId: sagaIdOfTriaged,
    start: (trigger) => ticketReplySagaData(trigger.value),
    steps: [
      { name: TicketReplySteps.approve, wait: { timeoutMs: options.approvalTimeoutMs ?? DEFAULT_APPROVAL_TIMEOUT_MS, onTimeout: 'compensate' } },
      { name: TicketReplySteps.send, command: TriageTopics.sendReply, timeoutMs: 5_000, retry: { delaysMs: [200, 1_000], maxAttempts: 3, jitter: 0.2 } },
    ],
  });
}

export default createTicketReplySaga();
