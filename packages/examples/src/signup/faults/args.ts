/** The flags of the many-seeds script (main.ts). */
export interface ChaosArgs {
  /** The seeds to run, in order. */
  seeds: number[];
  signups: number;
  ratePerSecond: number;
  rounds: number;
  /** Keep every run's work directory (a failing run's is always kept). */
  keep: boolean;
  /** Print every run's progress, not only a failing run's story. */
  verbose: boolean;
  help: boolean;
}

export const CHAOS_USAGE = `usage: npm run chaos:sagas -- [--seeds N] [--first-seed S | --seed S] [--signups N] [--rate R] [--rounds N] [--keep] [--verbose]

Runs the signup saga under faults once per seed (seeds S, S+1, ... S+N-1; default
--seeds 5 --first-seed 1): embedded broker, a private Redis with an AOF, two
\`mesh coordinator\` and three \`mesh run\` participant processes; kill -9 of a
participant, of a coordinator and of Redis (during the coordinator group's
rebalance) at moments drawn from the seed. Prints one line per seed and
"N of M seeds passed"; a failing seed's faults, problems, saga timelines and
process logs are printed, and its work directory kept. Exit code 0 when every
seed passed.

  --seeds N        how many seeds (default 5)
  --first-seed S   the first seed (default 1)
  --seed S         run this one seed only (replay a failure)
  --signups N      signups per run (default 300)
  --rate R         signups published per second (default 20)
  --rounds N       rounds of faults per run (default 1)
  --keep           keep every run's work directory
  --verbose        print every run's progress
`;

function wholeNumber(flag: string, text: string | undefined, min: number): number {
  const value = Number(text);
  if (text === undefined || text.trim() === '' || !Number.isInteger(value) || value < min) throw new Error(`${flag} needs a whole number >= ${min}, got ${text ?? 'nothing'}\n\n${CHAOS_USAGE}`);
  return value;
}

function positiveNumber(flag: string, text: string | undefined): number {
  const value = Number(text);
  if (text === undefined || text.trim() === '' || !Number.isFinite(value) || value <= 0) throw new Error(`${flag} needs a number > 0, got ${text ?? 'nothing'}\n\n${CHAOS_USAGE}`);
  return value;
}

/** Parses the script's flags; throws with the usage on anything else. */
export function parseChaosArgs(argv: readonly string[]): ChaosArgs {
  let count = 5;
  let first = 1;
  let only: number | undefined;
  const args: Omit<ChaosArgs, 'seeds'> = { signups: 300, ratePerSecond: 20, rounds: 1, keep: false, verbose: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    switch (flag) {
      case '--seeds':
        count = wholeNumber(flag, argv[++i], 1);
        break;
      case '--first-seed':
        first = wholeNumber(flag, argv[++i], 0);
        break;
      case '--seed':
        only = wholeNumber(flag, argv[++i], 0);
        break;
      case '--signups':
        args.signups = wholeNumber(flag, argv[++i], 1);
        break;
      case '--rate':
        args.ratePerSecond = positiveNumber(flag, argv[++i]);
        break;
      case '--rounds':
        args.rounds = wholeNumber(flag, argv[++i], 1);
        break;
      case '--keep':
        args.keep = true;
        break;
      case '--verbose':
        args.verbose = true;
        break;
      case '--help':
      case '-h':
        args.help = true;
        break;
      default:
        throw new Error(`unknown argument '${flag}'\n\n${CHAOS_USAGE}`);
    }
  }
  const seeds = only !== undefined ? [only] : Array.from({ length: count }, (_, i) => first + i);
  return { ...args, seeds };
}

/** The closing line: `N of M seeds passed`, and which failed. */
export function chaosSummary(results: ReadonlyArray<{ seed: number; passed: boolean }>): string {
  const passed = results.filter((r) => r.passed).length;
  const failed = results.filter((r) => !r.passed).map((r) => r.seed);
  return `${passed} of ${results.length} seeds passed${failed.length > 0 ? ` (failed: ${failed.join(', ')})` : ''}`;
}
