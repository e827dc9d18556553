import { isAbsolute, resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import { ConnectionConfigError, CONNECTION_VARIABLES, parseConnectionSettings } from '@agentmesh/runtime';
import { baseVariable } from '@agentmesh/runtime/internal';
import type { Command } from 'commander';
import { UsageError } from '../../options';
import { loadProfiles, profilesPath, saveProfiles } from '../../profiles/profile-file';
import { checkProfileName, chooseProfile, parseAssignments, showableValues, type ProfilesDocument } from '../../profiles/profiles';

/** A value that names a file or module: made absolute, so the profile works from any directory. */
function absolutePaths(values: Record<string, string>): Record<string, string> {
  const isPath = (name: string, value: string) => name.endsWith('_FILE') || (name === 'KAFKA_SASL_OAUTHBEARER_PROVIDER' && value.startsWith('.'));
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, isPath(name, value) && value !== '' && !isAbsolute(value) ? resolve(value) : value]));
}

/** The connection variables (and their _FILE forms) set in this environment. */
function fromEnvironment(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => baseVariable(entry[0]) !== undefined && (entry[1] ?? '').trim() !== ''));
}

function requireProfile(doc: ProfilesDocument, name: string): void {
  if (!doc.profiles[name]) throw new UsageError(`no profile '${name}'; mesh profile ls lists them`);
}

const VARIABLES_HELP = ['', 'Connection variables (each also as NAME_FILE=<path of a file holding the value>):', ...CONNECTION_VARIABLES.map((v) => `  ${v.name.padEnd(32)} ${v.description}`)].join(
  '\n',
);

export function registerProfileCommand(program: Command): void {
  const profile = program
    .command('profile')
    .description('named connection settings (brokers, TLS, SASL, registry, Redis) in the manner of kubectl contexts; chosen with --profile or MESH_PROFILE on any command');

  profile
    .command('add <name> [settings...]')
    .description('add a profile from NAME=VALUE settings (the environment variables agents read) and/or the current environment')
    .option('--from-env', 'take the connection variables set in this environment', false)
    .option('--use', 'make it the current profile', false)
    .option('--replace', 'replace a profile of that name', false)
    .addHelpText('after', `${VARIABLES_HELP}\n\nPrefer *_FILE for secrets: a value on the command line stays in the shell's history.`)
    .action((name: string, settings: string[], flags: { fromEnv: boolean; use: boolean; replace: boolean }) => {
      checkProfileName(name);
      const path = profilesPath();
      const doc = loadProfiles(path);
      if (doc.profiles[name] && !flags.replace) throw new UsageError(`profile '${name}' exists; add --replace to replace it`);
      const values = absolutePaths({ ...(flags.fromEnv ? fromEnvironment(process.env) : {}), ...parseAssignments(settings) });
      if (Object.keys(values).length === 0) throw new UsageError('no settings: give NAME=VALUE settings or --from-env');
      try {
        parseConnectionSettings(values, (file) => readFileSync(file, 'utf8'));
      } catch (error) {
        if (error instanceof ConnectionConfigError) throw new UsageError(`profile ${name}: ${error.message}`);
        throw error;
      }
      saveProfiles(path, { ...doc, ...(flags.use ? { current: name } : {}), profiles: { ...doc.profiles, [name]: values } });
      process.stdout.write(`profile ${name} saved (${Object.keys(values).length} settings) in ${path}${flags.use ? '; it is the current profile' : ''}\n`);
    });

  profile
    .command('use <name>')
    .description('make a profile the current one (what commands use without --profile or MESH_PROFILE)')
    .action((name: string) => {
      const path = profilesPath();
      const doc = loadProfiles(path);
      requireProfile(doc, name);
      saveProfiles(path, { ...doc, current: name });
      process.stdout.write(`current profile: ${name}\n`);
    });

  profile
    .command('ls')
    .description('list the profiles; * marks the current one')
    .action(() => {
      const doc = loadProfiles(profilesPath());
      const names = Object.keys(doc.profiles).sort();
      if (names.length === 0) process.stderr.write('no profiles (mesh profile add <name> ...)\n');
      for (const name of names) process.stdout.write(`${name === doc.current ? '*' : ' '} ${name}\n`);
    });

  profile
    .command('show [name]')
    .description('print a profile (default: the one in use), secrets as ***')
    .action((name: string | undefined, _flags: unknown, command: Command) => {
      const doc = loadProfiles(profilesPath());
      const flag = (command.optsWithGlobals() as { profile?: string }).profile;
      const chosen = name ?? chooseProfile(flag, process.env, doc)?.name;
      if (chosen === undefined) throw new UsageError('no profile in use; name one (mesh profile ls lists them)');
      requireProfile(doc, chosen);
      process.stdout.write(`profile ${chosen}${chosen === doc.current ? ' (current)' : ''}\n`);
      for (const [variable, value] of showableValues(doc.profiles[chosen]!)) process.stdout.write(`  ${variable}=${value}\n`);
    });

  profile
    .command('rm <name>')
    .description('remove a profile')
    .action((name: string) => {
      const path = profilesPath();
      const doc = loadProfiles(path);
      requireProfile(doc, name);
      const profiles = Object.fromEntries(Object.entries(doc.profiles).filter(([n]) => n !== name));
      saveProfiles(path, { ...(doc.current !== undefined && doc.current !== name ? { current: doc.current } : {}), profiles });
      process.stdout.write(`profile ${name} removed${doc.current === name ? ' (there is no current profile now)' : ''}\n`);
    });
}
