import type { ReplayedStep } from './ledger';
import type { LlmCall } from './stand-in-llm';

/** The tokens one run of the tickets cost, read from the ledger. */
export interface TokenAccount {
  tickets: number;
  calls: number;
  /** Every call's tokens: what the provider bills. */
  spent: number;
  /** Tokens of calls made again for a (ticket, step) already called: a call in flight when its process died. */
  paidTwice: number;
  /** Steps a handler got back from the journal instead of calling the model again, and their tokens. */
  replayedSteps: number;
  replayedTokens: number;
}

/** The tokens of the calls and replays of these tickets. */
export function tokenAccount(calls: readonly LlmCall[], replayed: readonly ReplayedStep[], ticketIds: readonly string[]): TokenAccount {
  const wanted = new Set(ticketIds);
  const seen = new Set<string>();
  const account: TokenAccount = { tickets: ticketIds.length, calls: 0, spent: 0, paidTwice: 0, replayedSteps: 0, replayedTokens: 0 };
  for (const call of calls) {
    if (!wanted.has(call.ticketId)) continue;
    account.calls++;
    account.spent += call.tokens;
    const step = `${call.ticketId}/${call.step}`;
    if (seen.has(step)) account.paidTwice += call.tokens;
    seen.add(step);
  }
  for (const step of replayed) {
    if (!wanted.has(step.ticketId)) continue;
    account.replayedSteps++;
    account.replayedTokens += step.tokens;
  }
  return account;
}

/** What a run would have cost had every step been asked again after the crash: no journal. */
export function withoutJournal(account: TokenAccount): number {
  return account.spent + account.replayedTokens;
}

/** The same tickets cost the same unique calls whatever crashed: the model is deterministic. */
export function uniqueSpend(account: TokenAccount): number {
  return account.spent - account.paidTwice;
}

export interface ApprovalOutcome {
  /** Sagas seen waiting at the approval step before anyone signalled. */
  waited: number;
  approved: number;
  /** The saga approved with `mesh saga signal` (the others from code, signalSaga). */
  approvedWithCli: string | undefined;
  rejected: number;
  completed: number;
  compensated: number;
  /** Replies the support desk sent (the ledger's count). */
  repliesSent: number;
  /** Sagas that ended neither completed nor compensated within the bound. */
  unsettled: number;
}

export interface TriageReport {
  tickets: number;
  seed: number;
  noCrash: TokenAccount;
  crash: TokenAccount & { killedDuring: { ticketId: string; step: string } | undefined };
  /** Who answered the tickets of the run without a crash: handler (primary model), backup-model, keyword-rules. */
  answeredBy: Record<string, number>;
  approvals: ApprovalOutcome;
}

const n = (value: number) => value.toLocaleString('en-US');

export function renderTriageReport(report: TriageReport): string {
  const { noCrash, crash, approvals } = report;
  const killed = crash.killedDuring ? `during step 3 (${crash.killedDuring.step}) of ticket ${crash.killedDuring.ticketId}` : 'never (no step 3 was seen in time)';
  const by = (name: string) => report.answeredBy[name] ?? 0;
  const lines = [
    '',
    `Support triage: ${report.tickets} tickets a run, stand-in model seed ${report.seed}`,
    '',
    'Journaled steps (tokens the stand-in model billed)',
    `  run without a crash                 ${n(noCrash.spent).padStart(8)} tokens in ${noCrash.calls} calls`,
    `  run with kill -9 of the agent       ${n(crash.spent).padStart(8)} tokens in ${crash.calls} calls (killed ${killed})`,
    `    paid twice (calls in flight)      ${n(crash.paidTwice).padStart(8)} tokens`,
    `    replayed from the journal         ${n(crash.replayedTokens).padStart(8)} tokens: ${crash.replayedSteps} steps not asked again`,
    `  the crashed run without a journal   ${n(withoutJournal(crash)).padStart(8)} tokens`,
    '',
    'Validated outputs (run without a crash)',
    `  answered by the primary model (handler)   ${by('handler')}`,
    `  answered by the backup model              ${by('backup-model')}`,
    `  answered by the keyword rules             ${by('keyword-rules')}`,
    '',
    'Human approval (ticket reply saga, wait step approve-reply)',
    `  waited for approval                 ${approvals.waited}`,
    `  approved                            ${approvals.approved}${approvals.approvedWithCli ? ` (${approvals.approvedWithCli} with \`mesh saga signal\`)` : ''}`,
    `  rejected                            ${approvals.rejected}`,
    `  completed, reply sent               ${approvals.completed} (the desk sent ${approvals.repliesSent})`,
    `  compensated, nothing sent           ${approvals.compensated}`,
    ...(approvals.unsettled > 0 ? [`  NOT SETTLED                         ${approvals.unsettled}`] : []),
    '',
  ];
  return lines.join('\n');
}

/**
 * What the demo promises: the crash cost only the calls in flight (the same unique calls as the run without one),
 * the journal replayed steps, and every approval was waited for and then acted on.
 */
export function triageReportProblems(report: TriageReport): string[] {
  const problems: string[] = [];
  if (uniqueSpend(report.crash) !== uniqueSpend(report.noCrash)) problems.push(`the runs made different calls: ${n(uniqueSpend(report.crash))} vs ${n(uniqueSpend(report.noCrash))} tokens once each`);
  if (report.crash.killedDuring === undefined) problems.push('the agent was not killed during step 3');
  else if (report.crash.replayedSteps === 0) problems.push('no step was replayed from the journal after the crash');
  const { approvals } = report;
  if (approvals.waited !== 2 * report.tickets) problems.push(`${approvals.waited} of ${2 * report.tickets} sagas were seen waiting for approval`);
  if (approvals.completed !== approvals.approved || approvals.repliesSent !== approvals.approved)
    problems.push(`${approvals.approved} approved, ${approvals.completed} completed, ${approvals.repliesSent} replies sent`);
  if (approvals.compensated !== approvals.rejected) problems.push(`${approvals.rejected} rejected but ${approvals.compensated} compensated`);
  if (approvals.unsettled > 0) problems.push(`${approvals.unsettled} sagas did not settle`);
  return problems;
}
