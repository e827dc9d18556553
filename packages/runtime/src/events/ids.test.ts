import { createHash } from 'node:crypto';
import { seeded } from '../../../../test/support/seeded';
import { deriveEventId, newEventId } from './ids';

/** The derivation as first written, from the hex string: the reference every later version must match. */
function firstDerivation(inputEventId: string, topic: string, index: number): string {
  const h = createHash('sha256').update(`${inputEventId}\u0000${topic}\u0000${index}`).digest('hex');
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

describe('deriveEventId', () => {
  it('derives the ids earlier versions derived (a re-run after an upgrade must still be recognised)', () => {
    expect(deriveEventId('e-1', 'ocr/invoices.extracted', 0)).toBe('6ddc79d1-c5a4-8aa4-8af6-097893e1bf96');
    expect(deriveEventId('4f1c2a9e-0000-4000-8000-000000000001', 'validation/invoices.validated', 3)).toBe('e0a6fe1c-44d9-8c86-8e06-906980d02cb0');
    expect(deriveEventId('ünïcode-id', 'agent/topic', 12)).toBe('f4ae870d-784f-8e54-aa0b-c77d0fcbfca2');
  });

  it('derives what the first derivation did, over 5,000 random inputs', () => {
    const rnd = seeded(99);
    const pieces = ['', 'e', 'ünï', '🙂', '4f1c2a9e-0000-4000-8000-000000000001', 'x'.repeat(200)];
    for (let i = 0; i < 5000; i++) {
      const input = pieces[Math.floor(rnd() * pieces.length)]! + String(Math.floor(rnd() * 1e9));
      const topic = `agent-${i % 13}/${pieces[i % pieces.length]}topic`;
      const index = Math.floor(rnd() * 1000);
      expect(deriveEventId(input, topic, index)).toBe(firstDerivation(input, topic, index));
    }
  });

  it('is shaped as a version 8, RFC 9562 variant UUID, distinct per input, topic and position', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const id = deriveEventId(`in-${i % 50}`, `a/t-${i % 7}`, i % 3);
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      ids.add(id);
    }
    // One id per distinct (input, topic, position) met.
    const combos = new Set(Array.from({ length: 2000 }, (_, i) => `${i % 50}/${i % 7}/${i % 3}`));
    expect(ids.size).toBe(combos.size);
  });
});

describe('newEventId', () => {
  it('is a random UUID', () => {
    expect(newEventId()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(newEventId()).not.toBe(newEventId());
  });
});
