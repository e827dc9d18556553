import { Argument, type Command } from 'commander';
import { checkAgentName, requireKeys, requireVersions, withStateOptions, withStateStore, type StateFlags } from './common';
import { keyJson, renderKeysTable, renderVersionsTable, versionJson, type StateKeySummary } from './render';

/** `mesh state ls <agent> [key]`: an agent's state keys, or one key's kept versions with their integrity. */
export function registerStateLsCommand(state: Command): void {
  withStateOptions(
    state
      .command('ls')
      .description("an agent's state keys; with a key, its kept versions: saved at, size, SHA-256 and integrity (OK or CORRUPT)")
      .addArgument(new Argument('<agent>', 'the agent (its name in defineAgent)'))
      .addArgument(new Argument('[key]', 'one state key: list its versions')),
    'print one JSON object per key (or per version) instead of a table',
  ).action(async (agentArg: string, key: string | undefined, flags: StateFlags) => {
    const agent = checkAgentName(agentArg);
    await withStateStore(flags, async (store, url) => {
      if (key !== undefined) {
        const versions = await requireVersions(store, url, agent, key);
        process.stdout.write(flags.json ? versions.map((v) => `${JSON.stringify(versionJson(agent, key, v))}\n`).join('') : renderVersionsTable(versions));
        return;
      }
      const summaries: StateKeySummary[] = [];
      for (const k of await requireKeys(store, url, agent)) summaries.push({ key: k, versions: await store.versions(agent, k) });
      process.stdout.write(flags.json ? summaries.map((s) => `${JSON.stringify(keyJson(agent, s))}\n`).join('') : renderKeysTable(summaries));
    });
  });
}
