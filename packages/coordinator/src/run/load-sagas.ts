import { resolve } from 'node:path';
import { SagaDefinitionError } from '../errors';
import type { Saga } from '../saga/types';

function isSaga(value: unknown): value is Saga {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<Saga>;
  return (
    typeof v.name === 'string' && typeof v.trigger === 'string' && Array.isArray(v.steps) && (v.steps as unknown[]).every((s) => typeof (s as { retry?: unknown } | undefined)?.retry === 'object')
  );
}

/**
 * Loads the sagas of a module: its default export (a saga or an array of
 * them), an export named `sagas`, or every export that is a saga.
 */
export function loadSagaModule(path: string): Saga[] {
  const file = resolve(path);
  let mod: Record<string, unknown>;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module is named at run time
    mod = require(file) as Record<string, unknown>;
  } catch (error) {
    throw new SagaDefinitionError(`cannot load saga module ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  // CommonJS `module.exports = defineSaga(...)`: the module is the saga.
  if (isSaga(mod)) return [mod];
  const candidates: unknown[] = [];
  for (const value of [mod.default, mod.sagas]) {
    if (Array.isArray(value)) candidates.push(...(value as unknown[]));
    else if (value !== undefined) candidates.push(value);
  }
  if (candidates.length === 0) candidates.push(...Object.values(mod));
  const sagas = candidates.filter(isSaga);
  if (sagas.length === 0) throw new SagaDefinitionError(`${file} exports no saga: export default defineSaga({...}) (or an array of sagas)`);
  return [...new Set(sagas)];
}
