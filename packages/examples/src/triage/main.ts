import { exitWithCode, wholeNumber } from '../demo/cli';
import { runTriageDemo, type TriageDemoOptions } from './demo';

const USAGE = `usage: node packages/examples/dist/triage/main.js [--tickets N] [--seed N] [--latency-ms MS] [--timeout SECONDS]

Runs the support triage demo on a local stand-in for an LLM (no network; seeded, slow, sometimes refusing or
answering with broken JSON; it counts tokens): the embedded broker and registry, the ticket reply saga's
coordinator (state in Redis at REDIS_URL, default redis://127.0.0.1:6379), and the triage agent and the support
desk as \`mesh run\` processes. The same N tickets (default 8) go through twice: once untouched, once with the
triage agent killed (SIGKILL) during a ticket's third journaled step. Then every reply saga, waiting for a
person's approval, is approved (one with \`mesh saga signal\`) or rejected. Prints the tokens each run cost,
who answered the tickets (primary model, backup model, keyword rules) and the approvals.
`;

/** Parses the demo's flags; throws with the usage on anything else. */
export function parseTriageDemoArgs(argv: readonly string[]): TriageDemoOptions & { help: boolean } {
  const args: TriageDemoOptions & { help: boolean } = { help: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    if (flag === '--tickets') args.tickets = wholeNumber(flag, argv[++i], 'a whole number >= 1', USAGE);
    else if (flag === '--seed') args.seed = wholeNumber(flag, argv[++i], 'a whole number >= 1', USAGE);
    else if (flag === '--latency-ms') args.latencyMs = wholeNumber(flag, argv[++i], 'whole milliseconds >= 1', USAGE);
    else if (flag === '--timeout') args.settleTimeoutMs = wholeNumber(flag, argv[++i], 'whole seconds >= 1', USAGE) * 1000;
    else if (flag === '--help' || flag === '-h') args.help = true;
    else throw new Error(`unknown argument '${flag}'\n\n${USAGE}`);
  }
  return args;
}

async function main(): Promise<number> {
  const { help, ...options } = parseTriageDemoArgs(process.argv.slice(2));
  if (help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const { problems } = await runTriageDemo(options);
  return problems.length === 0 ? 0 : 1;
}

if (require.main === module) exitWithCode(main);
