import type { Command } from 'commander';
import { registerStateLsCommand } from './ls';
import { registerStateRestoreCommand } from './restore';
import { registerStateShowCommand } from './show';

/** `mesh state ls|show|restore`: the versioned state agents keep through ctx.state. */
export function registerStateCommand(program: Command): void {
  const state = program
    .command('state')
    .description('inspect and restore the versioned state agents keep with ctx.state (in Redis: mesh:state:{<agent>}:<key>)')
    .addHelpText(
      'after',
      '\nEvery save is a new version with its time and a SHA-256 of the state; the last 10 are kept. A version whose state no\nlonger matches its hash is CORRUPT: loads (and `show`) fall back to the newest intact one and say so. `restore` saves a\ncopy of an intact version as the newest; nothing is ever rewritten.',
    );
  registerStateLsCommand(state);
  registerStateShowCommand(state);
  registerStateRestoreCommand(state);
}
