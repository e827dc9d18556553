import { deriveEventId, Header, type EventCodec } from '@agentmesh/runtime';
import type { SupportTicket } from '@agentmesh/schema-registry';
import type { Producer } from 'kafkajs';
import { TriageTopics } from './options';

/** What customers write; the demo cycles through them. */
const TICKET_TEXTS: ReadonlyArray<{ subject: string; body: string }> = [
  { subject: 'Charged twice this month', body: 'My card was charged twice for the March invoice. Please refund one payment.' },
  { subject: 'Dashboard is down', body: 'Since this morning the dashboard shows an error 502 and is down for our whole team. Urgent.' },
  { subject: 'Cannot log in', body: 'I reset my password but the login still fails and now my account is locked.' },
  { subject: 'Question about pricing', body: 'Is the team price per seat or per workspace? We may upgrade next quarter.' },
  { subject: 'Export is slow', body: 'Exporting a report takes minutes and sometimes ends in a timeout.' },
  { subject: 'Change the email address', body: 'Please change the email address of my account to my new work address.' },
  { subject: 'Feature idea', body: 'It would be lovely to have a dark theme. Thanks for a great product!' },
  { subject: 'Refund for unused seats', body: 'We removed five seats last week; will the next invoice show a refund for them?' },
  { subject: 'App crashes on upload', body: 'The mobile app crashes every time I upload a photo larger than 10 MB. Looks like a bug.' },
  { subject: 'Delete my data', body: 'Please delete my account and all data you hold about me.' },
  { subject: 'Where is my receipt', body: 'I paid by bank transfer but never got a receipt for the payment.' },
  { subject: 'Thank you', body: 'Just wanted to say the new release is great.' },
];

/**
 * The tickets of one run: `<label>-01`, `<label>-02`, ... The n-th ticket's text is the same in every run, so two
 * runs ask the stand-in model the same questions and get the same answers.
 */
export function demoTickets(label: string, count: number, customerDomain = 'example.com', now: number = Date.now()): SupportTicket[] {
  return Array.from({ length: count }, (_, i) => {
    const text = TICKET_TEXTS[i % TICKET_TEXTS.length]!;
    return { ticketId: `${label}-${String(i + 1).padStart(2, '0')}`, customer: `customer${i + 1}@${customerDomain}`, subject: text.subject, body: text.body, submittedAt: now };
  });
}

/** Publishes the tickets on support.tickets, keyed by ticket id, each named by an event id derived from it. */
export async function publishTickets(producer: Pick<Producer, 'send'>, codec: EventCodec, tickets: readonly SupportTicket[]): Promise<void> {
  const messages = await Promise.all(
    tickets.map(async (ticket) => {
      const id = deriveEventId(`ticket:${ticket.ticketId}`, 'submitted', 0);
      return { key: ticket.ticketId, value: await codec.encode(TriageTopics.tickets, ticket), headers: { [Header.eventId]: id, [Header.correlationId]: id } };
    }),
  );
  await producer.send({ topic: TriageTopics.tickets, acks: -1, messages });
}
