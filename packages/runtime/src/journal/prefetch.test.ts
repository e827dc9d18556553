import type { ClaimResult } from '../idempotency/store';
import { journalId } from './journal-record';
import { journalsToPrefetch, prefetchedJournals, prefetchIds } from './prefetch';

const claims = new Map<string, ClaimResult>([
  ['a', { state: 'acquired' }],
  ['b', { state: 'done', outcome: 'processed' }],
  ['c', { state: 'busy', owner: 'other' }],
  ['d', { state: 'acquired' }],
]);

describe('step journal prefetch', () => {
  it('reads nothing for an agent not yet seen calling ctx.step', () => {
    expect(journalsToPrefetch(['a', 'd'], [false, false], claims, false)).toEqual([]);
  });

  it("reads only the journals of events this instance will run: claimed, not done, not busy, not a batch's repeat", () => {
    expect(journalsToPrefetch(['a', 'b', 'c', 'd', 'a', 'x'], [false, false, false, false, true, false], claims, true)).toEqual(['a', 'd']);
  });

  it('gives each event its journal by event id, an empty one when none is stored or it is not a journal', () => {
    expect(prefetchIds(['a'])).toEqual([journalId('a')]);
    const loaded = new Map([
      [journalId('a'), { version: 2, state: { steps: { draft: { value: 'x' } } } }],
      [journalId('d'), { version: 1, state: 'not a journal' }],
    ]);
    const journals = prefetchedJournals(['a', 'd', 'e'], loaded);
    expect(journals.get('a')).toEqual({ steps: { draft: { value: 'x' } } });
    expect(journals.get('d')).toEqual({ steps: {} });
    expect(journals.get('e')).toEqual({ steps: {} });
  });
});
