import pino from 'pino';
import { ReplyClock, type ReplyPartitionOffsets } from './reply-clock';

/** A ReplyClock whose lookups the test answers by hand. */
function clockWithLookups() {
  let now = 1_000;
  const asked: { partitions: readonly number[]; answer: (offsets: Map<number, ReplyPartitionOffsets>) => void; refuse: (error: Error) => void }[] = [];
  const clock = new ReplyClock({
    clock: () => now,
    logger: pino({ level: 'silent' }),
    lookUp: (partitions) => new Promise((answer, refuse) => asked.push({ partitions, answer, refuse })),
  });
  return { clock, asked, setNow: (t: number) => (now = t) };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('ReplyClock', () => {
  it('knows nothing read before a probe: no deadline passes', () => {
    const { clock } = clockWithLookups();
    expect(clock.readThrough(0)).toBe(0);
  });

  it('moves to the probe time once everything below the end the probe found is applied', async () => {
    const { clock, asked, setNow } = clockWithLookups();
    clock.probe([0, 1]);
    setNow(5_000);
    asked[0]!.answer(
      new Map([
        [0, { end: 10, committed: 10 }], // caught up already
        [1, { end: 20, committed: 12 }], // eight replies behind
      ]),
    );
    await settle();
    expect(clock.readThrough(0)).toBe(1_000);
    expect(clock.readThrough(1)).toBe(0);
    clock.applied(1, 19);
    expect(clock.readThrough(1)).toBe(0);
    clock.applied(1, 20);
    expect(clock.readThrough(1)).toBe(1_000);
  });

  it('asks again only once the last probe is settled', async () => {
    const { clock, asked, setNow } = clockWithLookups();
    clock.probe([0]);
    clock.probe([0]);
    expect(asked).toHaveLength(1);
    asked[0]!.answer(new Map([[0, { end: 5, committed: 3 }]]));
    await settle();
    clock.probe([0]); // still waiting on the intake for the first
    expect(asked).toHaveLength(1);
    clock.applied(0, 5);
    setNow(2_000);
    clock.probe([0]);
    expect(asked).toHaveLength(2);
    asked[1]!.answer(new Map([[0, { end: 5, committed: 5 }]]));
    await settle();
    expect(clock.readThrough(0)).toBe(2_000);
  });

  it('forgets on an ownership change, ignoring answers to probes from before it', async () => {
    const { clock, asked } = clockWithLookups();
    clock.probe([0]);
    clock.forget();
    asked[0]!.answer(new Map([[0, { end: 0, committed: 0 }]]));
    await settle();
    expect(clock.readThrough(0)).toBe(0);
    clock.probe([0]);
    expect(asked).toHaveLength(2);
  });

  it('tries again after a failed lookup', async () => {
    const { clock, asked } = clockWithLookups();
    clock.probe([3]);
    asked[0]!.refuse(new Error('broker away'));
    await settle();
    clock.probe([3]);
    expect(asked).toHaveLength(2);
  });
});
