import { crashed, livenessOf } from './liveness';

describe('liveness by TTL', () => {
  it('is alive while heartbeats arrive, stale when they are late, gone after long silence', () => {
    expect(livenessOf({ sentAt: 0, status: 'READY' }, 15_000)).toBe('alive');
    expect(livenessOf({ sentAt: 0, status: 'READY' }, 15_001)).toBe('stale');
    expect(livenessOf({ sentAt: 0, status: 'READY' }, 60_001)).toBe('gone');
  });

  it('is gone at once after a clean stop, which is not a crash', () => {
    expect(livenessOf({ sentAt: 0, status: 'STOPPING' }, 1)).toBe('gone');
    expect(crashed({ sentAt: 0, status: 'STOPPING' }, 120_000)).toBe(false);
    expect(crashed({ sentAt: 0, status: 'READY' }, 20_000)).toBe(true);
    expect(crashed({ sentAt: 0, status: 'READY' }, 5_000)).toBe(false);
  });
});
