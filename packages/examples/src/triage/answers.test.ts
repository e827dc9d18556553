import type { TicketTriaged } from '@agentmesh/schema-registry';
import { AnsweredBy, isRefusal, keywordTriage, readClassification, triageProblem } from './answers';
import { REFUSAL_TEXT } from './stand-in-llm';
import { demoTickets } from './tickets';

const triaged = (fields: Partial<TicketTriaged>): TicketTriaged => ({
  ticketId: 't-1',
  customer: 'c@example.com',
  category: 'BILLING',
  priority: 'NORMAL',
  summary: 's',
  reply: 'Hello, we will refund you.',
  answeredBy: AnsweredBy.handler,
  modelAnswer: '{"category":"BILLING","priority":"NORMAL"}',
  tokens: 10,
  ...fields,
});

describe('reading the model', () => {
  it('reads a classification, and says why it cannot', () => {
    expect(readClassification('{"category":"TECHNICAL","priority":"URGENT","confidence":0.9}')).toEqual({ ok: true, category: 'TECHNICAL', priority: 'URGENT' });
    expect(readClassification(REFUSAL_TEXT)).toEqual({ ok: false, problem: 'the model refused to classify the ticket' });
    expect(readClassification('{"category":"BILL')).toMatchObject({ ok: false, problem: expect.stringMatching(/^the model's answer is not JSON/) as unknown });
    expect(readClassification('{"category":"SALES","priority":"LOW"}')).toMatchObject({ ok: false, problem: expect.stringContaining('"SALES" is not one of') as unknown });
    expect(readClassification('{"category":"OTHER","priority":"HIGH"}')).toMatchObject({ ok: false, problem: expect.stringContaining('priority "HIGH"') as unknown });
    expect(isRefusal('Sure, here it is')).toBe(false);
  });

  it('validation refuses an unreadable answer (saying why), an empty reply and a refusal, and passes a good one', () => {
    expect(triageProblem(triaged({}))).toBeUndefined();
    expect(triageProblem(triaged({ category: null, priority: null, modelAnswer: '{"cat' }))).toMatch(/not JSON/);
    expect(triageProblem(triaged({ reply: ' ' }))).toBe('the drafted reply is empty');
    expect(triageProblem(triaged({ reply: REFUSAL_TEXT }))).toBe('the drafted reply is a refusal');
  });

  it('the keyword rules always answer, with no tokens, and pass validation', () => {
    for (const ticket of demoTickets('x', 12)) {
      const answer = keywordTriage(ticket);
      expect(triageProblem(answer)).toBeUndefined();
      expect(answer).toMatchObject({ answeredBy: 'keyword-rules', tokens: 0, ticketId: ticket.ticketId });
    }
  });

  it('the n-th ticket reads the same in every run', () => {
    const [a, b] = [demoTickets('run-a', 3, 'example.com', 1), demoTickets('run-b', 3, 'example.com', 1)];
    expect(a.map((t) => t.ticketId)).toEqual(['run-a-01', 'run-a-02', 'run-a-03']);
    expect(a.map(({ ticketId: _, ...rest }) => rest)).toEqual(b.map(({ ticketId: _, ...rest }) => rest));
  });
});
