import { Header } from '@agentmesh/runtime';
import { matcher, type ObservedRecord } from './topic-watch';

const record = (eventId: string, headers: Record<string, string> = {}, value: unknown = {}): ObservedRecord => ({
  topic: 't',
  partition: 0,
  offset: '0',
  key: null,
  value,
  headers: { [Header.eventId]: eventId, ...headers },
  eventId,
});

describe('record matchers', () => {
  const out = record('out-1', { [Header.causationId]: 'in-1', [Header.correlationId]: 'root-1' }, { n: 2 });

  it('match by the record own id, the event that caused it, its correlation, or a predicate', () => {
    expect(matcher({ eventId: 'out-1' })(out)).toBe(true);
    expect(matcher({ eventId: 'in-1' })(out)).toBe(false);
    expect(matcher({ causedBy: 'in-1' })(out)).toBe(true);
    expect(matcher({ causedBy: 'out-1' })(out)).toBe(false);
    expect(matcher({ correlationId: 'root-1' })(out)).toBe(true);
    expect(matcher((r) => (r.value as { n: number }).n === 2)(out)).toBe(true);
  });
});
