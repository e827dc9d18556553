import { Argument, type Command } from 'commander';
import { toJson } from '../dlq/display-value';
import { checkAgentName, parseVersion, requireVersions, StateCommandError, withStateOptions, withStateStore, type StateFlags } from './common';
import { fallbackNote, renderShown, shownJson } from './render';

interface ShowFlags extends StateFlags {
  version?: string;
}

/** `mesh state show <agent> <key> [--version N]`: one version's state, saying which and whether it fell back past corrupt ones. */
export function registerStateShowCommand(state: Command): void {
  withStateOptions(
    state
      .command('show')
      .description('the newest intact version of a state key (falling back past corrupt ones, and saying so), or a given version')
      .addArgument(new Argument('<agent>', 'the agent'))
      .addArgument(new Argument('<key>', 'the state key'))
      .option('--version <n>', 'this version instead of the newest intact one (an error if it is corrupt or not kept)'),
    'print one JSON object: agent, key, version, savedAt, fellBackPast (the corrupt versions skipped) and state',
  ).action(async (agentArg: string, key: string, flags: ShowFlags) => {
    const agent = checkAgentName(agentArg);
    const version = flags.version === undefined ? undefined : parseVersion(flags.version);
    await withStateStore(flags, async (store, url) => {
      // An unknown agent or key is said as such, not as a missing version.
      if (version !== undefined) await requireVersions(store, url, agent, key);
      const loaded = version === undefined ? await store.load(agent, key) : await store.load(agent, key, { version });
      if (loaded === undefined) {
        await requireVersions(store, url, agent, key);
        throw new StateCommandError(`agent '${agent}' has no state '${key}'`);
      }
      if (flags.json) {
        process.stdout.write(`${toJson(shownJson(agent, key, loaded))}\n`);
        const note = fallbackNote(key, loaded);
        if (note !== undefined) process.stderr.write(`note: ${note}\n`);
      } else {
        process.stdout.write(renderShown(agent, key, loaded));
      }
    });
  });
}
