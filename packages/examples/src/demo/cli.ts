/** The flags both demos take: how many (invoices, signups), `--timeout SECONDS` and `--help`. */
export interface DemoFlags {
  count?: number;
  settleTimeoutMs?: number;
  /** `--keep`, for a demo that takes it: stay up after the table until interrupted. */
  keep?: boolean;
  help: boolean;
}

/** `text` as a whole number >= 1; otherwise throws that `name` needs `what`, with the usage. */
export function wholeNumber(name: string, text: string | undefined, what: string, usage: string): number {
  const value = Number(text);
  if (text === undefined || !Number.isInteger(value) || value < 1) throw new Error(`${name} needs ${what}\n\n${usage}`);
  return value;
}

/** Parses a demo's flags (`countFlag N`, `--timeout SECONDS`, `--help`, and `--keep` where `takesKeep`); throws with the usage on anything else. */
export function parseDemoFlags(argv: readonly string[], countFlag: string, usage: string, takesKeep = false): DemoFlags {
  const flags: DemoFlags = { help: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    if (flag === countFlag) flags.count = wholeNumber(flag, argv[++i], 'a whole number >= 1', usage);
    else if (flag === '--timeout') flags.settleTimeoutMs = wholeNumber(flag, argv[++i], 'whole seconds >= 1', usage) * 1000;
    else if (flag === '--help' || flag === '-h') flags.help = true;
    else if (flag === '--keep' && takesKeep) flags.keep = true;
    else throw new Error(`unknown argument '${flag}'\n\n${usage}`);
  }
  return flags;
}

/** Runs a demo's main and exits with its code; an error is printed as one line (its message) and exits 1. */
export function exitWithCode(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
