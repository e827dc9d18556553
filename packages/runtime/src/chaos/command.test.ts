import { decideCommand, faultFor, type ActiveFault, type ChaosSelf, type ControlRecord } from './command';

const self: ChaosSelf = { agent: 'billing', instanceId: 'i-1', enabled: true, startedAt: 1_000 };

function command(over: Partial<ControlRecord> = {}): ControlRecord {
  return { kind: 'COMMAND', commandId: 'c1', agent: 'billing', instanceId: null, fault: 'DELAY', target: '*', durationMs: 5_000, delayMs: 200, sentAt: 2_000, reason: null, counters: {}, ...over };
}

describe('decideCommand', () => {
  it('begins a lasting fault that ends durationMs after it is accepted', () => {
    expect(decideCommand(command(), self, 2_500)).toEqual({ action: 'begin', fault: { commandId: 'c1', fault: 'DELAY', target: '*', delayMs: 200, endsAt: 7_500 } });
  });

  it('refuses, with the reason operators see, when chaos is not enabled for the agent', () => {
    expect(decideCommand(command(), { ...self, enabled: false }, 2_500)).toEqual({ action: 'refuse', reason: 'chaos is not enabled for billing' });
  });

  it('ignores answers, other agents, other instances and commands sent before the process started', () => {
    expect(decideCommand(command({ kind: 'ACCEPTED' }), self, 2_500).action).toBe('ignore');
    expect(decideCommand(command({ agent: 'ocr' }), self, 2_500).action).toBe('ignore');
    expect(decideCommand(command({ instanceId: 'i-2' }), self, 2_500).action).toBe('ignore');
    expect(decideCommand(command({ instanceId: 'i-1' }), self, 2_500).action).toBe('begin');
    expect(decideCommand(command({ sentAt: 999 }), self, 2_500).action).toBe('ignore');
  });

  it('ignores a command whose whole span passed while it waited, and a stale crash', () => {
    expect(decideCommand(command({ durationMs: 100 }), self, 2_100).action).toBe('ignore');
    expect(decideCommand(command({ fault: 'CRASH' }), self, 2_500).action).toBe('crash');
    expect(decideCommand(command({ fault: 'CRASH' }), self, 60_000).action).toBe('ignore');
  });

  it('refuses commands that cannot work', () => {
    expect(decideCommand(command({ target: null }), self, 2_500)).toEqual({ action: 'refuse', reason: "DELAY needs a target: a breaker name, '*' or 'handler'" });
    expect(decideCommand(command({ delayMs: 0 }), self, 2_500)).toMatchObject({ action: 'refuse', reason: 'DELAY needs a positive delayMs' });
    expect(decideCommand(command({ fault: 'STOP', durationMs: 0 }), self, 2_500)).toMatchObject({ action: 'refuse' });
  });

  it('clears on CLEAR, answers a PING, and refuses a PING too without chaos (so a refusing process is seen)', () => {
    expect(decideCommand(command({ fault: 'CLEAR', durationMs: 0 }), self, 2_500)).toEqual({ action: 'clear' });
    expect(decideCommand(command({ fault: 'PING', durationMs: 0 }), self, 2_500)).toEqual({ action: 'ping' });
    expect(decideCommand(command({ fault: 'PING', durationMs: 0 }), { ...self, enabled: false }, 2_500).action).toBe('refuse');
  });
});

describe('faultFor', () => {
  const f = (over: Partial<ActiveFault>): ActiveFault => ({ commandId: 'c', fault: 'DELAY', target: '*', delayMs: 1, endsAt: 10, ...over });

  it('matches breakers by name or *, the handler by its target, outages by kind, and only until they end', () => {
    expect(faultFor([f({ target: 'db' })], { kind: 'breaker', name: 'db' }, 5)).toBeDefined();
    expect(faultFor([f({ target: 'db' })], { kind: 'breaker', name: 'mail' }, 5)).toBeUndefined();
    expect(faultFor([f({})], { kind: 'breaker', name: 'mail' }, 5)).toBeDefined();
    expect(faultFor([f({})], { kind: 'handler' }, 5)).toBeUndefined();
    expect(faultFor([f({ target: 'handler', fault: 'FAIL' })], { kind: 'handler' }, 5)).toBeDefined();
    expect(faultFor([f({ fault: 'REDIS_OUTAGE', target: null })], { kind: 'redis' }, 5)).toBeDefined();
    expect(faultFor([f({ fault: 'REDIS_OUTAGE', target: null })], { kind: 'registry' }, 5)).toBeUndefined();
    expect(faultFor([f({})], { kind: 'breaker', name: 'db' }, 10)).toBeUndefined();
  });
});
