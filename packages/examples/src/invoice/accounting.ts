import { defineAgent, Header, type Agent } from '@agentmesh/runtime';
import type { InvoiceMatched, InvoicePosted } from '@agentmesh/schema-registry';
import { InvoiceTopics, ledgerEntryId } from './documents';
import { injectFailure } from './failure-injection';
import { resolveOptions, type InvoiceAgentOptions } from './options';

export const ACCOUNTING_AGENT = 'accounting';

/**
 * Posts a matched invoice to the ledger. When the match came from
 * po-matching's fallback (header `mesh-degraded` on the incoming event), the
 * posting says so, so the books show which entries still need a clerk.
 */
export function createAccountingAgent(options: InvoiceAgentOptions = {}): Agent<InvoiceMatched, InvoicePosted> {
  const { failures, retry, timeoutMs } = resolveOptions(ACCOUNTING_AGENT, options);
  return defineAgent<InvoiceMatched, InvoicePosted>({
    name: ACCOUNTING_AGENT,
    consumes: [InvoiceTopics.matched],
    produces: [InvoiceTopics.posted],
    critical: true,
    retry,
    timeoutMs,
    async handle(event, ctx) {
      await injectFailure(failures, { agent: ACCOUNTING_AGENT, timeoutMs, ctx });
      const { invoiceId } = event.value;
      const degraded = event.headers[Header.degraded] === 'true';
      return [{ topic: InvoiceTopics.posted, key: invoiceId, value: { invoiceId, ledgerEntryId: ledgerEntryId(invoiceId), postedAt: Date.now(), degraded } }];
    },
  });
}

export default createAccountingAgent();
