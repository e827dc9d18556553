import { verdictLine } from './report';
import { runSagaFaults } from './run';
import type { FaultKind } from './schedule';

/** What `mesh chaos sagas --harness <this module>` passes (the CLI's HarnessRunOptions, matched by shape). */
interface HarnessRunOptions {
  seed: number;
  count: number;
  print: (text: string) => void;
  signal: AbortSignal;
}

/**
 * The signup saga under faults as a `mesh chaos` scenario: `mesh chaos sagas --harness
 * packages/examples/dist/signup/faults/harness.js`. The run starts its own broker, private Redis, two
 * coordinators and the participants, and kills them for real (runSagaFaults). The CLI loads this module by
 * path, so neither package depends on the other.
 */
export const scenarios = {
  sagas: (options: HarnessRunOptions) => sagaRun(options),
  /** The broker stopped and started again (same port, same data) while sagas run. */
  'broker-restart': (options: HarnessRunOptions) => sagaRun(options, ['broker']),
};

async function sagaRun(options: HarnessRunOptions, faultKinds?: readonly FaultKind[]): Promise<{ pass: boolean; reason: string; ledger: Record<string, number> }> {
  const verdict = await runSagaFaults({ seed: options.seed, signups: options.count, ratePerSecond: 8, print: options.print, signal: options.signal, ...(faultKinds ? { faultKinds } : {}) });
  const c = verdict.counts;
  const twice = verdict.problems.filter((p) => p.guarantee === 'effect-once' || p.guarantee === 'compensation-once').length;
  return {
    pass: verdict.ok,
    reason: verdictLine(verdict),
    ledger: {
      published: c.sagas,
      completed: c.completed,
      compensated: c.compensated,
      stuck: c.stuck,
      lost: c.notTerminal + c.missing,
      duplicateEffects: twice,
      ledgerRepeats: verdict.ledgerRepeats,
    },
  };
}
