import type { HeldState, ReplayNote } from './agent-store';
import { countStates, deadLetterStates, letterKey, type LetterFacts } from './states';

const letter = (offset: number, eventId: string, over: Partial<LetterFacts> = {}): LetterFacts => ({
  partition: 0,
  offset: String(offset),
  eventId,
  deadLetteredAt: 1_000 + offset,
  replay: null,
  ...over,
});
const note = (l: LetterFacts, eventId = l.eventId): [string, ReplayNote] => [letterKey(l), { partition: l.partition, offset: l.offset, eventId, replay: 'replay-1@t' }];

describe('deadLetterStates', () => {
  it('a dead letter nobody replayed is open, whatever the store says of its event', () => {
    const letters = [letter(0, 'a'), letter(1, 'b')];
    const held = new Map<string, HeldState>([['a', { state: 'done', outcome: 'dead-lettered' }]]);
    expect(deadLetterStates(letters, held, new Map())).toEqual(['open', 'open']);
  });

  it('a noted replay is replayed until its event is processed, then resolved', () => {
    const letters = [letter(0, 'a'), letter(1, 'b'), letter(2, 'c')];
    const notes = new Map([note(letters[0]!), note(letters[1]!)]);
    const held = new Map<string, HeldState>([
      ['a', { state: 'leased', owner: 'w' }],
      ['b', { state: 'done', outcome: 'processed' }],
      ['c', { state: 'done', outcome: 'degraded' }],
    ]);
    expect(deadLetterStates(letters, held, notes)).toEqual(['replayed', 'resolved', 'resolved']);
  });

  it('a replay that failed again leaves the older dead letter replayed and the newer one open', () => {
    const first = letter(0, 'a');
    const again = letter(3, 'a', { replay: 'replay-1@t' });
    expect(deadLetterStates([first, again], new Map([['a', { state: 'done', outcome: 'dead-lettered' }]]), new Map())).toEqual(['replayed', 'open']);
    // Told apart across partitions by time.
    const elsewhere = letter(0, 'a', { partition: 1, deadLetteredAt: 5_000, replay: 'replay-1@t' });
    expect(deadLetterStates([first, elsewhere], new Map(), new Map())).toEqual(['replayed', 'open']);
  });

  it('ignores a note that names another event (a DLQ topic made again reuses offsets)', () => {
    const l = letter(0, 'new');
    expect(deadLetterStates([l], new Map(), new Map([note(l, 'old')]))).toEqual(['open']);
  });

  it('counts states', () => {
    expect(countStates(['open', 'resolved', 'open'])).toEqual({ open: 2, replayed: 0, resolved: 1 });
  });
});
