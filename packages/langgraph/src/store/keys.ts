/** Default prefix of every key the saver writes. */
export const DEFAULT_LANGGRAPH_KEY_PREFIX = 'mesh:lg';

/**
 * Where one thread's data lives. The thread id is the hash tag, so every key of a thread shares a
 * Redis Cluster slot and one MULTI or script can touch them together.
 */
export interface ThreadKeys {
  /** Hash: `id` -> the thread id, `ns:<namespace>` -> 1 for each namespace with checkpoints. */
  thread: string;
  /** Hash of one namespace's checkpoints: checkpoint id -> record text. */
  checkpoints(namespace: string): string;
  /** Sorted set (all scores 0) of one namespace's checkpoint ids, so lexical order is time order (uuid6). */
  index(namespace: string): string;
  /** Hash of one namespace's channel values: `[channel, version]` as JSON -> record text, shared by the checkpoints that see that version. */
  blobs(namespace: string): string;
  /** Hash of one checkpoint's pending writes: `<task id>,<idx>` -> record text. */
  writes(namespace: string, checkpointId: string): string;
}

// Namespaces and ids are JSON-quoted inside keys, so a `:` in a subgraph namespace cannot make two keys meet.
export function threadKeys(threadId: string, prefix: string = DEFAULT_LANGGRAPH_KEY_PREFIX): ThreadKeys {
  const base = `${prefix}:{${threadId}}`;
  return {
    thread: `${base}:thread`,
    checkpoints: (namespace) => `${base}:ckpt:${JSON.stringify(namespace)}`,
    blobs: (namespace) => `${base}:blobs:${JSON.stringify(namespace)}`,
    index: (namespace) => `${base}:idx:${JSON.stringify(namespace)}`,
    writes: (namespace, checkpointId) => `${base}:writes:${JSON.stringify(namespace)}:${JSON.stringify(checkpointId)}`,
  };
}

export const THREAD_ID_FIELD = 'id';
const NAMESPACE_FIELD_PREFIX = 'ns:';

export function namespaceField(namespace: string): string {
  return `${NAMESPACE_FIELD_PREFIX}${namespace}`;
}

/** The namespaces recorded in a thread hash's fields. */
export function namespacesOf(threadHash: Record<string, string>): string[] {
  return Object.keys(threadHash)
    .filter((field) => field.startsWith(NAMESPACE_FIELD_PREFIX))
    .map((field) => field.slice(NAMESPACE_FIELD_PREFIX.length));
}

/** The SCAN pattern that finds every thread hash under a prefix (listing without a thread id). */
export function threadHashPattern(prefix: string = DEFAULT_LANGGRAPH_KEY_PREFIX): string {
  return `${prefix.replace(/[*?[\]\\]/g, '\\$&')}:{*}:thread`;
}

/** The field of one pending write inside its checkpoint's writes hash. */
export function writeField(taskId: string, idx: number): string {
  return `${taskId},${idx}`;
}

/** The field of one channel value (a channel at one version) inside its namespace's blobs hash. */
export function blobField(channel: string, version: number | string): string {
  return JSON.stringify([channel, version]);
}
