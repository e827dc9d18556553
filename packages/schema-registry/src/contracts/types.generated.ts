// Generated from schemas/*.avsc by renderContractTypes() (src/contracts/typescript.ts). Do not edit by hand:
// UPDATE_CONTRACT_TYPES=1 npx jest packages/schema-registry/src/contracts rewrites it.
// Shapes are the decoded values (fields with defaults are always present after decoding).

/** A new account was requested; triggers the account signup saga. */
export interface AccountSignup {
  accountId: string;
  email: string;
  displayName: string;
  plan: Plan;
  referralCode: null | string;
  requestedAt: number;
}

/** Published periodically by every agent process on mesh.heartbeats. */
export interface AgentHeartbeat {
  /** Agent name (its consumer group id). */
  agent: string;
  /** Unique per process, stable for its lifetime. */
  instanceId: string;
  host: string;
  pid: number;
  status: AgentStatus;
  /** Epoch ms. */
  sentAt: number;
  assignedPartitions: number;
  consumerLag: number;
  openBreakers: string[];
  /** Agent build version, when known. */
  version: null | string;
  /** Topics the agent consumes (sources and its retry tiers). */
  topics: string[];
  /** Events by outcome since the process started. */
  counters: Record<string, number>;
}

export type AgentStatus = 'STARTING' | 'READY' | 'DEGRADED' | 'STOPPING';

/** Fields read from the invoice document. */
export interface InvoiceExtracted {
  invoiceId: string;
  supplierName: string;
  supplierVatId: null | string;
  invoiceNumber: string;
  purchaseOrderNumber: null | string;
  /** ISO 4217 code. */
  currency: string;
  /** Total in minor units (cents). */
  totalMinor: number;
  lines: InvoiceLine[];
  /** 0..1, from the extractor. */
  confidence: number;
}

export interface InvoiceLine {
  description: string;
  quantity: number;
  unitPriceMinor: number;
}

/** Result of matching an invoice to its purchase order and goods receipt. */
export interface InvoiceMatched {
  invoiceId: string;
  purchaseOrderNumber: null | string;
  match: MatchResult;
  varianceMinor: number;
  matchedAt: number;
}

/** The invoice was posted to the ledger. */
export interface InvoicePosted {
  invoiceId: string;
  ledgerEntryId: string;
  postedAt: number;
  /** True when posted by a fallback path. */
  degraded: boolean;
}

/** An invoice document arrived (mail, upload, EDI) and awaits extraction. */
export interface InvoiceReceived {
  invoiceId: string;
  source: InvoiceSource;
  documentUri: string;
  contentType: string;
  receivedAt: number;
  senderEmail: null | string;
}

export type InvoiceSource = 'EMAIL' | 'UPLOAD' | 'EDI';

/** Outcome of validating an extracted invoice against the ERP's rules. */
export interface InvoiceValidated {
  invoiceId: string;
  valid: boolean;
  problems: string[];
  validatedAt: number;
}

export type MatchResult = 'MATCHED' | 'PARTIAL' | 'UNMATCHED';

export type Plan = 'FREE' | 'TEAM' | 'ENTERPRISE';

/** Sent by the coordinator to a participant to run (or compensate) one saga step. */
export interface SagaCommand {
  sagaId: string;
  sagaType: string;
  step: string;
  kind: SagaCommandKind;
  attempt: number;
  /** Step input as JSON; the step's own contract defines it. */
  payloadJson: string;
  deadlineAt: null | number;
  issuedAt: number;
}

export type SagaCommandKind = 'EXECUTE' | 'COMPENSATE';

/** A saga's state change, on saga.events (started, step done, compensating, finished). */
export interface SagaEvent {
  sagaId: string;
  sagaType: string;
  type: SagaEventType;
  step: null | string;
  detail: null | string;
  occurredAt: number;
}

export type SagaEventType = 'STARTED' | 'STEP_SUCCEEDED' | 'STEP_FAILED' | 'COMPENSATING' | 'STEP_COMPENSATED' | 'COMPENSATION_FAILED' | 'COMPLETED' | 'COMPENSATED' | 'FAILED';

/** A participant's answer to a SagaCommand, on saga.replies. */
export interface SagaReply {
  sagaId: string;
  step: string;
  /** Same enum as in SagaCommand; each file stands alone. */
  kind: SagaCommandKind;
  outcome: SagaStepOutcome;
  resultJson: null | string;
  error: null | string;
  repliedAt: number;
}

export type SagaStepOutcome = 'SUCCEEDED' | 'FAILED';

/** Value type of each topic with a registered contract (subject `<topic>-value`). */
export interface ContractsByTopic {
  'mesh.heartbeats': AgentHeartbeat;
  'saga.commands': SagaCommand;
  'saga.replies': SagaReply;
  'saga.events': SagaEvent;
  'invoices.received': InvoiceReceived;
  'invoices.extracted': InvoiceExtracted;
  'invoices.validated': InvoiceValidated;
  'invoices.matched': InvoiceMatched;
  'invoices.posted': InvoicePosted;
  'accounts.signups': AccountSignup;
}
