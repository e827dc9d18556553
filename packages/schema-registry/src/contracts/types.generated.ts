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

/** The account signup saga's data: the request, and what each step added. The contract of every command and compensation topic of the saga. */
export interface AccountSignupSaga {
  accountId: string;
  email: string;
  displayName: string;
  plan: Plan;
  /** Added by create-user. */
  userId: null | string;
  /** Added by create-subscription. */
  subscriptionId: null | string;
  /** Added by send-welcome-email. */
  welcomeMessageId: null | string;
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
  /** Identity of the idempotency store the process dedupes with (a random id kept in that store), so mesh dlq replay can check it uses the same store; null when not known. */
  idempotencyStore: null | string;
  /** What sends it: agent or coordinator; null from senders before the field (read as agent). */
  kind: null | string;
  /** The consumer group the process consumes as; null when not known (an agent's group is its name). */
  group: null | string;
  /** The partitions the process owns now, with their lag. */
  partitions: OwnedPartition[];
  /** Handler calls running now; null when not known. */
  inFlight: null | number;
  /** Each circuit breaker's state: closed, open or half-open. */
  breakers: Record<string, string>;
  /** Median handler duration over the interval since the last heartbeat; null when no handler ran. */
  latencyP50Ms: null | number;
  /** 99th percentile handler duration over the interval since the last heartbeat; null when no handler ran. */
  latencyP99Ms: null | number;
  /** active or standby for an active-passive agent; null otherwise. */
  role: null | string;
  /** The fencing token an active-passive agent holds; null otherwise. */
  fencingToken: null | number;
}

export type AgentStatus = 'STARTING' | 'READY' | 'DEGRADED' | 'STOPPING';

export type ChaosFault = 'DELAY' | 'FAIL' | 'STOP' | 'CRASH' | 'REGISTRY_OUTAGE' | 'REDIS_OUTAGE' | 'CLEAR' | 'PING';

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

/** Published on mesh.alerts when an alert of the mesh starts firing and when it resolves, so agents and operators can react. */
export interface MeshAlert {
  /** The rule's name, as in ALERT_RULES and the Prometheus rules. */
  alert: string;
  state: MeshAlertState;
  /** warning or critical. */
  severity: string;
  /** What it is about: an agent, a coordinator group or a saga type. */
  subject: string;
  /** One line saying what is wrong. */
  summary: string;
  /** The figure that crossed the threshold, when there is one. */
  value: null | number;
  threshold: null | number;
  /** Epoch ms of the transition. */
  at: number;
  /** Epoch ms the alert began firing. */
  since: number;
  /** The process that evaluated it (host-pid). */
  evaluator: null | string;
}

export type MeshAlertState = 'FIRING' | 'RESOLVED';

/** A chaos command to agent processes, or a process's answer to one, on mesh.control keyed by command id. A process obeys a command only when chaos is enabled for it (mesh run --chaos); otherwise it refuses and logs it. */
export interface MeshControl {
  /** COMMAND from an operator; ACCEPTED, REFUSED and ENDED from an agent process. */
  kind: MeshControlKind;
  /** Unique per command; answers carry the command's. */
  commandId: string;
  /** The agent the command is for (its name); answers: the answering agent. */
  agent: string;
  /** Commands: one process of the agent only, or null for all of them. Answers: the answering process. */
  instanceId: null | string;
  /** DELAY or FAIL calls (target), STOP consuming, CRASH the process (SIGKILL), a simulated REGISTRY_OUTAGE or REDIS_OUTAGE as the process sees it, CLEAR every fault, or PING: only answer (who is there). */
  fault: ChaosFault;
  /** DELAY and FAIL: a breaker name (calls through ctx.breaker), '*' for every breaker, or 'handler' for the whole handler. */
  target: null | string;
  /** How long the fault lasts from when the process accepts it. */
  durationMs: number;
  /** DELAY: how long each call waits first (the handler's deadline still applies). */
  delayMs: number;
  sentAt: number;
  /** REFUSED: why. */
  reason: null | string;
  /** ENDED: what the fault did in the process (calls delayed or failed, breakers opened, ms paused). */
  counters: Record<string, number>;
}

export type MeshControlKind = 'COMMAND' | 'ACCEPTED' | 'REFUSED' | 'ENDED';

export interface OwnedPartition {
  topic: string;
  partition: number;
  /** Records behind, as last read from the cluster. */
  lag: number;
}

export type Plan = 'FREE' | 'TEAM' | 'ENTERPRISE';

export type SagaCommandKind = 'EXECUTE' | 'COMPENSATE';

export type SagaErrorKind = 'TRANSIENT' | 'PERMANENT' | 'TIMEOUT';

/** One step of a saga's story, on saga.events keyed by saga id: the audit log. The last record of each transition carries the saga's whole state after it, so the last record of a saga is enough to rebuild it. */
export interface SagaEvent {
  sagaId: string;
  sagaType: string;
  type: SagaEventType;
  /** The saga's status after the transition: running, waiting, compensating, completed, compensated, compensation_failed or forward_failed. */
  status: string;
  step: null | string;
  /** execute or compensate, when the event is about a command. */
  kind: null | string;
  attempt: null | number;
  detail: null | string;
  /** The state's version after the transition. */
  version: number;
  traceId: null | string;
  /** The saga's state after the transition, as JSON, on the last record of the transition; empty on the others. */
  stateJson: string;
  occurredAt: number;
}

