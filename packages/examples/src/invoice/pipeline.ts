import { InvoiceTopics } from './documents';
import { INVOICE_RETRY_POLICY } from './options';

/** One stage of the invoice pipeline, as the demo needs to know it (without loading the agent's code). */
export interface PipelineStage {
  /** The agent's name: its consumer group and the prefix of its retry and DLQ topics. */
  agent: string;
  /** The agent module's file name in src/invoice (and dist/invoice), without extension. */
  moduleFile: string;
  consumes: string;
  produces: string;
  critical: boolean;
  /** How many `<agent>.retry.<n>` tiers it has. */
  retryTiers: number;
}

/** The four agents in flow order: invoices.received -> ... -> invoices.posted. */
export const INVOICE_PIPELINE: readonly PipelineStage[] = Object.freeze([
  { agent: 'ocr', moduleFile: 'ocr', consumes: InvoiceTopics.received, produces: InvoiceTopics.extracted, critical: true, retryTiers: INVOICE_RETRY_POLICY.delaysMs.length },
  { agent: 'validation', moduleFile: 'validation', consumes: InvoiceTopics.extracted, produces: InvoiceTopics.validated, critical: true, retryTiers: INVOICE_RETRY_POLICY.delaysMs.length },
  { agent: 'po-matching', moduleFile: 'po-matching', consumes: InvoiceTopics.validated, produces: InvoiceTopics.matched, critical: false, retryTiers: INVOICE_RETRY_POLICY.delaysMs.length },
  { agent: 'accounting', moduleFile: 'accounting', consumes: InvoiceTopics.matched, produces: InvoiceTopics.posted, critical: true, retryTiers: INVOICE_RETRY_POLICY.delaysMs.length },
]);
