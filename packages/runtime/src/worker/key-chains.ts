/**
 * Runs tasks with at most `limit` in flight, but tasks that share a key one
 * after another, in the order given: per-key order with cross-key concurrency.
 *
 * Items are grouped by key first and up to `limit` workers each take a whole
 * key's list at a time: no promise chain per item (that was a measurable part
 * of the worker's per-record cost). A failed task stops the rest of its key;
 * other keys still run, and the first failure is thrown once all have settled.
 */
export async function runKeyOrdered<T>(items: readonly T[], keyOf: (item: T, index: number) => string, limit: number, task: (item: T, index: number) => Promise<void>): Promise<void> {
  const byKey = new Map<string, number[]>();
  for (let i = 0; i < items.length; i++) {
    const key = keyOf(items[i]!, i);
    const list = byKey.get(key);
    if (list) list.push(i);
    else byKey.set(key, [i]);
  }
  const lists = [...byKey.values()];
  let nextList = 0;
  let failed = false;
  let failure: unknown;
  const work = async () => {
    while (nextList < lists.length) {
      const list = lists[nextList++]!;
      try {
        for (const i of list) await task(items[i]!, i);
      } catch (err) {
        if (!failed) failure = err;
        failed = true;
      }
    }
  };
  const workers: Array<Promise<void>> = [];
  for (let w = 0; w < Math.min(Math.max(1, limit), lists.length); w++) workers.push(work());
  await Promise.all(workers);
  if (failed) throw failure;
}
