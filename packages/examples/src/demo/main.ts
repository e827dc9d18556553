import { exitWithCode, parseDemoFlags } from './cli';
import { runDemo } from './run-demo';

const USAGE = `usage: node packages/examples/dist/demo/main.js [--invoices N] [--timeout SECONDS] [--keep]

Runs the invoice pipeline demo: embedded broker and registry, four agents as
separate processes, N invoices (default 200) with failures injected
(MESH_FAIL_TRANSIENT, MESH_FAIL_PERMANENT, MESH_FAIL_SLOW, per agent with a
suffix such as MESH_FAIL_TRANSIENT_OCR; MESH_FAIL_SEED varies the pattern).
It prints the web console's URL; with --keep, the mesh and the console stay up
after the table until Ctrl-C.
`;

export interface DemoArgs {
  invoices?: number;
  settleTimeoutMs?: number;
  keep?: boolean;
  help: boolean;
}

/** Parses the few flags of the demo; throws with the usage on anything else. */
export function parseDemoArgs(argv: readonly string[]): DemoArgs {
  const { count, ...args } = parseDemoFlags(argv, '--invoices', USAGE, true);
  return count === undefined ? args : { ...args, invoices: count };
}

async function main(): Promise<number> {
  const args = parseDemoArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const report = await runDemo({ invoices: args.invoices, settleTimeoutMs: args.settleTimeoutMs, keep: args.keep ?? false });
  // Dead letters are an expected outcome; lost invoices and double postings are not.
  return report.missing.length === 0 && report.doublePostings === 0 ? 0 : 1;
}

if (require.main === module) exitWithCode(main);
