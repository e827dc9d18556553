import { resolve } from 'node:path';
import { UsageError } from '../../options';

/** What a harness scenario is given. */
export interface HarnessRunOptions {
  seed: number;
  /** How many events (signups, invoices) the run publishes. */
  count: number;
  /** Progress, and on a failure the run's story. */
  print: (text: string) => void;
  /** Aborting stops the run: the harness kills every process it started. */
  signal: AbortSignal;
}

/** What a harness scenario found: its own ledger, and its verdict. */
export interface HarnessResult {
  pass: boolean;
  reason: string;
  ledger: Record<string, number>;
}

/**
 * A module `mesh chaos <scenario> --harness <module>` loads: self-contained runs that start their own broker,
 * Redis and processes, so they can kill and restart them for real. The CLI knows only this shape: a harness
 * (the signup saga's, in the examples) matches it without importing the CLI, and the CLI never imports it, as
 * `mesh run <module>` loads agents; the packages' dependencies stay one way.
 */
export interface ChaosHarness {
  scenarios: Record<string, (options: HarnessRunOptions) => Promise<HarnessResult>>;
}

function isHarness(value: unknown): value is ChaosHarness {
  if (typeof value !== 'object' || value === null) return false;
  const scenarios = (value as Partial<ChaosHarness>).scenarios;
  return typeof scenarios === 'object' && scenarios !== null && Object.values(scenarios).every((s) => typeof s === 'function');
}

/** Loads a harness module (its default export, or the module itself); a one-line UsageError when it is not one. */
export function loadHarness(path: string): ChaosHarness {
  const file = resolve(path);
  let mod: Record<string, unknown>;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a module named at run time, loaded synchronously
    mod = require(file) as Record<string, unknown>;
  } catch (err) {
    throw new UsageError(`cannot load harness module ${file}: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]!}`);
  }
  const candidate = isHarness(mod) ? mod : mod.default;
  if (!isHarness(candidate)) throw new UsageError(`${file} is not a chaos harness: export { scenarios: { <name>: async (options) => ({ pass, reason, ledger }) } }`);
  return candidate;
}

/** Runs `name` from the harness; a one-line UsageError when the harness does not have it. */
export async function runHarnessScenario(harness: ChaosHarness, file: string, name: string, options: HarnessRunOptions): Promise<HarnessResult> {
  const run = harness.scenarios[name];
  if (!run) throw new UsageError(`harness ${file} has no scenario '${name}' (it has: ${Object.keys(harness.scenarios).join(', ') || 'none'})`);
  return run(options);
}
