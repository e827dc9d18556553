import { readFileSync } from 'node:fs';
import type { ScramUser } from './credential-store';
import { MAX_SCRAM_ITERATIONS, SCRAM_MECHANISMS, type ScramMechanism } from './scram';

/** Thrown when the SASL users file is missing or malformed; the message names the file and the problem. */
export class UsersFileError extends Error {
  override readonly name = 'UsersFileError';
}

/**
 * Parses the users file: `{"users": [{"name", "password", "mechanisms"?, "iterations"?}]}`.
 * Pure, so every refusal is unit-tested; `loadUsersFile` adds the read.
 */
export function parseUsersFile(text: string, source: string): ScramUser[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new UsersFileError(`SASL users file ${source} is not JSON: ${(err as Error).message}`);
  }
  const users = (doc as { users?: unknown } | null)?.users;
  if (!Array.isArray(users)) throw new UsersFileError(`SASL users file ${source} needs {"users": [{"name": ..., "password": ...}]}`);
  return users.map((u: unknown, i): ScramUser => {
    const where = `SASL users file ${source}, user #${i + 1}`;
    const entry = u as Record<string, unknown> | null;
    if (typeof entry?.name !== 'string' || entry.name === '') throw new UsersFileError(`${where}: "name" must be a non-empty string`);
    if (typeof entry.password !== 'string' || entry.password === '') throw new UsersFileError(`${where} (${entry.name}): "password" must be a non-empty string`);
    const mechanisms = entry.mechanisms ?? Object.keys(SCRAM_MECHANISMS);
    if (!Array.isArray(mechanisms) || mechanisms.some((m) => !(typeof m === 'string' && m in SCRAM_MECHANISMS))) {
      throw new UsersFileError(`${where} (${entry.name}): "mechanisms" must list some of ${Object.keys(SCRAM_MECHANISMS).join(', ')}`);
    }
    const iterations = entry.iterations ?? 4096;
    if (typeof iterations !== 'number' || !Number.isInteger(iterations) || iterations < 4096 || iterations > MAX_SCRAM_ITERATIONS) {
      throw new UsersFileError(`${where} (${entry.name}): "iterations" must be an integer from 4096 to ${MAX_SCRAM_ITERATIONS}`);
    }
    return { name: entry.name, password: entry.password, mechanisms: mechanisms as ScramMechanism[], iterations };
  });
}

export function loadUsersFile(path: string): ScramUser[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsersFileError(code === 'ENOENT' ? `SASL users file ${path} does not exist` : `SASL users file ${path} cannot be read: ${(err as Error).message}`);
  }
  return parseUsersFile(text, path);
}
