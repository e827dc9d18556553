import type { KafkaMessage } from 'kafkajs';

/** A batch's messages per saga (by record key), each saga's in batch order: sagas side by side, each in order. */
export function messagesBySaga(messages: readonly KafkaMessage[]): KafkaMessage[][] {
  const bySaga = new Map<string, KafkaMessage[]>();
  for (const message of messages) {
    const key = message.key?.toString() ?? '';
    const list = bySaga.get(key);
    if (list) list.push(message);
    else bySaga.set(key, [message]);
  }
  return [...bySaga.values()];
}

/** Why an intake stopped part-way through a batch, and so how long its partition waits. */
export type IntakeStop = 'store-down' | 'not-owner' | 'saturated' | undefined;

/** How long a partition waits after the saga store failed before its records are read again. */
export const STORE_RETRY_MS = 1_000;
/** How long a partition this instance may not act on (rebalance under way, fenced) waits before it is read again. */
export const NOT_OWNER_RETRY_MS = 200;

/** How long a trigger partition waits while this instance runs as many sagas as it may. */
export const SATURATED_RETRY_MS = 20;

/** How long the partition waits before its unhandled records are fetched again. */
export function retryAfterMs(stop: IntakeStop): number | undefined {
  if (stop === 'store-down') return STORE_RETRY_MS;
  if (stop === 'not-owner') return NOT_OWNER_RETRY_MS;
  if (stop === 'saturated') return SATURATED_RETRY_MS;
  return undefined;
}
