import { baseVariable, fileVariable, isSecretVariable, redactRedisUrl } from '@agentmesh/runtime/internal/fleet';
import { UsageError } from '../options';

/** A profile: connection variables by their documented names (KAFKA_BROKERS, KAFKA_SASL_PASSWORD_FILE, ...). */
export type ProfileValues = Readonly<Record<string, string>>;

/** What the profiles file holds. */
export interface ProfilesDocument {
  /** Set by `mesh profile use`; the profile commands use when neither --profile nor MESH_PROFILE says. */
  current?: string;
  profiles: Readonly<Record<string, ProfileValues>>;
}

export const EMPTY_PROFILES: ProfilesDocument = { profiles: {} };

const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** A profile name: letters, digits, `.`, `_`, `-`. */
export function checkProfileName(name: string): string {
  if (!PROFILE_NAME.test(name)) throw new UsageError(`'${name}' is not a profile name (letters, digits, '.', '_' and '-', up to 63)`);
  return name;
}

/** The directory of the CLI's own files: $XDG_CONFIG_HOME/agentmesh, else ~/.config/agentmesh. */
export function configDir(env: Readonly<Record<string, string | undefined>>, home: string): string {
  const xdg = env.XDG_CONFIG_HOME?.trim();
  return `${xdg ? xdg.replace(/\/+$/, '') : `${home.replace(/\/+$/, '')}/.config`}/agentmesh`;
}

/** Refuses a profiles file that others may read or write: it holds passwords. */
export function checkPrivateMode(mode: number, path: string): void {
  const loose = mode & 0o077;
  if (loose !== 0) throw new UsageError(`${path} is readable or writable by others (mode ${(mode & 0o777).toString(8).padStart(4, '0')}); it may hold passwords: run chmod 600 ${path}`);
}

/** Checks a profile's variable names; `KEY=VALUE` words to values. */
export function parseAssignments(words: readonly string[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const word of words) {
    const at = word.indexOf('=');
    const name = at > 0 ? word.slice(0, at) : word;
    if (at <= 0) throw new UsageError(`'${name}' is not NAME=VALUE`);
    if (baseVariable(name) === undefined) throw new UsageError(`${name} is not a connection variable (mesh profile add --help lists them)`);
    values[name] = word.slice(at + 1);
  }
  return values;
}

/** The profiles file's text as a document; a file that is not one is refused naming the file. */
export function parseProfilesDocument(text: string, path: string): ProfilesDocument {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new UsageError(`${path} is not JSON`);
  }
  const doc = raw as { current?: unknown; profiles?: unknown } | null;
  const profiles = doc?.profiles;
  if (typeof doc !== 'object' || doc === null || typeof profiles !== 'object' || profiles === null || Array.isArray(profiles)) throw new UsageError(`${path} has no "profiles" object`);
  for (const [name, values] of Object.entries(profiles as Record<string, unknown>)) {
    if (typeof values !== 'object' || values === null || Object.values(values as Record<string, unknown>).some((v) => typeof v !== 'string'))
      throw new UsageError(`${path}: profile ${name} is not an object of strings`);
  }
  if (doc.current !== undefined && typeof doc.current !== 'string') throw new UsageError(`${path}: "current" is not a string`);
  return { ...(typeof doc.current === 'string' ? { current: doc.current } : {}), profiles: profiles as Record<string, ProfileValues> };
}

export type ProfileChoice = { name: string; from: '--profile' | 'MESH_PROFILE' | 'mesh profile use' } | undefined;

/** Which profile applies: --profile, else MESH_PROFILE, else the one `mesh profile use` chose, else none. */
export function chooseProfile(flag: string | undefined, env: Readonly<Record<string, string | undefined>>, doc: ProfilesDocument): ProfileChoice {
  if (flag) return { name: flag, from: '--profile' };
  const fromEnv = env.MESH_PROFILE?.trim();
  if (fromEnv) return { name: fromEnv, from: 'MESH_PROFILE' };
  return doc.current !== undefined ? { name: doc.current, from: 'mesh profile use' } : undefined;
}

/** The named profile's values; an unknown name (from the flag or the variable) is refused. */
export function profileValues(choice: ProfileChoice, doc: ProfilesDocument): ProfileValues {
  if (!choice) return {};
  const values = doc.profiles[choice.name];
  if (values) return values;
  if (choice.from === 'mesh profile use') return {}; // The current one was removed by hand: as if none.
  throw new UsageError(`no profile '${choice.name}' (from ${choice.from}); mesh profile ls lists them`);
}

/**
 * The environment with a profile filled in underneath it: a variable the environment sets (itself or
 * its `_FILE`) wins over the profile's (either form), so the order is flag > environment > profile >
 * default (flags are read before the environment by each command).
 */
export function overlayProfile(env: Readonly<Record<string, string | undefined>>, profile: ProfileValues): Record<string, string> {
  const setInEnv = (base: string) => [base, fileVariable(base)].some((name) => env[name] !== undefined && env[name]!.trim() !== '');
  const added: Record<string, string> = {};
  for (const [name, value] of Object.entries(profile)) {
    const base = baseVariable(name);
    if (base !== undefined && !setInEnv(base)) added[name] = value;
  }
  return added;
}

/** A profile's values to print: secrets as `***` (a redis URL keeps all but its password); `_FILE` paths as they are. */
export function showableValues(values: ProfileValues): Array<[string, string]> {
  return Object.entries(values)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => {
      if (name === 'REDIS_URL') return [name, redactRedisUrl(value)];
      if (name === 'SCHEMA_REGISTRY_URL') return [name, redactUrlPassword(value)];
      return [name, isSecretVariable(name) ? '***' : value];
    });
}

function redactUrlPassword(text: string): string {
  try {
    const url = new URL(text);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '***';
  }
}
