// The demo and the pipeline's pure parts. The agents themselves are loaded by path
// (`mesh run .../dist/invoice/ocr.js`), so importing this module never reads MESH_FAIL_*.
export { runDemo, demoAgentEnv, DEMO_FAILURE_RATES, type DemoOptions } from './demo/run-demo';
export { buildReport, renderReport, type AgentFailureRates, type DeadLetterCount, type DemoReport } from './demo/report';
export { OutcomeLedger, type DeadLetterObservation, type InvoiceFate, type LedgerSnapshot, type PostedObservation, type RetryObservation } from './demo/ledger';
export { startLocalStack, createInvoiceTopics, type LocalStack, type LocalStackOptions } from './demo/stack';
export { demoInvoices, publishInvoices, receivedEventId } from './demo/publish';
export { followOutcomes, type FollowOptions, type OutcomeFollower } from './demo/follow';
export { INVOICE_PIPELINE, type PipelineStage } from './invoice/pipeline';
export { InvoiceTopics, INVOICE_TOPICS, SUGGESTED_CANDIDATES_HEADER } from './invoice/documents';
export { INVOICE_RETRY_POLICY, INVOICE_TIMEOUT_MS, type InvoiceAgentOptions } from './invoice/options';
export {
  decideFault,
  failureConfigFromEnv,
  successRateWithoutRetries,
  agentFailureVariable,
  FailureConfigError,
  FailureEnv,
  NO_FAILURES,
  type FailureInjectionConfig,
  type FailureRates,
  type InjectedFault,
} from './invoice/failure-injection';
