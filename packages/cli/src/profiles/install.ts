import type { Command } from 'commander';
import { cliConnection } from '../connection/settings';
import { loadProfiles, profilesPath } from './profile-file';
import { chooseProfile, checkProfileName, overlayProfile, profileValues } from './profiles';

const PROFILE_HELP = 'connection profile to use (default: $MESH_PROFILE, else the one `mesh profile use` chose)';
/** Commands that run servers of their own or manage the profiles: no client connection to set up. */
const NO_CLIENT_CONNECTION = new Set(['profile', 'broker', 'registry', 'dev']);

function leaves(command: Command): Command[] {
  return command.commands.length === 0 ? [command] : command.commands.flatMap(leaves);
}

function topLevel(command: Command): Command {
  let at = command;
  while (at.parent?.parent) at = at.parent;
  return at;
}

/**
 * `--profile <name>` on the program and on every command, and before any action: the chosen profile
 * filled in under the environment (what the environment sets wins), then the connection settings
 * checked, so a command that cannot connect says why in one line before it tries.
 */
export function installProfiles(program: Command): void {
  program.option('--profile <name>', PROFILE_HELP, checkProfileName);
  for (const command of leaves(program)) if (command !== program && !NO_CLIENT_CONNECTION.has(topLevel(command).name())) command.option('--profile <name>', PROFILE_HELP, checkProfileName);
  program.hook('preAction', (_program, action) => {
    if (NO_CLIENT_CONNECTION.has(topLevel(action).name())) return;
    const flag = (action.opts() as { profile?: string }).profile ?? (program.opts() as { profile?: string }).profile;
    const doc = loadProfiles(profilesPath());
    const choice = chooseProfile(flag, process.env, doc);
    // Filled into this process's environment, so replicas and agents it starts see the same settings,
    // and named there, so they choose the same profile without the flag.
    Object.assign(process.env, overlayProfile(process.env, profileValues(choice, doc)), choice && doc.profiles[choice.name] ? { MESH_PROFILE: choice.name } : {});
    cliConnection();
  });
}
