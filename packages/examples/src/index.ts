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

// The account signup saga. Its participants (signup/users, subscriptions, emails) are loaded by path
// (`mesh run .../dist/signup/emails.js`) like the invoice agents, so importing this module never reads MESH_SIGNUP_*.
export { accountSignupSaga, sagaIdOfSignup, signupSagaData, ACCOUNT_SIGNUP_SAGA, SignupSteps, SignupTopics, SIGNUP_TOPICS } from './signup/saga';
export { signupSagaId, subscriptionIdFor, userIdFor, welcomeMessageIdFor } from './signup/ids';
export {
  DEFAULT_LEDGER_PREFIX,
  emptyEffects,
  LedgerEnv,
  MemorySignupLedger,
  RedisSignupLedger,
  SIGNUP_EFFECTS,
  signupLedgerFromEnv,
  type RedisSignupLedgerOptions,
  type SagaEffects,
  type SignupEffect,
  type SignupLedger,
} from './signup/ledger';
export { decideEmailFault, emailFaultsFromEnv, EmailFaultEnv, FAULT_SUFFIXES, NO_EMAIL_FAULTS, type EmailFault, type EmailFaultConfig } from './signup/email-faults';
export { SignupParticipants, SIGNUP_PARTICIPANT_TIMEOUT_MS, type SignupParticipantOptions } from './signup/options';
export { checkSagaEffects, emailMayHaveBeenSent, failureOfFailedStep } from './signup/effects-check';
export { formatSagaState, describeEntry, type FormatSagaOptions } from './signup/timeline';
export { buildSignupReport, renderSignupReport, signupReportOk, type SignupReport, type SignupReportInput } from './signup/report';
export { demoSignups, publishSignups, signupEventId, type DemoSignupsOptions, type PublishSignupsOptions } from './signup/publish';
export { runSignupDemo, signupParticipantEnv, pickCompensatedSaga, DEMO_EMAIL_FAULT_RATES, type SignupDemoOptions, type SignupDemoResult } from './signup/demo';

// The signup saga under faults (kill -9 of coordinators, participants and Redis): `npm run chaos:sagas`, test/examples/saga-faults.test.ts.
export {
  runSagaFaults,
  renderVerdict,
  verdictLine,
  describeProblem,
  judgeSagas,
  faultSchedule,
  recoveryBoundMs,
  type SagaFaultsOptions,
  type SagaFaultsVerdict,
  type SagaProblem,
  type Guarantee,
} from './signup/faults';

// Support triage on a stand-in LLM: journaled steps, validated outputs with fallbacks, a human approval in a saga
// (`npm run demo:triage`, test/examples/triage.test.ts). Its agents (triage/triage-agent, support-desk) are loaded by path.
export { runTriageDemo, type TriageDemoOptions, type TriageDemoResult } from './triage/demo';
export { createTicketReplySaga, ticketReplySagaId, ticketReplySagaData, TicketReplySteps, TICKET_REPLY_SAGA, DEFAULT_APPROVAL_TIMEOUT_MS } from './triage/saga';
export { TriageTopics, TRIAGE_TOPICS, TRIAGE_AGENT, SUPPORT_DESK, TriageSteps, TriageEnv, triageSettingsFromEnv, type TriageSettings } from './triage/options';
export { StandInLlm, standInAnswer, seededDraw, tokensOf, STAND_IN_MODELS, type StandInModel, type LlmCall, type LlmTask, type TokenMeter } from './triage/stand-in-llm';
export { AnsweredBy, readClassification, triageProblem, keywordTriage } from './triage/answers';
export { TriageLedger, type TriageLedgerContents, type ReplayedStep } from './triage/ledger';
export { demoTickets, publishTickets } from './triage/tickets';
export { tokenAccount, uniqueSpend, withoutJournal, renderTriageReport, triageReportProblems, type TokenAccount, type TriageReport, type ApprovalOutcome } from './triage/report';
