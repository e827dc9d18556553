import { crc32c } from './crc32c';

/** The definition, one bit at a time: slow and obviously right, the reference. */
function bytewise(b: Buffer): number {
  let c = 0xffffffff;
  for (const x of b) {
    c ^= x;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

describe('crc32c', () => {
  it('matches the standard check value', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(Buffer.alloc(0))).toBe(0);
  });

  it('agrees with the byte-wise CRC for every length', () => {
    const data = Buffer.from(Array.from({ length: 40 }, (_, i) => (i * 37 + 11) & 0xff));
    for (let len = 0; len <= data.length; len++) expect(crc32c(data, 0, len)).toBe(bytewise(data.subarray(0, len)));
  });

  it('honours start and end', () => {
    const b = Buffer.from('xx123456789yy');
    expect(crc32c(b, 2, 11)).toBe(0xe3069283);
  });

  it('agrees with the byte-wise CRC for long inputs at every alignment and length', () => {
    const data = Buffer.from(Array.from({ length: 400 }, (_, i) => (i * 131 + 17) & 0xff));
    for (let start = 0; start < 8; start++) {
      for (let end = start + 60; end <= data.length; end += 7) expect(crc32c(data, start, end)).toBe(bytewise(data.subarray(start, end)));
    }
    // A view whose byteOffset is not 4-aligned.
    const view = data.subarray(3, 300);
    expect(crc32c(view)).toBe(bytewise(view));
    expect(crc32c(view, 5, 250)).toBe(bytewise(view.subarray(5, 250)));
  });
});
