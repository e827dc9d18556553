import type { SupportTicket, TicketCategory, TicketPriority, TicketTriaged } from '@agentmesh/schema-registry';
import { categoryByWords, REFUSAL_TEXT } from './stand-in-llm';

/** Who answered a ticket: the handler (primary model) or one of the agent's output alternatives. */
export const AnsweredBy = {
  handler: 'handler',
  backupModel: 'backup-model',
  keywordRules: 'keyword-rules',
} as const;

const CATEGORIES: readonly TicketCategory[] = ['BILLING', 'TECHNICAL', 'ACCOUNT', 'OTHER'];
const PRIORITIES: readonly TicketPriority[] = ['LOW', 'NORMAL', 'URGENT'];

export type Classification = { ok: true; category: TicketCategory; priority: TicketPriority } | { ok: false; problem: string };

/** A model's refusal, recognised by its wording. */
export function isRefusal(text: string): boolean {
  return /\b(i'm sorry|i cannot|i can't|unable to help)\b/i.test(text) || text.trim() === REFUSAL_TEXT;
}

/** The classifying model's answer read as JSON `{category, priority}`; why not, when it cannot be. */
export function readClassification(text: string): Classification {
  if (isRefusal(text)) return { ok: false, problem: 'the model refused to classify the ticket' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { ok: false, problem: `the model's answer is not JSON (${(error as Error).message})` };
  }
  const { category, priority } = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
  if (!CATEGORIES.includes(category as TicketCategory)) return { ok: false, problem: `the model's category ${JSON.stringify(category)} is not one of ${CATEGORIES.join(', ')}` };
  if (!PRIORITIES.includes(priority as TicketPriority)) return { ok: false, problem: `the model's priority ${JSON.stringify(priority)} is not one of ${PRIORITIES.join(', ')}` };
  return { ok: true, category: category as TicketCategory, priority: priority as TicketPriority };
}

/** Why a triaged ticket may not be sent on (the agent's `validate`), or undefined when it may. */
export function triageProblem(triaged: TicketTriaged): string | undefined {
  if (triaged.category === null || triaged.priority === null) {
    const read = readClassification(triaged.modelAnswer);
    return read.ok ? 'no category or priority' : read.problem;
  }
  if (triaged.reply.trim() === '') return 'the drafted reply is empty';
  if (isRefusal(triaged.reply)) return 'the drafted reply is a refusal';
  return undefined;
}

/** The prompts of the three tasks: the ticket's text in each. */
export function ticketText(ticket: SupportTicket): string {
  return `Subject: ${ticket.subject}\nFrom: ${ticket.customer}\n\n${ticket.body}`;
}

export const Prompts = {
  classify: (ticket: SupportTicket) => `Classify this support ticket. Answer with JSON {"category": BILLING|TECHNICAL|ACCOUNT|OTHER, "priority": LOW|NORMAL|URGENT}.\n\n${ticketText(ticket)}`,
  summarize: (ticket: SupportTicket) => `${ticketText(ticket)}\n\nSummarize the ticket above in one sentence.`,
  draftReply: (ticket: SupportTicket, category: TicketCategory) => `Draft a short, friendly reply to this ${category} ticket.\n\n${ticketText(ticket)}`,
};

/** The deterministic path, last of the agent's alternatives: keyword rules and a template reply; no model, no tokens. */
export function keywordTriage(ticket: SupportTicket): TicketTriaged {
  const { category, priority } = categoryByWords(`${ticket.subject}\n${ticket.body}`);
  return {
    ticketId: ticket.ticketId,
    customer: ticket.customer,
    category,
    priority,
    summary: ticket.subject,
    reply: `Hello, thank you for your message about "${ticket.subject}". A member of our team will answer it shortly. Kind regards, Support`,
    answeredBy: AnsweredBy.keywordRules,
    modelAnswer: '',
    tokens: 0,
  };
}
