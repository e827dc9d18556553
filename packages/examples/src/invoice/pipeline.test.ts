import { Header, PermanentError, type AgentContext, type AgentEvent, type Agent } from '@agentmesh/runtime';
import type { InvoiceExtracted, InvoiceMatched, InvoiceValidated } from '@agentmesh/schema-registry';
import pino from 'pino';
import { trace, INVALID_SPAN_CONTEXT } from '@opentelemetry/api';
import { createAccountingAgent } from './accounting';
import { extractInvoice, InvoiceTopics, SUGGESTED_CANDIDATES_HEADER, validationProblems } from './documents';
import { NO_FAILURES } from './failure-injection';
import { createOcrAgent } from './ocr';
import { INVOICE_PIPELINE } from './pipeline';
import { createPoMatchingAgent } from './po-matching';
import { createValidationAgent } from './validation';

const quiet = { failures: { seed: 't', rates: NO_FAILURES } };
const agents: Agent[] = [createOcrAgent(quiet), createValidationAgent(quiet), createPoMatchingAgent(quiet), createAccountingAgent(quiet)] as Agent[];

function eventOf<V>(topic: string, value: V, headers: Record<string, string> = {}): AgentEvent<V> {
  return { topic, partition: 0, offset: '0', key: 'k', value, headers, eventId: 'e1', correlationId: 'e1', attempt: 1, timestamp: 0 };
}

function ctx(agent: string): AgentContext {
  return {
    agent,
    eventId: 'e1',
    attempt: 1,
    signal: new AbortController().signal,
    logger: pino({ level: 'silent' }),
    span: trace.wrapSpanContext(INVALID_SPAN_CONTEXT),
    breaker: () => ({ execute: (call) => call(new AbortController().signal) }),
    step: async (_name, fn) => fn(new AbortController().signal),
    checkpoint: { load: async () => undefined, save: async () => undefined },
    state: undefined as never,
    encode: async (_topic, value) => Buffer.from(JSON.stringify(value)),
  };
}

describe('the invoice pipeline', () => {
  it('agrees with the agents it describes (names, topics, criticality, retry tiers)', () => {
    expect(INVOICE_PIPELINE.map((s) => ({ agent: s.agent, consumes: [s.consumes], produces: [s.produces], critical: s.critical, tiers: s.retryTiers }))).toEqual(
      agents.map((a) => ({ agent: a.name, consumes: [...a.consumes], produces: [...a.produces], critical: a.critical, tiers: a.retry.delaysMs.length })),
    );
    expect(agents.map((a) => a.name)).toEqual(['ocr', 'validation', 'po-matching', 'accounting']);
    for (const a of agents) expect(a.retry.maxAttempts).toBe(4);
  });

  it('extracts the same valid invoice from the same id, every time', () => {
    for (let i = 0; i < 200; i++) {
      const invoice = extractInvoice(`inv-${i}`);
      expect(extractInvoice(`inv-${i}`)).toEqual(invoice);
      expect(validationProblems(invoice)).toEqual([]);
    }
  });

  it('dead-letters an invoice that breaks the rules (validation is critical)', async () => {
    const broken: InvoiceExtracted = { ...extractInvoice('inv-1'), totalMinor: 1 };
    const validation = createValidationAgent(quiet);
    await expect(Promise.resolve(validation.handle(eventOf(InvoiceTopics.extracted, broken), ctx('validation')))).rejects.toBeInstanceOf(PermanentError);
  });

  it('po-matching falls back to UNMATCHED with suggested candidates', async () => {
    const matching = createPoMatchingAgent(quiet);
    const validated: InvoiceValidated = { invoiceId: 'inv-1', valid: true, problems: [], validatedAt: 1 };
    const outputs = await matching.fallback!(eventOf(InvoiceTopics.validated, validated), { kind: 'transient', reason: 'exhausted', error: new Error('erp down') });
    expect(outputs).toHaveLength(1);
    expect(outputs[0]!.value).toMatchObject({ invoiceId: 'inv-1', match: 'UNMATCHED', purchaseOrderNumber: null });
    expect(JSON.parse(outputs[0]!.headers![SUGGESTED_CANDIDATES_HEADER]!)).toHaveLength(3);
  });

  it('accounting marks a posting degraded when the match came from a fallback', async () => {
    const accounting = createAccountingAgent(quiet);
    const matched: InvoiceMatched = { invoiceId: 'inv-1', purchaseOrderNumber: null, match: 'UNMATCHED', varianceMinor: 0, matchedAt: 1 };
    const post = async (headers: Record<string, string>) => ((await accounting.handle(eventOf(InvoiceTopics.matched, matched, headers), ctx('accounting'))) ?? [])[0]!.value;
    expect(await post({ [Header.degraded]: 'true' })).toMatchObject({ invoiceId: 'inv-1', degraded: true });
    expect(await post({})).toMatchObject({ invoiceId: 'inv-1', degraded: false });
  });
});
