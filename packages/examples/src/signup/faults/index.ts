// The signup saga under faults: the harness (runSagaFaults) and its pure parts.
export { runSagaFaults, type SagaFaultsOptions } from './run';
export { renderVerdict, verdictLine, describeProblem, type SagaFaultsVerdict } from './report';
export { judgeSagas, judgementOk, summarizeProblems, GUARANTEES, type Guarantee, type SagaJudgement, type SagaProblem, type SagaCounts } from './verdict';
export { faultSchedule, describePlannedFault, type FaultSchedule, type PlannedFault } from './schedule';
export { recoveryBoundMs, stepRetryBudgetMs, longestDeadlineMs } from './recovery-bound';
export { injectFaults, type FaultEvent, type FaultTargets, type InjectionResult } from './inject';
