import type { AgentEvent } from '../agent/types';
import { Header } from '../events/headers';
import { InvalidOutputError } from '../failure/errors';
import { outputProblem, prepareOutputs } from './outputs';

const input: AgentEvent = { topic: 'in', partition: 0, offset: '5', key: 'inv-1', value: {}, headers: {}, eventId: 'e-1', correlationId: 'c-1', attempt: 1, timestamp: 0 };

describe('prepareOutputs', () => {
  it('derives the same ids on a re-run, distinct per topic and position', () => {
    const outs = [
      { topic: 'a', value: 1 },
      { topic: 'a', value: 2 },
      { topic: 'b', value: 3 },
    ];
    const first = prepareOutputs(input, outs, 'agent');
    const again = prepareOutputs(input, outs, 'agent');
    expect(first.map((o) => o.headers[Header.eventId])).toEqual(again.map((o) => o.headers[Header.eventId]));
    expect(new Set(first.map((o) => o.headers[Header.eventId])).size).toBe(3);
    expect(prepareOutputs(input, outs, 'other-agent')[0]!.headers[Header.eventId]).not.toBe(first[0]!.headers[Header.eventId]);
  });

  it('carries correlation and causation, and keeps the input key unless told otherwise', () => {
    const [a, b] = prepareOutputs(
      input,
      [
        { topic: 'a', value: 1 },
        { topic: 'a', key: null, value: 2 },
      ],
      'agent',
      { [Header.degraded]: 'true' },
    );
    expect(a).toMatchObject({ key: 'inv-1', headers: { [Header.correlationId]: 'c-1', [Header.causationId]: 'e-1', [Header.degraded]: 'true' } });
    expect(b!.key).toBeNull();
  });
});

describe('outputProblem', () => {
  it('accepts what Kafka can carry', () => {
    expect(outputProblem({ topic: 'invoices.validated', value: 1 })).toBeUndefined();
    expect(outputProblem({ topic: 'a', key: null, value: 1, headers: { h: 'v' } })).toBeUndefined();
  });

  it('names what a handler got wrong: the topic, the key or a header', () => {
    expect(outputProblem({ topic: 'not a topic!', value: 1 })).toMatch(/not a legal Kafka topic name/);
    expect(outputProblem({ topic: 'a', key: 42 as unknown as string, value: 1 })).toMatch(/number key/);
    expect(outputProblem({ topic: 'a', value: 1, headers: { h: 5 as unknown as string } })).toMatch(/number value for header 'h'/);
    expect(outputProblem({ topic: undefined as unknown as string, value: 1 })).toMatch(/"undefined"/);
  });

  it('makes prepareOutputs refuse the event as a permanent InvalidOutputError', () => {
    expect(() => prepareOutputs(input, [{ topic: 'bad topic', value: 1 }], 'agent')).toThrow(InvalidOutputError);
  });
});
