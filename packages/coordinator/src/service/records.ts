import type { KafkaMessage } from 'kafkajs';
import { deriveEventId, Header, InvalidInputError, type EventCodec, type Headers } from '@agentmesh/runtime';
import { buildFailureHeaders, decodeSoon, describeFailure, encodeSoon, headersToStrings, traceIdFromTraceparent, type OutboundRecord } from '@agentmesh/runtime/internal';
import { commandHeaders } from '../protocol/messages';
import { SAGA_EVENTS_TOPIC, SAGA_STUCK_TOPIC } from '../protocol/topics';
import type { CommandEffect, SagaState, StuckEffect, TimelineEntry } from '../saga/state';
import type { Saga } from '../saga/types';

/** The records the coordinator writes: commands, audit events, stuck notices and dead letters. */

/** The saga's data encoded for `topic`, with the fields signals merged in on top (passed through when it already is, with none). */
export async function dataFor(codec: EventCodec, state: SagaState, topic: string): Promise<Buffer> {
  const bytes = Buffer.from(state.data.bytes, 'base64');
  const patch = state.dataPatch;
  if (state.data.topic === topic && patch === undefined) return bytes;
  let value = decodeSoon(codec, state.data.topic, bytes);
  if (value instanceof Promise) value = await value;
  if (patch !== undefined && typeof value === 'object' && value !== null && !Array.isArray(value)) value = { ...value, ...patch };
  return encodeSoon(codec, topic, value);
}

/** A command to a step's topic: the saga's data, keyed by saga id, with the saga envelope in headers. */
export async function commandRecord(codec: EventCodec, saga: Saga, state: SagaState, effect: CommandEffect, traceparent: string | undefined, coordinator?: string): Promise<OutboundRecord> {
  const step = saga.steps[effect.step]!;
  const headers: Headers = {
    [Header.eventId]: effect.eventId,
    [Header.correlationId]: state.correlationId,
    [Header.causationId]: state.trigger.eventId,
    ...commandHeaders({
      sagaId: state.id,
      sagaType: state.type,
      step: step.name,
      kind: effect.kind,
      attempt: effect.attempt,
      deadlineAt: effect.deadlineAt,
      ...(coordinator !== undefined ? { coordinator } : {}),
    }),
  };
  if (traceparent) headers[Header.traceparent] = traceparent;
  return { topic: effect.topic, key: state.id, value: await dataFor(codec, state, effect.topic), headers };
}

/** saga.events records of a transition's timeline entries; the last carries the state after it. */
export async function auditRecords(codec: EventCodec, state: SagaState, entries: readonly TimelineEntry[], stateJson: string = JSON.stringify(state)): Promise<OutboundRecord[]> {
  const traceId = traceIdFromTraceparent(state.traceparent) ?? null;
  const records: OutboundRecord[] = [];
  for (let index = 0; index < entries.length; index++) {
    const entry = entries[index]!;
    let value = encodeSoon(codec, SAGA_EVENTS_TOPIC, {
      sagaId: state.id,
      sagaType: state.type,
      type: entry.type,
      status: state.status,
      step: entry.step ?? null,
      kind: entry.kind ?? null,
      attempt: entry.attempt ?? null,
      detail: entry.detail ?? null,
      version: state.version,
      traceId,
      stateJson: index === entries.length - 1 ? stateJson : '',
      occurredAt: entry.at,
    });
    if (value instanceof Promise) value = await value;
    const headers = { [Header.eventId]: deriveEventId(`saga:${state.id}`, SAGA_EVENTS_TOPIC, state.version * 1000 + index), [Header.correlationId]: state.correlationId, [Header.sagaId]: state.id };
    records.push({ topic: SAGA_EVENTS_TOPIC, key: state.id, value, headers });
  }
  return records;
}

/** The saga.stuck notice of a saga that now waits for an operator. */
export async function stuckRecord(codec: EventCodec, saga: Saga, state: SagaState, effect: StuckEffect, now: number): Promise<OutboundRecord> {
  return {
    topic: SAGA_STUCK_TOPIC,
    key: state.id,
    value: await codec.encode(SAGA_STUCK_TOPIC, {
      sagaId: state.id,
      sagaType: state.type,
      status: effect.status === 'compensation_failed' ? 'COMPENSATION_FAILED' : 'FORWARD_FAILED',
      step: saga.steps[effect.step]!.name,
      reason: effect.reason,
      traceId: traceIdFromTraceparent(state.traceparent) ?? null,
      startedAt: state.startedAt,
      stuckAt: now,
    }),
    headers: { [Header.eventId]: deriveEventId(`saga:${state.id}`, SAGA_STUCK_TOPIC, state.version), [Header.sagaId]: state.id },
  };
}

/** An input the coordinator cannot use (a bad trigger or reply), as it came, with the runtime's failure envelope (what `mesh dlq show` reads). */
export function deadLetterRecord(dlqTopic: string, group: string, topic: string, partition: number, message: KafkaMessage, error: unknown, now: number): OutboundRecord {
  return {
    topic: dlqTopic,
    key: message.key,
    value: message.value,
    headers: buildFailureHeaders({
      incoming: headersToStrings(message.headers),
      agent: group,
      attempt: 1,
      kind: error instanceof InvalidInputError ? 'invalid-input' : 'permanent',
      error: describeFailure(error),
      consumedFrom: { topic, partition, offset: message.offset, timestamp: message.timestamp },
      now,
    }),
  };
}
