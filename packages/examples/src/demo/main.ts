import { runDemo } from './run-demo';

const USAGE = `usage: node packages/examples/dist/demo/main.js [--invoices N] [--timeout SECONDS]

Runs the invoice pipeline demo: embedded broker and registry, four agents as
separate processes, N invoices (default 200) with failures injected
(MESH_FAIL_TRANSIENT, MESH_FAIL_PERMANENT, MESH_FAIL_SLOW, per agent with a
suffix such as MESH_FAIL_TRANSIENT_OCR; MESH_FAIL_SEED varies the pattern).
`;

export interface DemoArgs {
  invoices?: number;
  settleTimeoutMs?: number;
  help: boolean;
}

/** Parses the few flags of the demo; throws with the usage on anything else. */
export function parseDemoArgs(argv: readonly string[]): DemoArgs {
  const args: DemoArgs = { help: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const number = (what: string) => {
      const value = Number(argv[++i]);
      if (!Number.isInteger(value) || value < 1) throw new Error(`${flag} needs ${what}\n\n${USAGE}`);
      return value;
    };
    if (flag === '--invoices') args.invoices = number('a whole number >= 1');
    else if (flag === '--timeout') args.settleTimeoutMs = number('whole seconds >= 1') * 1000;
    else if (flag === '--help' || flag === '-h') args.help = true;
    else throw new Error(`unknown argument '${flag}'\n\n${USAGE}`);
  }
  return args;
}

async function main(): Promise<number> {
  const args = parseDemoArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const report = await runDemo({ invoices: args.invoices, settleTimeoutMs: args.settleTimeoutMs });
  // Dead letters are an expected outcome; lost invoices and double postings are not.
  return report.missing.length === 0 && report.doublePostings === 0 ? 0 : 1;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
