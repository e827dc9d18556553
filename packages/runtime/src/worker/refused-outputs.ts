import { authorizationFailure } from '../kafka/authorization';
import { OutputRefusedError } from '../failure/errors';
import { buildFailureHeaders, describeError } from '../failure/envelope';
import type { ConsumedRecord, EventResult, OutgoingRecord } from './process-event';
import { dlqTopic } from './topics';

/** Sends records in one request; rejects as the producer does. */
export type SendRecords = (records: readonly OutgoingRecord[]) => Promise<void>;

const refusedByAcls = (error: unknown): boolean => authorizationFailure(error) === 'TOPIC_AUTHORIZATION_FAILED';

/**
 * After a batch's send was refused by the broker's ACLs (TOPIC_AUTHORIZATION_FAILED, which does not say which
 * topic): sends each event's records again in a request of their own, in record order, and returns the events
 * refused with the topics refused. An event writing to several topics has them sent one by one to name the
 * refused ones (its allowed outputs are then out, as Kafka leaves the allowed partitions of a refused request).
 * Any other failure is thrown, as the batch's send would have.
 */
export async function sendFindingRefused(recordsByEvent: ReadonlyArray<readonly OutgoingRecord[]>, send: SendRecords): Promise<Map<number, string[]>> {
  const refused = new Map<number, string[]>();
  for (const [index, records] of recordsByEvent.entries()) {
    if (records.length === 0) continue;
    try {
      await send(records);
      continue;
    } catch (error) {
      if (!refusedByAcls(error)) throw error;
    }
    const topics = [...new Set(records.map((r) => r.topic))];
    if (topics.length === 1) {
      refused.set(index, topics);
      continue;
    }
    const named: string[] = [];
    for (const topic of topics) {
      await send(records.filter((r) => r.topic === topic)).catch((error: unknown) => {
        if (!refusedByAcls(error)) throw error;
        named.push(topic);
      });
    }
    if (named.length > 0) refused.set(index, named);
  }
  return refused;
}

/**
 * What an event whose outputs the ACLs refused becomes: a dead letter, permanent, its failure naming the topics.
 * Straight to the DLQ, not through a fallback, whose outputs could be refused again.
 */
export function refusedEventResult(rec: ConsumedRecord, decided: EventResult, topics: readonly string[], agent: string, now: number): EventResult & { kind: 'finished' } {
  const error = new OutputRefusedError(topics);
  const headers = buildFailureHeaders({
    incoming: rec.headers,
    agent,
    attempt: rec.attempt,
    kind: 'permanent',
    error: describeError(error),
    consumedFrom: { topic: rec.topic, partition: rec.partition, offset: rec.offset, timestamp: rec.timestamp },
    now,
  });
  return {
    kind: 'finished',
    outcome: 'dead-lettered',
    records: [{ topic: dlqTopic(agent), key: rec.key, value: rec.value, headers }],
    // Step state the handler left is cleared as for any finished event.
    ...(decided.kind === 'finished' && decided.checkpointUsed ? { checkpointUsed: true } : {}),
    ...(decided.kind === 'finished' && decided.stepsUsed ? { stepsUsed: true } : {}),
  };
}
