import { STUCK_STATUSES, type SagaState, type SagaStatus } from '@agentmesh/coordinator';
import type { EmailFaultConfig } from './email-faults';
import { checkSagaEffects, emailMayHaveBeenSent, failureOfFailedStep } from './effects-check';
import { emptyEffects, type SagaEffects } from './ledger';
import { SignupSteps } from './saga';

/** The signup demo's result: what its closing table shows. */
export interface SignupReport {
  published: number;
  /** Sagas the coordinator created. */
  started: number;
  completed: number;
  compensated: number;
  /** Compensated sagas by what turned them back. */
  compensatedBecause: { emailFailed: number; emailTimedOut: number; other: number };
  /** Waiting for an operator (compensation_failed, forward_failed). */
  stuck: number;
  stuckByStatus: Partial<Record<SagaStatus, number>>;
  /** Saga ids not finished (or never started) when the wait ended. */
  unfinished: string[];
  /** Email sends beyond each saga's first. */
  emailRetries: number;
  /** Requests for an effect already taken (a step retried after it timed out), refused by the id it carries. */
  repeatsRefused: number;
  /** Compensated sagas whose email may have gone out before the step timed out: it cannot be unsent. */
  emailsSentBeforeCompensation: number;
  ledger: {
    completedChecked: number;
    completedOk: number;
    compensatedChecked: number;
    compensatedOk: number;
    problems: Array<{ sagaId: string; problem: string }>;
  };
  /** Injected email faults: accounts marked by id, and the rates per attempt. */
  faults: { markedFail: number; markedHang: number; rates: EmailFaultConfig };
  elapsedMs: number;
}

export interface SignupReportInput {
  sagaIds: readonly string[];
  /** The store's state of each saga id (undefined: never started). */
  states: readonly (SagaState | undefined)[];
  effects: ReadonlyMap<string, SagaEffects>;
  faults: SignupReport['faults'];
  elapsedMs: number;
}

export function buildSignupReport(input: SignupReportInput): SignupReport {
  const report: SignupReport = {
    published: input.sagaIds.length,
    started: 0,
    completed: 0,
    compensated: 0,
    compensatedBecause: { emailFailed: 0, emailTimedOut: 0, other: 0 },
    stuck: 0,
    stuckByStatus: {},
    unfinished: [],
    emailRetries: 0,
    repeatsRefused: 0,
    emailsSentBeforeCompensation: 0,
    ledger: { completedChecked: 0, completedOk: 0, compensatedChecked: 0, compensatedOk: 0, problems: [] },
    faults: input.faults,
    elapsedMs: input.elapsedMs,
  };
  input.sagaIds.forEach((sagaId, i) => {
    const state = input.states[i];
    const effects = input.effects.get(sagaId) ?? emptyEffects();
    report.repeatsRefused += effects.repeats;
    if (!state) {
      report.unfinished.push(sagaId);
      return;
    }
    report.started++;
    const email = state.steps.find((s) => s.name === SignupSteps.sendWelcomeEmail);
    report.emailRetries += Math.max(0, (email?.attempts ?? 0) - 1);
    if (state.status === 'completed') report.completed++;
    else if (state.status === 'compensated') {
      report.compensated++;
      const how = state.steps[state.failedStep ?? -1]?.name === SignupSteps.sendWelcomeEmail ? failureOfFailedStep(state) : undefined;
      if (how === 'failed') report.compensatedBecause.emailFailed++;
      else if (how === 'timed_out') report.compensatedBecause.emailTimedOut++;
      else report.compensatedBecause.other++;
      if (emailMayHaveBeenSent(state) && effects.counts['email.sent'] > 0) report.emailsSentBeforeCompensation++;
    } else if (STUCK_STATUSES.includes(state.status)) {
      report.stuck++;
      report.stuckByStatus[state.status] = (report.stuckByStatus[state.status] ?? 0) + 1;
    } else report.unfinished.push(sagaId);
    if (state.status !== 'completed' && state.status !== 'compensated') return;
    const problems = checkSagaEffects(state, effects);
    const l = report.ledger;
    if (state.status === 'completed') {
      l.completedChecked++;
      if (problems.length === 0) l.completedOk++;
    } else {
      l.compensatedChecked++;
      if (problems.length === 0) l.compensatedOk++;
    }
    for (const problem of problems) report.ledger.problems.push({ sagaId, problem });
  });
  return report;
}

/** The ledger agrees with every finished saga, and every saga finished or is stuck (where an operator takes over). */
export function signupReportOk(report: SignupReport): boolean {
  return report.ledger.problems.length === 0 && report.unfinished.length === 0;
}

function percent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

function table(rows: ReadonlyArray<readonly [string, string]>): string[] {
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`);
}

export function renderSignupReport(report: SignupReport): string {
  const because = report.compensatedBecause;
  const reasons = [`email failed: ${because.emailFailed}`, `email timed out: ${because.emailTimedOut}`, ...(because.other > 0 ? [`other: ${because.other}`] : [])];
  const stuckDetail = Object.entries(report.stuckByStatus).map(([status, n]) => `${status}: ${n}`);
  const rows: Array<readonly [string, string]> = [
    ['signups published', String(report.published)],
    ['sagas started', String(report.started)],
    ['completed', String(report.completed)],
    ['compensated', `${report.compensated}  (${reasons.join(', ')})`],
    ['stuck', `${report.stuck}${stuckDetail.length > 0 ? `  (${stuckDetail.join(', ')})` : ''}`],
  ];
  if (report.unfinished.length > 0) rows.push(['not finished', String(report.unfinished.length)]);
  rows.push(['email sends retried', String(report.emailRetries)]);
  rows.push(['repeat requests refused', `${report.repeatsRefused}  (an effect asked for again under the same id)`]);
  if (report.emailsSentBeforeCompensation > 0) rows.push(['emails out before a timeout', `${report.emailsSentBeforeCompensation}  (compensated sagas whose email went out: it cannot be unsent)`]);

  const l = report.ledger;
  const verdict = (ok: number, checked: number) => `${ok} of ${checked} ${ok === checked ? 'ok' : 'NOT ok'}`;
  const ledgerRows: Array<readonly [string, string]> = [
    ['completed: user, subscription, email each once', verdict(l.completedOk, l.completedChecked)],
    ['compensated: made, then undone newest first', verdict(l.compensatedOk, l.compensatedChecked)],
  ];
  const rates = report.faults.rates;
  const lines = ['', `Account signup saga: ${report.published} signups in ${(report.elapsedMs / 1000).toFixed(1)} s`, ...table(rows), '', 'Effects ledger check', ...table(ledgerRows)];
  for (const p of l.problems.slice(0, 10)) lines.push(`    ${p.sagaId}: ${p.problem}`);
  if (l.problems.length > 10) lines.push(`    and ${l.problems.length - 10} more`);
  lines.push(
    '',
    `Injected email faults: ${report.faults.markedFail} account(s) marked -fail, ${report.faults.markedHang} marked -hang; others fail ${percent(rates.failRate)} and hang ${percent(rates.hangRate)} of sends`,
  );
  if (report.unfinished.length > 0) {
    const shown = report.unfinished.slice(0, 10);
    lines.push(`Not finished within the wait: ${shown.join(', ')}${report.unfinished.length > shown.length ? `, and ${report.unfinished.length - shown.length} more` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}
