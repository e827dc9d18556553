import { defineAgent, type Agent } from '@agentmesh/runtime';
import type { InvoiceExtracted, InvoiceReceived } from '@agentmesh/schema-registry';
import { extractInvoice, InvoiceTopics } from './documents';
import { injectFailure } from './failure-injection';
import { resolveOptions, type InvoiceAgentOptions } from './options';

export const OCR_AGENT = 'ocr';

/** Reads the fields of a received invoice document (the OCR engine is faked from the invoice id). */
export function createOcrAgent(options: InvoiceAgentOptions = {}): Agent<InvoiceReceived, InvoiceExtracted> {
  const { failures, retry, timeoutMs } = resolveOptions(OCR_AGENT, options);
  return defineAgent<InvoiceReceived, InvoiceExtracted>({
    name: OCR_AGENT,
    consumes: [InvoiceTopics.received],
    produces: [InvoiceTopics.extracted],
    retry,
    timeoutMs,
    async handle(event, ctx) {
      await injectFailure(failures, { agent: OCR_AGENT, timeoutMs, ctx });
      const extracted = extractInvoice(event.value.invoiceId);
      return [{ topic: InvoiceTopics.extracted, key: extracted.invoiceId, value: extracted }];
    },
  });
}

export default createOcrAgent();
