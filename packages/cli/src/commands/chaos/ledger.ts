/** A record read back from Kafka while a scenario ran: where it was and its mesh headers. */
export interface SeenRecord {
  topic: string;
  timestamp: number;
  headers: Readonly<Record<string, string>>;
}

/** What became of the events a scenario published, read from Kafka. */
export interface Ledger {
  published: number;
  /** Events with an output of the agent that is not degraded. */
  processed: number;
  /** Events whose output is a fallback's (mesh-degraded). */
  degraded: number;
  deadLettered: number;
  /** Dead letters whose kind is invalid-input. */
  invalidInput: number;
  /** Published, and neither processed, degraded nor dead-lettered. */
  lost: number;
  /** Output records beyond the first with the same event id: what a consumer that did not deduplicate would apply twice. */
  duplicateEffects: number;
}

const EVENT_ID = 'mesh-event-id';
const CAUSATION_ID = 'mesh-causation-id';

/**
 * The ledger of the events `published` (their event ids) to `agent`: outputs are the records caused by
 * one of them (mesh-causation-id) outside the agent's retry and dead-letter topics; dead letters are the
 * records of `<agent>.dlq` that carry one of their ids.
 */
export function buildLedger(agent: string, published: ReadonlySet<string>, records: readonly SeenRecord[]): Ledger {
  const dlq = `${agent}.dlq`;
  const retryPrefix = `${agent}.retry.`;
  const processed = new Set<string>();
  const degraded = new Set<string>();
  const deadLettered = new Set<string>();
  const invalid = new Set<string>();
  const outputIds = new Set<string>();
  let duplicateEffects = 0;
  for (const r of records) {
    if (r.topic === dlq) {
      const id = r.headers[EVENT_ID];
      if (id !== undefined && published.has(id)) {
        deadLettered.add(id);
        if (r.headers['mesh-error-kind'] === 'invalid-input') invalid.add(id);
      }
      continue;
    }
    if (r.topic.startsWith(retryPrefix)) continue;
    const cause = r.headers[CAUSATION_ID];
    if (cause === undefined || !published.has(cause)) continue;
    const outputId = r.headers[EVENT_ID] ?? '';
    if (outputIds.has(outputId)) {
      duplicateEffects += 1;
      continue;
    }
    outputIds.add(outputId);
    (r.headers['mesh-degraded'] === 'true' ? degraded : processed).add(cause);
  }
  // One event counts once, under the most final of its fates.
  for (const id of deadLettered) {
    processed.delete(id);
    degraded.delete(id);
  }
  for (const id of degraded) processed.delete(id);
  const accounted = processed.size + degraded.size + deadLettered.size;
  return {
    published: published.size,
    processed: processed.size,
    degraded: degraded.size,
    deadLettered: deadLettered.size,
    invalidInput: invalid.size,
    lost: published.size - accounted,
    duplicateEffects,
  };
}
