// `npm create agentmesh@latest <dir>` runs this package's bin: `mesh init` of @agentmesh/cli, with its flags.
import { buildProgram } from '@agentmesh/cli';

/** Where a project goes when `npm create agentmesh` is given no directory: a new one, never the working directory. */
export const DEFAULT_PROJECT_DIR = 'my-mesh';

/** `mesh init` flags that take a value: the word after one is not the directory. */
const VALUE_FLAGS: ReadonlySet<string> = new Set(['--name', '--from-tarballs']);

/** The `mesh init` arguments for the arguments of `npm create agentmesh`: the same, with a directory when none is given. */
export function initArguments(argv: readonly string[]): string[] {
  let hasDir = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (VALUE_FLAGS.has(arg)) i += 1;
    else if (!arg.startsWith('-')) hasDir = true;
  }
  return ['init', ...argv, ...(hasDir ? [] : [DEFAULT_PROJECT_DIR])];
}

/** Runs `mesh init` for `argv` (the words after `create-agentmesh`). */
export async function createAgentmesh(argv: readonly string[]): Promise<void> {
  await buildProgram().name('create-agentmesh').parseAsync(initArguments(argv), { from: 'user' });
}
