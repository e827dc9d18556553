import * as crypto from 'node:crypto';
import { createHash, randomUUID } from 'node:crypto';

// crypto.hash (node >= 20.12) is a one-shot digest straight to hex, without a Hash object or a Buffer.
const sha256Hex: (data: string) => string = typeof crypto.hash === 'function' ? (data) => crypto.hash('sha256', data, 'hex') : (data) => createHash('sha256').update(data).digest('hex');

/** The RFC 9562 variant nibble (10xx) for each hex digit of a hash. */
const VARIANT_NIBBLE = Object.fromEntries([...'0123456789abcdef'].map((c) => [c, ((parseInt(c, 16) & 0x3) | 0x8).toString(16)]));

export function newEventId(): string {
  return randomUUID();
}

/**
 * The id of an agent's `index`-th output to `topic` for input `inputEventId`.
 * Deterministic, so a handler re-run after a crash produces the same ids and
 * downstream agents recognise the duplicates. Shaped as a UUID (version 8).
 */
export function deriveEventId(inputEventId: string, topic: string, index: number): string {
  const h = sha256Hex(`${inputEventId}\u0000${topic}\u0000${index}`);
  // The first 16 bytes, with version 8 in the 7th byte's high nibble and the variant in the 9th's.
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${VARIANT_NIBBLE[h[16]!]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
