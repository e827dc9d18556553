import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { checkPrivateMode, configDir, EMPTY_PROFILES, parseProfilesDocument, type ProfilesDocument } from './profiles';

/** Where the profiles live: <config dir>/profiles.json. */
export function profilesPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(configDir(env, homedir()), 'profiles.json');
}

/** The profiles file, or none when there is no file; a file others can read is refused. */
export function loadProfiles(path: string): ProfilesDocument {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return EMPTY_PROFILES;
    throw error;
  }
  checkPrivateMode(mode, path);
  return parseProfilesDocument(readFileSync(path, 'utf8'), path);
}

/** Writes the profiles with mode 0600 (its directory 0700), replacing the file in one rename. */
export function saveProfiles(path: string, doc: ProfilesDocument): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(doc, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600); // the umask may have narrowed it further, never widened; be exact
  renameSync(temporary, path);
}
