/**
 * Runs tasks with at most `limit` in flight, but tasks that share a key one
 * after another, in the order given: per-key order with cross-key concurrency.
 *
 * Items are chained by key first and up to `limit` workers each take a whole
 * key's chain at a time: no promise chain per item (that was a measurable part
 * of the worker's per-record cost). A failed task stops the rest of its key;
 * other keys still run, and the first failure is thrown once all have settled.
 */
export async function runKeyOrdered<T>(items: readonly T[], keyOf: (item: T, index: number) => string | number, limit: number, task: (item: T, index: number) => Promise<void>): Promise<void> {
  // Each key's items as a chain of indexes (first index per key, then `after[i]`): with mostly distinct
  // keys, no array per key.
  const firsts: number[] = [];
  const after = new Int32Array(items.length).fill(-1);
  const lastOfKey = new Map<string | number, number>();
  for (let i = 0; i < items.length; i++) {
    const key = keyOf(items[i]!, i);
    const last = lastOfKey.get(key);
    if (last === undefined) firsts.push(i);
    else after[last] = i;
    lastOfKey.set(key, i);
  }
  let nextChain = 0;
  let failed = false;
  let failure: unknown;
  const work = async () => {
    while (nextChain < firsts.length) {
      let i = firsts[nextChain++]!;
      try {
        for (; i !== -1; i = after[i]!) await task(items[i]!, i);
      } catch (err) {
        if (!failed) failure = err;
        failed = true;
      }
    }
  };
  const workers: Array<Promise<void>> = [];
  for (let w = 0; w < Math.min(Math.max(1, limit), firsts.length); w++) workers.push(work());
  await Promise.all(workers);
  if (failed) throw failure;
}
