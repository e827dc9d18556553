/**
 * Runs tasks with at most `limit` in flight, but tasks that share a key one
 * after another, in the order given: per-key order with cross-key concurrency.
 *
 * Items are grouped by key and up to `limit` workers each take a whole key's
 * run at a time. A failed task stops the rest of its key; other keys still
 * run, and the first failure is thrown once all have settled.
 */
export async function runKeyOrdered<T>(items: readonly T[], keyOf: (item: T, index: number) => string | number, limit: number, task: (item: T, index: number) => Promise<void>): Promise<void> {
  const runs = new Map<string | number, number[]>();
  items.forEach((item, i) => {
    const key = keyOf(item, i);
    const run = runs.get(key);
    if (run) run.push(i);
    else runs.set(key, [i]);
  });
  const queue = [...runs.values()];
  let next = 0;
  const failures: unknown[] = [];
  const work = async () => {
    while (next < queue.length) {
      const run = queue[next++]!;
      try {
        for (const i of run) await task(items[i]!, i);
      } catch (err) {
        failures.push(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), queue.length) }, work));
  if (failures.length > 0) throw failures[0];
}
