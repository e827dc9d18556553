import { ConfigType } from './config-types';

/** Kafka's AlterConfigOp.OpType codes (IncrementalAlterConfigs). */
export const ConfigOperation = { Set: 0, Delete: 1, Append: 2, Subtract: 3 } as const;

export interface ConfigChange {
  name: string;
  operation: number;
  value: string | null;
}

export type ChangeOutcome = { ok: true; configs: Record<string, string> } | { ok: false; invalidRequest: boolean; message: string };

/**
 * Applies IncrementalAlterConfigs operations to a resource's own configs
 * (Kafka's rules): SET and DELETE for any config, APPEND and SUBTRACT only
 * for list configs, where they add missing items or remove present ones.
 * `current` is what the resource sets itself; `inForce` gives a list's value
 * in force when the resource does not set it (APPEND starts from there).
 */
export function applyIncrementalChanges(
  current: Readonly<Record<string, string>>,
  changes: readonly ConfigChange[],
  typeOf: (name: string) => ConfigType | undefined,
  inForce: (name: string) => string | null,
): ChangeOutcome {
  const seen = new Set<string>();
  const next: Record<string, string> = { ...current };
  for (const c of changes) {
    if (seen.has(c.name)) return { ok: false, invalidRequest: true, message: `Error due to duplicate config keys: ${c.name}` };
    seen.add(c.name);
    const type = typeOf(c.name);
    if (type === undefined) return { ok: false, invalidRequest: false, message: `Unknown config name: ${c.name}` };
    switch (c.operation) {
      case ConfigOperation.Set:
        if (c.value === null) return { ok: false, invalidRequest: false, message: `Null value not supported for: ${c.name}` };
        next[c.name] = c.value;
        break;
      case ConfigOperation.Delete:
        delete next[c.name];
        break;
      case ConfigOperation.Append:
      case ConfigOperation.Subtract: {
        if (type !== ConfigType.List) {
          const verb = c.operation === ConfigOperation.Append ? 'append' : 'subtract';
          return { ok: false, invalidRequest: false, message: `Config value ${verb} is not allowed for config key: ${c.name}` };
        }
        const items = splitList(next[c.name] ?? inForce(c.name) ?? '');
        const given = splitList(c.value ?? '');
        const result = c.operation === ConfigOperation.Append ? [...items, ...given.filter((g) => !items.includes(g))] : items.filter((i) => !given.includes(i));
        next[c.name] = result.join(',');
        break;
      }
      default:
        return { ok: false, invalidRequest: true, message: `Unknown config operation ${c.operation} for ${c.name}` };
    }
  }
  return { ok: true, configs: next };
}

/** AlterConfigs (non-incremental): the given set replaces the resource's own configs; null values are left out. */
export function replaceConfigs(changes: ReadonlyArray<{ name: string; value: string | null }>): ChangeOutcome {
  const next: Record<string, string> = {};
  const seen = new Set<string>();
  for (const c of changes) {
    if (seen.has(c.name)) return { ok: false, invalidRequest: true, message: `Error due to duplicate config keys: ${c.name}` };
    seen.add(c.name);
    if (c.value !== null) next[c.name] = c.value;
  }
  return { ok: true, configs: next };
}

function splitList(v: string): string[] {
  return v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
