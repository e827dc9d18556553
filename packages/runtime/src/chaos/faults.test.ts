import { ChaosFaults, ChaosInjectedError } from './faults';

describe('ChaosFaults', () => {
  let now = 0;
  const faults = () => new ChaosFaults(() => now);

  beforeEach(() => (now = 0));

  it('lets calls through at once (no promise) while no fault is in force', () => {
    expect(faults().beforeCall({ kind: 'handler' })).toBeUndefined();
  });

  it('fails calls with ChaosInjectedError and counts them until the fault ends', async () => {
    const f = faults();
    f.begin({ commandId: 'c1', fault: 'FAIL', target: 'db', delayMs: 0, endsAt: 100 });
    await expect(f.beforeCall({ kind: 'breaker', name: 'db' })).rejects.toBeInstanceOf(ChaosInjectedError);
    expect(f.beforeCall({ kind: 'breaker', name: 'mail' })).toBeUndefined();
    f.noteAll('breakersOpened');
    now = 100;
    expect(f.beforeCall({ kind: 'breaker', name: 'db' })).toBeUndefined();
    expect(f.end('c1')).toEqual({ failedCalls: 1, breakersOpened: 1 });
  });

  it('delays a call, and the deadline signal ends the wait as a failure', async () => {
    const f = faults();
    f.begin({ commandId: 'c2', fault: 'DELAY', target: 'handler', delayMs: 60_000, endsAt: 100 });
    const abort = new AbortController();
    const waiting = f.beforeCall({ kind: 'handler' }, abort.signal);
    abort.abort();
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
    expect(f.end('c2')).toEqual({ delayedCalls: 1 });
  });

  it('reports a simulated outage to the site it is for', () => {
    const f = faults();
    f.begin({ commandId: 'c3', fault: 'REDIS_OUTAGE', target: null, delayMs: 0, endsAt: 100 });
    expect(f.outage('registry')).toBeUndefined();
    expect(f.outage('redis')?.commandId).toBe('c3');
    expect(f.current()).toHaveLength(1);
    expect(f.end('c3')).toEqual({ refusedCalls: 1 });
    expect(f.current()).toHaveLength(0);
  });
});
