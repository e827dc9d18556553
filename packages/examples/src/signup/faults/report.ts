import type { FaultEvent } from './inject';
import { GUARANTEES, summarizeProblems, type SagaJudgement, type SagaProblem } from './verdict';

/** What a fault-injection run found: the sagas' judgement, and the faults as planned and as they happened. */
export interface SagaFaultsVerdict extends SagaJudgement {
  seed: number;
  /** Part of every account id and key prefix of the run. */
  runId: string;
  signups: number;
  /** Every saga completed or compensated, and no problem. */
  ok: boolean;
  plannedFaults: string[];
  events: FaultEvent[];
  /** What did not go as planned while injecting (explains a verdict; not a problem by itself). */
  notes: string[];
  /** ms after publishing began. */
  publishMs: number;
  faultsEndedMs: number;
  recoveryBoundMs: number;
  /** The whole run, start-up and shutdown included. */
  durationMs: number;
  /** Where the logs are, when the run kept them (a failure, or asked to). */
  workDir: string | undefined;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** `a 3, b 1` by count, most first; `none` when empty. */
function tally(counts: Readonly<Record<string, number>>): string {
  const entries = Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return entries.length === 0 ? 'none' : entries.map(([what, n]) => `${what} ${n}`).join(', ');
}

/** One line per run: the seed, pass or fail, the outcome counts, the recovery time and the run's duration. */
export function verdictLine(v: SagaFaultsVerdict): string {
  const c = v.counts;
  const outcome = `${c.sagas} sagas: completed ${c.completed}, compensated ${c.compensated}, stuck ${c.stuck}, not terminal ${c.notTerminal}, missing ${c.missing}`;
  const unended = c.notTerminal + c.missing;
  const recovery = unended > 0 ? `${unended} saga(s) never ended` : `last saga ended ${seconds(v.recoveryMs)} after the faults (bound ${seconds(v.recoveryBoundMs)})`;
  const problems = v.ok ? '' : `; problems: ${summarizeProblems(v.problems)}`;
  return `seed ${v.seed}: ${v.ok ? 'PASS' : 'FAIL'}  ${outcome}; ${recovery}; ${seconds(v.durationMs)}${problems}`;
}

export function describeProblem(p: SagaProblem): string {
  return `[${p.guarantee}] ${p.sagaId} (${p.status}): ${p.message}; effects: ${p.effects.length === 0 ? '(none)' : p.effects.join(' -> ')}`;
}

export interface RenderVerdictOptions {
  /** Problems listed per guarantee broken; the rest are counted. Default 10. */
  maxProblems?: number;
}

/** The run's story: the verdict line, the faults as they happened, the notes, and the problems. */
export function renderVerdict(v: SagaFaultsVerdict, options: RenderVerdictOptions = {}): string {
  const maxProblems = options.maxProblems ?? 10;
  const lines = [verdictLine(v)];
  lines.push(`  run ${v.runId}: ${v.signups} signups published over ${seconds(v.publishMs)}; faults over at +${seconds(v.faultsEndedMs)}`);
  lines.push('  faults planned:');
  for (const planned of v.plannedFaults) lines.push(`    ${planned}`);
  lines.push('  faults as they happened:');
  for (const e of v.events) lines.push(`    +${(e.atMs / 1000).toFixed(2)} s  ${e.what}`);
  if (v.notes.length > 0) {
    lines.push('  notes:');
    for (const note of v.notes) lines.push(`    ${note}`);
  }
  lines.push(`  compensated by: ${tally(v.compensatedBy)}`);
  lines.push(`  ledger repeats (refused, not a breach): ${v.ledgerRepeats}; replies ignored by the coordinators: ${tally(v.ignoredReplies)}`);
  if (v.lastToEnd) lines.push(`  last saga to end: ${v.lastToEnd.sagaId}, ${seconds(v.recoveryMs)} after the faults`);
  const unfinished = Object.entries(v.unfinishedByPartition);
  if (unfinished.length > 0) lines.push(`  not terminal by home partition (saga.replies): ${unfinished.map(([p, n]) => `${p}: ${n}`).join(', ')}`);
  if (v.problems.length > 0) {
    lines.push(`  problems (${summarizeProblems(v.problems)}):`);
    for (const guarantee of GUARANTEES) {
      const broken = v.problems.filter((p) => p.guarantee === guarantee);
      for (const p of broken.slice(0, maxProblems)) lines.push(`    ${describeProblem(p)}`);
      if (broken.length > maxProblems) lines.push(`    ... and ${broken.length - maxProblems} more [${guarantee}]`);
    }
  }
  if (v.workDir) lines.push(`  logs and data kept in ${v.workDir}`);
  return `${lines.join('\n')}\n`;
}
