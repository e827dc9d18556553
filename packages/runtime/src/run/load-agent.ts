import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Agent } from '../agent/types';
import { AgentDefinitionError } from '../failure/errors';

function isAgent(value: unknown): value is Agent {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<Agent>;
  return typeof v.name === 'string' && typeof v.handle === 'function' && Array.isArray(v.consumes) && typeof v.retry === 'object';
}

/**
 * Why a module did not load, in one line: Node's "Cannot find module" adds its require stack below the first. A first
 * line that only announces what follows (a TypeScript transform's "Transform failed with 1 error:") keeps the next.
 */
export function loadFailure(file: string, err: unknown): string {
  if (!existsSync(file)) return 'no such file';
  const lines = (err instanceof Error ? err.message : String(err)).split('\n');
  const first = lines[0]!.trimEnd();
  return first.endsWith(':') && lines[1]?.trim() ? `${first} ${lines[1].trim()}` : first;
}

/** Loads an agent module: its default export, an export named `agent`, or (CommonJS) the module itself. */
export function loadAgentModule(path: string): Agent {
  const file = resolve(path);
  let mod: Record<string, unknown>;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a module named at run time, loaded synchronously
    mod = require(file) as Record<string, unknown>;
  } catch (err) {
    throw new AgentDefinitionError(`cannot load agent module ${file}: ${loadFailure(file, err)}`);
  }
  const candidate = isAgent(mod) ? mod : (mod.default ?? mod.agent);
  if (!isAgent(candidate)) throw new AgentDefinitionError(`${file} does not export an agent: export default defineAgent({...})`);
  return candidate;
}
