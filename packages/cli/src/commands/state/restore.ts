import { Argument, type Command } from 'commander';
import { checkAgentName, parseVersion, requireVersions, StateCommandError, withStateOptions, withStateStore, type StateFlags } from './common';
import { renderRestored, restoredJson } from './render';

/** `mesh state restore <agent> <key> <version>`: a copy of an intact version becomes the newest; nothing is rewritten. */
export function registerStateRestoreCommand(state: Command): void {
  withStateOptions(
    state
      .command('restore')
      .description('save a copy of an intact older version as the newest version (the history stays); prints the new version')
      .addArgument(new Argument('<agent>', 'the agent'))
      .addArgument(new Argument('<key>', 'the state key'))
      .addArgument(new Argument('<version>', 'the version to restore (see `mesh state ls <agent> <key>`)')),
    'print the new version as one JSON object',
  ).action(async (agentArg: string, key: string, versionArg: string, flags: StateFlags) => {
    const agent = checkAgentName(agentArg);
    const version = parseVersion(versionArg);
    await withStateStore(flags, async (store, url) => {
      const versions = await requireVersions(store, url, agent, key);
      const chosen = versions.find((v) => v.version === version);
      const kept = versions.map((v) => v.version).sort((a, b) => a - b);
      if (!chosen) throw new StateCommandError(`state '${key}' of agent '${agent}' has no version ${version} (kept: ${kept[0]}-${kept[kept.length - 1]}); nothing restored`);
      if (!chosen.intact) throw new StateCommandError(`version ${version} of state '${key}' of agent '${agent}' is corrupt (${chosen.problem ?? 'unknown'}); nothing restored`);
      // The store checks the version again as it copies it.
      const saved = await store.restore(agent, key, version);
      process.stdout.write(flags.json ? `${JSON.stringify(restoredJson(agent, key, saved))}\n` : renderRestored(agent, key, saved));
    });
  });
}
