/**
 * Runs tasks with at most `limit` in flight, but tasks that share a key one
 * after another, in the order given: per-key order with cross-key concurrency.
 */
export async function runKeyOrdered<T>(items: readonly T[], keyOf: (item: T, index: number) => string, limit: number, task: (item: T, index: number) => Promise<void>): Promise<void> {
  let inFlight = 0;
  const waiting: Array<() => void> = [];
  const acquire = async () => {
    if (inFlight < limit) {
      inFlight++;
      return;
    }
    await new Promise<void>((resolve) => waiting.push(resolve));
  };
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else inFlight--;
  };
  const tails = new Map<string, Promise<void>>();
  const all = items.map((item, index) => {
    const key = keyOf(item, index);
    const run = (tails.get(key) ?? Promise.resolve()).then(async () => {
      await acquire();
      try {
        await task(item, index);
      } finally {
        release();
      }
    });
    tails.set(key, run);
    return run;
  });
  await Promise.all(all);
}
