import type { AgentContext, AgentEvent } from '@agentmesh/runtime';
import { failFirst } from './fail-first';

const event = (eventId: string, attempt: number) => ({ eventId, attempt, value: { n: 1 } }) as AgentEvent<{ n: number }>;
const ctx = {} as AgentContext;

describe('failFirst', () => {
  it("fails each event's first deliveries, then hands on to the handler", () => {
    const handle = failFirst<{ n: number }, unknown>(2, (e) => [{ topic: 'out', value: e.attempt }]);
    expect(() => handle(event('a', 1), ctx)).toThrow('injected failure 1 of 2');
    expect(() => handle(event('b', 1), ctx)).toThrow('injected failure 1 of 2');
    expect(() => handle(event('a', 2), ctx)).toThrow('injected failure 2 of 2');
    expect(handle(event('a', 3), ctx)).toEqual([{ topic: 'out', value: 3 }]);
  });

  it('throws the error asked for', () => {
    class Refused extends Error {}
    const handle = failFirst(
      1,
      () => undefined,
      () => new Refused('no'),
    );
    expect(() => handle(event('a', 1), ctx)).toThrow(Refused);
    expect(handle(event('a', 2), ctx)).toBeUndefined();
  });
});
