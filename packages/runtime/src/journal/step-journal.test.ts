import pino from 'pino';
import { MemoryCheckpointStore } from '../checkpoint/memory-checkpoint-store';
import type { CheckpointStore } from '../checkpoint/store';
import { journalId } from './journal-record';
import { prefetchedJournals, prefetchIds } from './prefetch';
import { DuplicateStepError, StepJournal, StepTimeoutError } from './step-journal';
import { nextStepTryInMs, resolveStepOptions } from './step-options';

const quiet = pino({ level: 'silent' });

/** A store that counts its calls (a Redis round trip each). */
function countingStore(): { store: CheckpointStore; calls: string[] } {
  const inner = new MemoryCheckpointStore(quiet);
  const calls: string[] = [];
  const store: CheckpointStore = {
    kind: 'memory',
    load: (a, id, l) => (calls.push(`load ${id}`), inner.load(a, id, l)),
    loadMany: (a, ids, l) => (calls.push(`loadMany ${ids.join(',')}`), inner.loadMany(a, ids, l)),
    save: (a, id, s) => (calls.push(`save ${id}`), inner.save(a, id, s)),
    clear: (a, id) => (calls.push(`clear ${id}`), inner.clear(a, id)),
    close: () => inner.close(),
  };
  return { store, calls };
}

function journal(store: CheckpointStore, signal: AbortSignal = new AbortController().signal): StepJournal {
  return new StepJournal({ store, agent: 'triage', eventId: 'e-1', logger: () => quiet, signal: () => signal, random: () => 0.5 });
}

describe('journaled steps', () => {
  it('run once: a later attempt of the event gets the journaled results back without running them', async () => {
    const { store, calls } = countingStore();
    const ran: string[] = [];
    const first = journal(store);
    expect(await first.run('draft', () => (ran.push('draft'), { text: 'hello' }))).toEqual({ text: 'hello' });
    expect(await first.run('send', async () => (ran.push('send'), undefined))).toBeUndefined();
    // One read of the journal for the event, one write per step.
    expect(calls).toEqual([`load ${journalId('e-1')}`, `save ${journalId('e-1')}`, `save ${journalId('e-1')}`]);

    const retry = journal(store);
    expect(await retry.run('draft', () => (ran.push('draft again'), { text: 'other' }))).toEqual({ text: 'hello' });
    expect(await retry.run('send', () => (ran.push('send again'), 'x'))).toBeUndefined();
    expect(await retry.run('notify', () => (ran.push('notify'), 3))).toBe(3);
    expect(ran).toEqual(['draft', 'send', 'notify']);
    expect(retry.used).toBe(true);
  });

  it('replays from a journal the worker read with its batch, without reading it again: one round trip per step', async () => {
    const { store, calls } = countingStore();
    await journal(store).run('draft', () => 'first');
    calls.length = 0;
    const loaded = await store.loadMany('triage', prefetchIds(['e-1', 'e-2']));
    const journals = prefetchedJournals(['e-1', 'e-2'], loaded);
    const ran: string[] = [];
    const retry = new StepJournal({ store, agent: 'triage', eventId: 'e-1', logger: () => quiet, signal: () => new AbortController().signal, random: () => 0.5, prefetched: journals.get('e-1') });
    expect(await retry.run('draft', () => (ran.push('draft again'), 'other'))).toBe('first');
    expect(await retry.run('send', () => (ran.push('send'), 2))).toBe(2);
    expect(ran).toEqual(['send']);
    expect(journals.get('e-2')).toEqual({ steps: {} });
    expect(calls).toEqual([`loadMany ${journalId('e-1')},${journalId('e-2')}`, `save ${journalId('e-1')}`]);
  });

  it('refuses a second step of one name in one handler call', async () => {
    const j = journal(countingStore().store);
    await j.run('a', () => 1);
    await expect(j.run('a', () => 2)).rejects.toBeInstanceOf(DuplicateStepError);
  });

  it('gives a step its own deadline and tries: a slow try times out, the next one succeeds, and only that result is journaled', async () => {
    const { store } = countingStore();
    let tries = 0;
    const value = await journal(store).run(
      'call',
      (signal) =>
        new Promise<string>((resolve, reject) => {
          tries += 1;
          if (tries === 1) signal.addEventListener('abort', () => reject(signal.reason as Error));
          else resolve(`try ${tries}`);
        }),
      { timeoutMs: 20, maxAttempts: 3, delaysMs: [1] },
    );
    expect(value).toBe('try 2');
    expect(await journal(store).run('call', () => 'not run')).toBe('try 2');
  });

  it("gives up after the step's last try with its error, journaling nothing", async () => {
    const { store, calls } = countingStore();
    let tries = 0;
    await expect(journal(store).run('slow', () => new Promise(() => void (tries += 1)), { timeoutMs: 10, maxAttempts: 2, delaysMs: [1] })).rejects.toBeInstanceOf(StepTimeoutError);
    expect(tries).toBe(2);
    expect(calls.filter((c) => c.startsWith('save'))).toEqual([]);
  });

  it("stops trying once the handler's own deadline has passed", async () => {
    const handler = new AbortController();
    let tries = 0;
    const failing = journal(countingStore().store, handler.signal).run(
      'x',
      () => {
        tries += 1;
        handler.abort(new Error('handler deadline'));
        throw new Error('boom');
      },
      { maxAttempts: 5 },
    );
    await expect(failing).rejects.toThrow('boom');
    expect(tries).toBe(1);
  });

  it('checks its options, with a clear message', () => {
    expect(() => resolveStepOptions('')).toThrow(/a step needs a name/);
    expect(() => resolveStepOptions('s', { maxAttempts: 0 })).toThrow(/maxAttempts must be a whole number >= 1/);
    expect(() => resolveStepOptions('s', { timeoutMs: 0 })).toThrow(/timeoutMs must be positive/);
    const options = resolveStepOptions('s', { maxAttempts: 3, delaysMs: [100, 500] });
    expect(nextStepTryInMs(options, 1, 0.5)).toBe(100);
    expect(nextStepTryInMs(options, 2, 0.5)).toBe(500);
    expect(nextStepTryInMs(options, 3, 0.5)).toBeUndefined();
  });
});
