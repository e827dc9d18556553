/**
 * Consecutive runs of `items`, each at most `maxCount` items and `maxBytes` bytes (an item larger
 * than `maxBytes` goes alone). Small enough that each run is one produce request, so a failed run
 * is never followed by a later one that got through: events of a key stay in order.
 */
export function sendChunks<T>(items: readonly T[], sizeOf: (item: T) => number, maxBytes: number, maxCount: number): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (current.length > 0 && (current.length >= maxCount || bytes + size > maxBytes)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
