import { Header } from '../events/headers';
import { REPLAYED_DUPLICATE_MESSAGE, replayedDuplicate } from './replayed-duplicate';

const record = (headers: Record<string, string>) => ({ eventId: 'e-1', headers: { [Header.eventId]: 'e-1', ...headers }, topic: 'billing.retry.0', partition: 2, offset: '17' });

describe('replayedDuplicate', () => {
  it('describes a replayed record dropped as a duplicate, naming its event and what made it one', () => {
    expect(replayedDuplicate(record({ [Header.replay]: 'replay-0badf00d@2025-06-01T12:00:00.000Z' }), { state: 'done', outcome: 'dead-lettered' })).toEqual({
      eventId: 'e-1',
      replay: 'replay-0badf00d@2025-06-01T12:00:00.000Z',
      topic: 'billing.retry.0',
      partition: 2,
      offset: '17',
      completion: 'dead-lettered',
    });
    expect(replayedDuplicate(record({ [Header.replay]: 'replay-1@t' }), undefined)?.completion).toBe('earlier copy');
    expect(REPLAYED_DUPLICATE_MESSAGE).toMatch(/^replayed event dropped as a duplicate/);
  });

  it('says nothing of records no replay sent', () => {
    expect(replayedDuplicate(record({}), { state: 'done', outcome: 'processed' })).toBeUndefined();
  });
});
