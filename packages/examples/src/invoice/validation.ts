import { defineAgent, PermanentError, type Agent } from '@agentmesh/runtime';
import type { InvoiceExtracted, InvoiceValidated } from '@agentmesh/schema-registry';
import { InvoiceTopics, validationProblems } from './documents';
import { injectFailure } from './failure-injection';
import { resolveOptions, type InvoiceAgentOptions } from './options';

export const VALIDATION_AGENT = 'validation';

/**
 * Checks an extracted invoice against the ERP's rules. Critical: an invoice
 * that breaks them must not be posted, so it goes to the DLQ (PermanentError)
 * for a person to look at, with the problems in the failure story.
 */
export function createValidationAgent(options: InvoiceAgentOptions = {}): Agent<InvoiceExtracted, InvoiceValidated> {
  const { failures, retry, timeoutMs } = resolveOptions(VALIDATION_AGENT, options);
  return defineAgent<InvoiceExtracted, InvoiceValidated>({
    name: VALIDATION_AGENT,
    consumes: [InvoiceTopics.extracted],
    produces: [InvoiceTopics.validated],
    critical: true,
    retry,
    timeoutMs,
    async handle(event, ctx) {
      await injectFailure(failures, { agent: VALIDATION_AGENT, timeoutMs, ctx });
      const invoice = event.value;
      const problems = validationProblems(invoice);
      if (problems.length > 0) throw new PermanentError(`invoice ${invoice.invoiceId} is invalid: ${problems.join('; ')}`);
      return [{ topic: InvoiceTopics.validated, key: invoice.invoiceId, value: { invoiceId: invoice.invoiceId, valid: true, problems, validatedAt: Date.now() } }];
    },
  });
}

export default createValidationAgent();
