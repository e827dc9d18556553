import { runKeyOrdered } from './key-chains';

describe('runKeyOrdered', () => {
  it('keeps per-key order while running different keys side by side, within the limit', async () => {
    const log: string[] = [];
    let inFlight = 0;
    let peak = 0;
    const items = ['a1', 'b1', 'a2', 'c1', 'b2', 'a3'];
    await runKeyOrdered(
      items,
      (i) => i[0]!,
      2,
      async (item) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setImmediate(r));
        log.push(item);
        inFlight--;
      },
    );
    for (const key of ['a', 'b']) expect(log.filter((x) => x[0] === key)).toEqual(items.filter((x) => x[0] === key));
    expect(peak).toBe(2);
    expect(log).toHaveLength(6);
  });

  it('propagates a task failure', async () => {
    await expect(
      runKeyOrdered(
        [1, 2],
        (i) => String(i),
        4,
        async (i) => {
          if (i === 2) throw new Error('x');
        },
      ),
    ).rejects.toThrow('x');
  });
});
