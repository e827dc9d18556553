import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CliManifest {
  engines: { node: string };
  dependencies: Record<string, string> & { tsx: string };
}

/** This CLI's own package.json (dist/ and src/ sit two levels below it): the Node engines and tsx range a project inherits. */
export function cliManifest(): CliManifest {
  return JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as CliManifest;
}
