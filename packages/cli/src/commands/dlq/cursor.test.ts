import { PartitionCursor } from './cursor';

describe('the replay cursor of a partition', () => {
  it('moves over replayed and otherwise settled records', () => {
    const c = new PartitionCursor();
    expect(c.committable).toBeUndefined();
    c.record(4n, 'replayed');
    c.record(5n, 'already-processed');
    c.record(6n, 'same-event-handled');
    expect(c.committable).toBe(7n);
  });

  it('stops at the first record a filter passed over or that is in flight, for the rest of the run', () => {
    const c = new PartitionCursor();
    c.record(0n, 'replayed');
    c.record(1n, 'not-matching');
    c.record(2n, 'replayed');
    expect(c.committable).toBe(1n);
    const d = new PartitionCursor();
    d.record(0n, 'in-flight');
    d.record(1n, 'replayed');
    expect(d.committable).toBeUndefined();
  });
});
