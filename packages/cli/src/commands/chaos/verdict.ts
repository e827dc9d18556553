import type { Ledger } from './ledger';
import type { Scenario } from './scenarios';

/** What the run saw besides the ledger: the agents' answers and what their faults did. */
export interface Observations {
  /** Processes that accepted the command. */
  accepted: number;
  /** Processes that refused it, with why. */
  refused: ReadonlyArray<{ instanceId: string; reason: string }>;
  /** The ENDED answers' counters, added up over the processes. */
  counters: Readonly<Record<string, number>>;
  /** Undecodable records the run published. */
  corruptPublished: number;
  /** kill-replica: a process of the agent that was not there before the kill answered afterwards. */
  restarted?: boolean;
}

export interface Verdict {
  pass: boolean;
  reason: string;
}

const fail = (reason: string): Verdict => ({ pass: false, reason });

/** The scenario's verdict: the first broken expectation, else PASS with what held. */
export function judge(scenario: Scenario, ledger: Ledger, seen: Observations): Verdict {
  if (scenario.fault !== undefined && seen.accepted === 0) {
    const first = seen.refused[0];
    return fail(
      first
        ? `no agent accepted the chaos command: ${seen.refused.length} process(es) refused it (${first.reason})`
        : 'no agent accepted the chaos command: no process answered (is the agent running under mesh run?)',
    );
  }
  if (ledger.lost > 0) return fail(`${ledger.lost} of ${ledger.published} events lost`);
  if (ledger.duplicateEffects > 0 && !scenario.duplicatesExpected) return fail(`${ledger.duplicateEffects} duplicate effects`);
  const count = (name: string) => seen.counters[name] ?? 0;
  const deadLetteredValid = ledger.deadLettered - seen.corruptPublished;
  switch (scenario.name) {
    case 'dependency-delay':
      if (count('breakersOpened') < 1) return fail("the breaker never opened (do the agent's calls go through ctx.breaker?)");
      break;
    case 'stopped-agent':
      if (count('pausedMs') <= 0) return fail('the agent never stopped consuming');
      break;
    case 'corrupted-data':
      if (ledger.invalidInput !== seen.corruptPublished) return fail(`${ledger.invalidInput} of ${seen.corruptPublished} corrupted records reached the DLQ as invalid-input`);
      break;
    case 'kill-replica':
      if (!seen.restarted) return fail('the killed process was not restarted (is the agent supervised, mesh run --replicas N?)');
      break;
    case 'redis-outage':
    case 'registry-outage':
      if (count('refusedCalls') < 1) return fail('the agent never felt the outage (no call was refused)');
      break;
  }
  if (deadLetteredValid > 0) return fail(`${deadLetteredValid} valid events dead-lettered`);
  const parts = [`${ledger.processed} processed`, `${ledger.degraded} degraded`, `${ledger.deadLettered} dead-lettered`];
  if (ledger.duplicateEffects > 0) parts.push(`${ledger.duplicateEffects} duplicate outputs (deduplicated downstream by event id)`);
  return { pass: true, reason: `all ${ledger.published} events accounted for: ${parts.join(', ')}` };
}
