import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The version of the mesh CLI: its package's (dist/ and src/ both sit beside package.json). */
export function meshVersion(): string {
  const manifest = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version?: unknown };
  return typeof manifest.version === 'string' ? manifest.version : 'unknown';
}
