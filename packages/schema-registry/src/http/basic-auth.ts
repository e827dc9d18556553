import { createHash, timingSafeEqual } from 'node:crypto';

/** A user the registry accepts with HTTP basic auth. */
export interface RegistryUser {
  readonly username: string;
  readonly password: string;
}

/** Thrown for a users file the registry cannot start with; one line naming the file and line. */
export class RegistryUsersFileError extends Error {
  override readonly name = 'RegistryUsersFileError';
}

/** A users file: `user:password` per line; blank lines and `#` comments skipped. The password may contain ':'. */
export function parseRegistryUsers(text: string, file: string): RegistryUser[] {
  const users: RegistryUser[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const at = trimmed.indexOf(':');
    // The line may hold a password: name its number only.
    if (at <= 0 || at === trimmed.length - 1) throw new RegistryUsersFileError(`${file}: line ${i + 1} is not user:password`);
    users.push({ username: trimmed.slice(0, at), password: trimmed.slice(at + 1) });
  });
  if (users.length === 0) throw new RegistryUsersFileError(`${file}: no users`);
  return users;
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Whether an Authorization header carries one of the users, compared in constant time. */
export function basicAuthAllows(header: string | undefined, users: readonly RegistryUser[]): boolean {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!match) return false;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const offered = digest(decoded);
  let allowed = false;
  for (const user of users) allowed = timingSafeEqual(offered, digest(`${user.username}:${user.password}`)) || allowed;
  return allowed;
}
