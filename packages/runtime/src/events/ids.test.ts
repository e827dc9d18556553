import { deriveEventId, newEventId } from './ids';

describe('deriveEventId', () => {
  it('derives the ids earlier versions derived (a re-run after an upgrade must still be recognised)', () => {
    expect(deriveEventId('e-1', 'ocr/invoices.extracted', 0)).toBe('6ddc79d1-c5a4-8aa4-8af6-097893e1bf96');
    expect(deriveEventId('4f1c2a9e-0000-4000-8000-000000000001', 'validation/invoices.validated', 3)).toBe('e0a6fe1c-44d9-8c86-8e06-906980d02cb0');
    expect(deriveEventId('ünïcode-id', 'agent/topic', 12)).toBe('f4ae870d-784f-8e54-aa0b-c77d0fcbfca2');
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
