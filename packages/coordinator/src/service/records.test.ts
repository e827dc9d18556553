import type { KafkaMessage } from 'kafkajs';
import { Header, InvalidInputError, JsonCodec, readFailureEnvelope } from '@agentmesh/runtime';
import { newSagaState } from '../saga/create';
import { defineSaga } from '../saga/define';
import { readCommandEnvelope } from '../protocol/messages';
import { auditRecords, commandRecord, dataFor, deadLetterRecord } from './records';

const codec = new JsonCodec();
const saga = defineSaga({ name: 'signup', trigger: 'signups', steps: [{ name: 'create-user', command: 'users.create', compensation: 'users.delete' }] });
const state = newSagaState(saga, {
  id: 's-1',
  homePartition: 2,
  now: 1_000,
  trigger: { topic: 'signups', partition: 0, offset: '4', eventId: 'trigger-1' },
  correlationId: 'corr-1',
  traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  data: { topic: 'users.create', bytes: Buffer.from(JSON.stringify({ id: 'a1' })).toString('base64') },
});

describe('coordinator records', () => {
  it('a command carries the data, the saga envelope, ids and the trace context', async () => {
    const record = await commandRecord(
      codec,
      saga,
      state,
      { type: 'command', step: 0, kind: 'compensate', topic: 'users.delete', attempt: 3, eventId: 'cmd-1', deadlineAt: 9_000 },
      '00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01',
    );
    expect(record.key).toBe('s-1');
    expect(JSON.parse(record.value!.toString())).toEqual({ id: 'a1' });
    const headers = record.headers as Record<string, string>;
    expect(readCommandEnvelope(headers)).toEqual({ sagaId: 's-1', sagaType: 'signup', step: 'create-user', kind: 'compensate', attempt: 3, deadlineAt: 9_000 });
    expect(headers).toMatchObject({
      [Header.eventId]: 'cmd-1',
      [Header.correlationId]: 'corr-1',
      [Header.causationId]: 'trigger-1',
      [Header.traceparent]: '00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01',
    });
  });

  it('data written for another topic is decoded and encoded again for the command topic', async () => {
    const moved = { ...state, data: { topic: 'elsewhere', bytes: Buffer.from('{"id":"b2"}').toString('base64') } };
    expect(JSON.parse((await dataFor(codec, moved, 'users.create')).toString())).toEqual({ id: 'b2' });
  });

  it('only the last audit record of a transition carries the state, and ids are stable per version', async () => {
    const entries = [
      { at: 1, type: 'STEP_STARTED' as const, step: 'create-user', kind: 'execute' as const, attempt: 1 },
      { at: 2, type: 'COMPENSATING' as const, detail: 'why' },
    ];
    const records = await auditRecords(codec, state, entries, '{"the":"state"}');
    const values = records.map((r) => JSON.parse(r.value!.toString()) as Record<string, unknown>);
    expect(values.map((v) => v.stateJson)).toEqual(['', '{"the":"state"}']);
    expect(values[0]).toMatchObject({ sagaId: 's-1', type: 'STEP_STARTED', status: 'running', step: 'create-user', kind: 'execute', attempt: 1, traceId: '0af7651916cd43dd8448eb211c80319c' });
    const again = await auditRecords(codec, state, entries, '{"the":"state"}');
    expect(again.map((r) => (r.headers as Record<string, string>)[Header.eventId])).toEqual(records.map((r) => (r.headers as Record<string, string>)[Header.eventId]));
  });

  it('a dead letter keeps the bytes and headers as they came and says why', () => {
    const message: KafkaMessage = { key: Buffer.from('k'), value: Buffer.from([0, 1, 2]), headers: { mine: Buffer.from('x') }, offset: '9', timestamp: '5', attributes: 0 };
    const record = deadLetterRecord('mesh-coordinator.dlq', 'mesh-coordinator', 'saga.replies', 4, message, new InvalidInputError('not a saga reply'), 7);
    expect(record.value).toEqual(Buffer.from([0, 1, 2]));
    expect(record.headers).toMatchObject({
      mine: 'x',
      [Header.agent]: 'mesh-coordinator',
      [Header.originalTopic]: 'saga.replies',
      [Header.originalPartition]: '4',
      [Header.originalOffset]: '9',
      [Header.errorKind]: 'invalid-input',
      [Header.errorClass]: 'InvalidInputError',
      [Header.errorMessage]: 'not a saga reply',
    });
    // The same failure story as every DLQ record, so `mesh dlq show` reads it.
    expect(readFailureEnvelope(record.headers as Record<string, string>)?.history).toEqual([
      { attempt: 1, at: 7, kind: 'invalid-input', errorClass: 'InvalidInputError', message: 'not a saga reply', agent: 'mesh-coordinator' },
    ]);
  });
});
