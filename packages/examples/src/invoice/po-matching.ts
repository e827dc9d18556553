import { defineAgent, type Agent, type AgentEvent, type OutputEvent } from '@agentmesh/runtime';
import type { InvoiceExtracted, InvoiceMatched, InvoiceValidated } from '@agentmesh/schema-registry';
import { extractInvoice, InvoiceTopics, matchPurchaseOrder, suggestedCandidates, SUGGESTED_CANDIDATES_HEADER } from './documents';
import { injectFailure } from './failure-injection';
import { resolveOptions, type InvoiceAgentOptions } from './options';

export const PO_MATCHING_AGENT = 'po-matching';

/**
 * The validated record carries the verdict only; the matcher reads the
 * invoice's fields from the document store (faked from the invoice id).
 */
function invoiceOf(event: AgentEvent<InvoiceValidated>): InvoiceExtracted {
  return extractInvoice(event.value.invoiceId);
}

/**
 * Matches an invoice to its purchase order in the ERP. Non-critical: when the
 * ERP keeps failing, or refuses, the invoice is not held up. The fallback
 * passes it on as UNMATCHED with suggested candidates (header
 * `invoice-po-candidates`) for a clerk, and the mesh marks it degraded.
 */
export function createPoMatchingAgent(options: InvoiceAgentOptions = {}): Agent<InvoiceValidated, InvoiceMatched> {
  const { failures, retry, timeoutMs } = resolveOptions(PO_MATCHING_AGENT, options);
  return defineAgent<InvoiceValidated, InvoiceMatched>({
    name: PO_MATCHING_AGENT,
    consumes: [InvoiceTopics.validated],
    produces: [InvoiceTopics.matched],
    critical: false,
    retry,
    timeoutMs,
    async handle(event, ctx) {
      // Validation dead-letters invalid invoices; one that arrives anyway must not reach the ledger.
      if (!event.value.valid) {
        ctx.logger.warn({ invoiceId: event.value.invoiceId }, 'invalid invoice on invoices.validated: not matched');
        return [];
      }
      await injectFailure(failures, { agent: PO_MATCHING_AGENT, timeoutMs, ctx });
      const found = matchPurchaseOrder(invoiceOf(event));
      return [{ topic: InvoiceTopics.matched, key: event.value.invoiceId, value: { invoiceId: event.value.invoiceId, ...found, matchedAt: Date.now() } }];
    },
    fallback(event): OutputEvent<InvoiceMatched>[] {
      if (!event.value.valid) return [];
      const invoice = invoiceOf(event);
      return [
        {
          topic: InvoiceTopics.matched,
          key: invoice.invoiceId,
          value: { invoiceId: invoice.invoiceId, purchaseOrderNumber: null, match: 'UNMATCHED', varianceMinor: 0, matchedAt: Date.now() },
          headers: { [SUGGESTED_CANDIDATES_HEADER]: JSON.stringify(suggestedCandidates(invoice)) },
        },
      ];
    },
  });
}

export default createPoMatchingAgent();
