/**
 * The offset to commit through after handling some of a batch: the last of the contiguous run of
 * handled records from the batch's start. Records after the first unhandled one are fetched again
 * (and found done, where they were), so nothing unhandled is ever committed past.
 */
export function committableThrough(offsets: readonly string[], handled: ReadonlySet<string>): string | undefined {
  let last: string | undefined;
  for (const offset of offsets) {
    if (!handled.has(offset)) break;
    last = offset;
  }
  return last;
}
