/** alive: heartbeats arrive; stale: they are late; gone: none for long, or the last one said it was stopping. */
export type Liveness = 'alive' | 'stale' | 'gone';

/** How long heartbeats may be late before an instance is stale, then gone. */
export interface LivenessTtl {
  staleAfterMs: number;
  goneAfterMs: number;
}

/** Three missed heartbeats of the default 5 s make an instance stale; twelve make it gone. */
export const DEFAULT_TTL: LivenessTtl = { staleAfterMs: 15_000, goneAfterMs: 60_000 };

export function livenessOf(last: { sentAt: number; status: string }, now: number, ttl: LivenessTtl = DEFAULT_TTL): Liveness {
  if (last.status === 'STOPPING') return 'gone';
  const age = now - last.sentAt;
  if (age > ttl.goneAfterMs) return 'gone';
  return age > ttl.staleAfterMs ? 'stale' : 'alive';
}

/** An instance that went silent without saying it was stopping: it crashed, or its host did. */
export function crashed(last: { sentAt: number; status: string }, now: number, ttl: LivenessTtl = DEFAULT_TTL): boolean {
  return last.status !== 'STOPPING' && livenessOf(last, now, ttl) !== 'alive';
}
