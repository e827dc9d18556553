/** Appends to the list under `key` in place (spreading a new array per item made grouping quadratic). */
export function pushTo<K, V>(map: Map<K, V[]>, key: K, ...items: V[]): void {
  const list = map.get(key);
  if (list) list.push(...items);
  else map.set(key, items);
}
