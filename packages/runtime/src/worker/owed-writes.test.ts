import { StoreUnavailableError } from '../redis/errors';
import { OwedWrites, type OwedWrite } from './owed-writes';

/** A write that records itself in `log` and fails while `down.is` holds. */
function write(name: string, log: string[], down: { is: boolean }): OwedWrite {
  return {
    run: async () => {
      if (down.is) throw new StoreUnavailableError('idempotency', `${name}: store away`);
      log.push(name);
    },
  };
}

describe('OwedWrites', () => {
  it('runs a batch of writes directly while nothing is owed', async () => {
    const owed = new OwedWrites(() => 0);
    const log: string[] = [];
    const up = { is: false };
    await expect(owed.perform([write('complete', log, up), write('lines', log, up)])).resolves.toBeUndefined();
    expect(log).toEqual(['complete', 'lines']);
    expect(owed.size).toBe(0);
  });

  it('keeps the failed write and the rest, runs them first and in order once the store is back', async () => {
    const owed = new OwedWrites(() => 0);
    const log: string[] = [];
    const down = { is: false };
    const first = [write('complete-1', log, down), write('release-1', log, down)];
    // The completion fails: it and the release after it are owed.
    down.is = true;
    const error = await owed.perform(first);
    expect(error?.message).toBe('complete-1: store away');
    expect(owed.size).toBe(2);
    // A later batch while still down: owed behind the first.
    expect(await owed.perform([write('complete-2', log, down)])).toBeInstanceOf(Error);
    expect(owed.size).toBe(3);
    await expect(owed.flush()).rejects.toThrow('store away');
    down.is = false;
    await owed.flush();
    expect(log).toEqual(['complete-1', 'release-1', 'complete-2']);
    expect(owed.size).toBe(0);
  });

  it('throws what is not an unreachable store (a bug), owing nothing', async () => {
    const owed = new OwedWrites(() => 0);
    const bug: OwedWrite = { run: () => Promise.reject(new TypeError('a bug')) };
    await expect(owed.perform([bug])).rejects.toThrow(TypeError);
    expect(owed.size).toBe(0);
  });

  it('never runs an owed write twice when flushes overlap', async () => {
    const owed = new OwedWrites(() => 0);
    const log: string[] = [];
    const down = { is: true };
    await owed.perform([write('a', log, down), write('b', log, down)]);
    down.is = false;
    await Promise.all([owed.flush(), owed.flush(), owed.perform([write('c', log, down)])]);
    expect(log).toEqual(['a', 'b', 'c']);
  });

  it('remembers events handed on until they are seen again, or for ten minutes', () => {
    let now = 0;
    const owed = new OwedWrites(() => now);
    owed.rememberHandedOn(['e1', 'e2']);
    expect(owed.takeHandedOn('e1')).toBe(true);
    expect(owed.takeHandedOn('e1')).toBe(false); // seen once: forgotten
    now = 10 * 60_000;
    expect(owed.takeHandedOn('e2')).toBe(false);
    expect(owed.takeHandedOn('never')).toBe(false);
  });
});
