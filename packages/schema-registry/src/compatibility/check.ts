import type { Type } from 'avsc';
import { findReadFailure, type ReadFailure } from './explain';
import { levelRules, type CompatibilityLevel } from './levels';

/** A registered version the candidate is checked against. */
export interface ExistingVersion {
  readonly version: number;
  readonly type: Type;
}

/** One reason a candidate schema is refused. */
export interface Incompatibility extends ReadFailure {
  readonly version: number;
  /** backward: the new schema cannot read old data; forward: the old schema cannot read new data. */
  readonly direction: 'backward' | 'forward';
  /** A sentence for humans, naming the version, the direction and the field. */
  readonly message: string;
}

/**
 * Checks `candidate` against the registered versions (ascending by version, soft-deleted
 * ones already removed) under `level`. Non-transitive levels only look at the latest
 * version, as Confluent does. Returns every problem found; empty means compatible.
 */
export function checkCompatibility(level: CompatibilityLevel, candidate: Type, existing: readonly ExistingVersion[]): Incompatibility[] {
  if (level === 'NONE' || existing.length === 0) return [];
  const rules = levelRules(level);
  const targets = rules.transitive ? existing : existing.slice(-1);
  const problems: Incompatibility[] = [];
  for (const target of targets) {
    if (rules.backward) {
      const failure = findReadFailure(candidate, target.type);
      if (failure) {
        problems.push({
          ...failure,
          version: target.version,
          direction: 'backward',
          message: `the new schema cannot read data written with version ${target.version}: at ${failure.path}, ${failure.reason}`,
        });
      }
    }
    if (rules.forward) {
      const failure = findReadFailure(target.type, candidate);
      if (failure) {
        problems.push({
          ...failure,
          version: target.version,
          direction: 'forward',
          message: `version ${target.version} cannot read data written with the new schema: at ${failure.path}, ${failure.reason}`,
        });
      }
    }
  }
  return problems;
}
