import { Header } from '../events/headers';
import type { ConsumedRecord, OutgoingRecord } from '../worker/process-event';
import { retryTopic } from '../worker/topics';

/**
 * The copy of a record that waits its turn behind an earlier event of its key:
 * it goes round the agent's first retry tier, unchanged and not charged an
 * attempt, until the line says it is its turn.
 */
export function parkedRecord(rec: ConsumedRecord, agent: string, dueAt: number): OutgoingRecord {
  return {
    topic: retryTopic(agent, 0),
    key: rec.key,
    value: rec.value,
    headers: { ...rec.headers, [Header.agent]: agent, [Header.attempt]: String(rec.attempt - 1), [Header.dueAt]: String(dueAt), [Header.parked]: 'true' },
  };
}

/** How often a parked record checks whether its turn has come. */
export function parkRecheckMs(firstRetryDelayMs: number | undefined): number {
  return Math.max(100, Math.min(1_000, firstRetryDelayMs ?? 1_000));
}
