import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Type, type Schema } from 'avsc';
import { Header, InvalidInputError, JsonCodec } from '@agentmesh/runtime';
import { parseSignalRecord, signalIdFor, signalRecord, signalSaga, toSagaSignal } from './signals';
import { SAGA_SIGNALS_TOPIC } from './topics';

describe('saga signals on the wire', () => {
  const codec = new JsonCodec();

  it('round-trips a request: keyed by saga id, named by a derived id, decoded as the transitions take it', async () => {
    const record = await signalRecord(codec, { sagaId: 's-1', step: 'approve', decision: 'approve', value: { approvedBy: 'ann' }, reason: 'ok' }, 1_000);
    expect(record.id).toBe(signalIdFor('s-1', 'approve', 'approve'));
    expect(record.key).toBe('s-1');
    expect(record.headers[Header.eventId]).toBe(record.id);
    const parsed = parseSignalRecord(await codec.decode(SAGA_SIGNALS_TOPIC, record.value));
    expect(parsed).toEqual({ sagaId: 's-1', step: 'approve', decision: 'APPROVE', value: '{"approvedBy":"ann"}', reason: 'ok', signalledAt: 1_000 });
    expect(toSagaSignal(parsed, record.id, 2_000)).toEqual({ id: record.id, step: 'approve', decision: 'approve', value: { approvedBy: 'ann' }, reason: 'ok', at: 2_000 });
  });

  it('fits its contract, schemas/mesh/saga-signal.avsc (what the registry codec encodes with)', () => {
    const type = Type.forSchema(JSON.parse(readFileSync(join(__dirname, '../../../../schemas/mesh/saga-signal.avsc'), 'utf8')) as Schema);
    const record = { sagaId: 's-1', step: 'approve', decision: 'REJECT', value: null, reason: 'over budget', signalledAt: 1_000 };
    expect(parseSignalRecord(type.fromBuffer(type.toBuffer(record)))).toEqual(record);
  });

  it('gives the same decision the same id, and another decision another', () => {
    expect(signalIdFor('s-1', 'approve', 'approve')).toBe(signalIdFor('s-1', 'approve', 'approve'));
    expect(signalIdFor('s-1', 'approve', 'reject')).not.toBe(signalIdFor('s-1', 'approve', 'approve'));
  });

  it('refuses what is not a signal, naming every problem', () => {
    expect(() => parseSignalRecord({ sagaId: '', decision: 'MAYBE', value: 3 })).toThrow(
      new InvalidInputError('not a saga signal: sagaId must be a non-empty string; step must be a non-empty string; decision must be APPROVE or REJECT; value must be a string or null'),
    );
    expect(() => parseSignalRecord({ sagaId: 's', step: 'a', decision: 'REJECT', value: '[1]' })).toThrow(/must be a JSON object/);
    expect(() => parseSignalRecord({ sagaId: 's', step: 'a', decision: 'REJECT', value: '{' })).toThrow(/not JSON/);
  });

  it('signalSaga sends one record on saga.signals and returns its id', async () => {
    const sent: { topic: string; messages: { key: string; headers: Record<string, string> }[] }[] = [];
    const producer = { send: async (batch: (typeof sent)[number]) => void sent.push(batch) } as unknown as Parameters<typeof signalSaga>[0];
    const id = await signalSaga(producer, codec, { sagaId: 's-2', step: 'approve', decision: 'reject', signalId: 'mine' });
    expect(id).toBe('mine');
    expect(sent.map((b) => [b.topic, b.messages.map((m) => [m.key, m.headers[Header.eventId]])])).toEqual([[SAGA_SIGNALS_TOPIC, [['s-2', 'mine']]]]);
    await expect(signalSaga(producer, codec, { sagaId: 's', step: 'a', decision: 'approve', value: [1] as unknown as Record<string, unknown> })).rejects.toThrow(InvalidInputError);
  });
});
