import { exitWithCode } from '../../demo/cli';
import { chaosSummary, CHAOS_USAGE, parseChaosArgs } from './args';
import { renderVerdict, verdictLine } from './report';
import { runSagaFaults } from './run';

/**
 * Runs the signup saga fault injection for many seeds, one after another
 * (each run starts its own broker, Redis and processes): one line per seed,
 * then "N of M seeds passed". Built: node packages/examples/dist/signup/faults/main.js.
 */
async function main(): Promise<number> {
  const args = parseChaosArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(CHAOS_USAGE);
    return 0;
  }
  const interrupted = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`received ${signal}: stopping the run under way\n`);
    interrupted.abort(new Error(`interrupted by ${signal}`));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const began = Date.now();
  const results: { seed: number; passed: boolean }[] = [];
  for (const seed of args.seeds) {
    if (interrupted.signal.aborted) break;
    let story = '';
    const print = args.verbose ? (text: string) => void process.stdout.write(text) : (text: string) => void (story += text);
    try {
      const verdict = await runSagaFaults({ seed, signups: args.signups, ratePerSecond: args.ratePerSecond, rounds: args.rounds, keepWorkDir: args.keep, print, signal: interrupted.signal });
      // A failing run has printed its story (faults, problems, timelines, logs): shown before its line.
      if (!verdict.ok && !args.verbose) process.stdout.write(story);
      // A passing run's story in full, when asked for (a failing one has printed it already).
      process.stdout.write(verdict.ok && args.verbose ? renderVerdict(verdict) : `${verdictLine(verdict)}\n`);
      results.push({ seed, passed: verdict.ok });
    } catch (error) {
      if (!args.verbose) process.stdout.write(story);
      process.stdout.write(`seed ${seed}: ERROR  ${error instanceof Error ? error.message : String(error)}\n`);
      results.push({ seed, passed: false });
    }
  }
  const interruptedNote = interrupted.signal.aborted ? `interrupted after ${results.length} of ${args.seeds.length} seeds; ` : '';
  process.stdout.write(`${chaosSummary(results)} (${interruptedNote}${((Date.now() - began) / 1000).toFixed(0)} s)\n`);
  return !interrupted.signal.aborted && results.every((r) => r.passed) ? 0 : 1;
}

if (require.main === module) exitWithCode(main);
