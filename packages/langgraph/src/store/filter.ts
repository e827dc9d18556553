import { isDeepStrictEqual } from 'node:util';

/** Whether a checkpoint's metadata has every key of a `list` filter with an equal value (deeply, for objects). Pure. */
export function metadataMatches(metadata: Readonly<Record<string, unknown>> | undefined, filter: Readonly<Record<string, unknown>> | undefined): boolean {
  if (filter === undefined) return true;
  return Object.entries(filter).every(([key, value]) => isDeepStrictEqual(metadata?.[key], value));
}