/** OTHER: what a reader reads a symbol added after its schema as; the coordinator never writes it. */
export type SagaEventType = 'STARTED' | 'STEP_STARTED' | 'STEP_SUCCEEDED' | 'STEP_FAILED' | 'STEP_TIMED_OUT' | 'STEP_RETRY_SCHEDULED' | 'COMPENSATING' | 'COMPENSATION_STARTED' | 'STEP_COMPENSATED' | 'COMPENSATION_FAILED' | 'COMPENSATION_RETRY_SCHEDULED' | 'COMPLETED' | 'COMPENSATED' | 'STUCK' | 'RESUMED' | 'REPLY_IGNORED' | 'WAITING' | 'SIGNAL_APPLIED' | 'SIGNAL_IGNORED' | 'WAIT_TIMED_OUT' | 'OTHER';

/** A participant's answer to a saga command (execute or compensate), on saga.replies, keyed by saga id. */
export interface SagaReply {
  sagaId: string;
  sagaType: string;
  step: string;
  kind: SagaCommandKind;
  /** The command's attempt this answers; replies to attempts given up on are recorded and ignored. */
  attempt: number;
  outcome: SagaStepOutcome;
  /** The saga's data after the step, encoded with the command topic's contract (Confluent wire format); null: unchanged. */
  data: null | Buffer;
  errorKind: null | SagaErrorKind;
  error: null | string;
  repliedAt: number;
}

/** An approval or a rejection of a saga's wait step, on saga.signals keyed by saga id (mesh saga signal, signalSaga). Its mesh-event-id names it: the same signal twice is applied once. */
export interface SagaSignal {
  sagaId: string;
  /** The wait step signalled; a saga not waiting on it records the signal and ignores it. */
  step: string;
  decision: SagaSignalDecision;
  /** A JSON object merged into the saga's data when the signal is applied. */
  value: null | string;
  reason: null | string;
  signalledAt: number;
}

export type SagaSignalDecision = 'APPROVE' | 'REJECT';

export type SagaStepOutcome = 'SUCCEEDED' | 'FAILED';

/** A saga that waits for an operator (mesh saga resume), on saga.stuck keyed by saga id: alert on this topic. */
export interface SagaStuck {
  sagaId: string;
  sagaType: string;
  status: SagaStuckStatus;
  step: string;
  reason: string;
  traceId: null | string;
  startedAt: number;
  stuckAt: number;
}

export type SagaStuckStatus = 'COMPENSATION_FAILED' | 'FORWARD_FAILED';

/** A customer's support request; the triage agent reads it. */
export interface SupportTicket {
  ticketId: string;
  customer: string;
  subject: string;
  body: string;
  submittedAt: number;
}

export type TicketCategory = 'BILLING' | 'TECHNICAL' | 'ACCOUNT' | 'OTHER';

export type TicketPriority = 'LOW' | 'NORMAL' | 'URGENT';

/** The ticket reply saga's data: the drafted reply, who approved it, and the sent message. The contract of its command topic. */
export interface TicketReplySaga {
  ticketId: string;
  customer: string;
  category: string;
  priority: string;
  reply: string;
  answeredBy: string;
  /** Added by the approval signal's value. */
  approvedBy: null | string;
  /** Added by send-reply. */
  replyMessageId: null | string;
}

/** A ticket as the triage agent answered it: its category and priority, a drafted reply, and who answered (a model or the keyword rules). Triggers the ticket reply saga. */
export interface TicketTriaged {
  ticketId: string;
  customer: string;
  /** Null when the model's answer could not be read (the agent's validation refuses such an answer). */
  category: null | TicketCategory;
  priority: null | TicketPriority;
  summary: string;
  /** The reply drafted for the customer; sent only once a person approves it. */
  reply: string;
  /** handler (the primary model), backup-model, or keyword-rules. */
  answeredBy: string;
  /** The classifying model's answer as it came, for the audit trail. */
  modelAnswer: string;
  /** Model tokens this answer cost. */
  tokens: number;
}

/** Value type of each topic with a registered contract (subject `<topic>-value`). */
export interface ContractsByTopic {
  'mesh.heartbeats': AgentHeartbeat;
  'mesh.control': MeshControl;
  'mesh.alerts': MeshAlert;
  'saga.replies': SagaReply;
  'saga.events': SagaEvent;
  'saga.stuck': SagaStuck;
  'saga.signals': SagaSignal;
  'invoices.received': InvoiceReceived;
  'invoices.extracted': InvoiceExtracted;
  'invoices.validated': InvoiceValidated;
  'invoices.matched': InvoiceMatched;
  'invoices.posted': InvoicePosted;
  'accounts.signups': AccountSignup;
  'users.create': AccountSignupSaga;
  'users.delete': AccountSignupSaga;
  'subscriptions.create': AccountSignupSaga;
  'subscriptions.cancel': AccountSignupSaga;
  'emails.welcome.send': AccountSignupSaga;
  'support.tickets': SupportTicket;
  'support.triaged': TicketTriaged;
  'support.replies.send': TicketReplySaga;
}
