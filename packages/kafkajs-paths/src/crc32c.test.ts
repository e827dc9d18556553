import { seeded } from '../../../test/support/seeded';
import { crc32c as maybeCrc32c } from './crc32c';

// kafkajs's own (byte at a time, unsigned), the reference.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const kafkajsCrc32c = require('kafkajs/src/protocol/recordBatch/crc32C/index.js') as (buffer: Buffer) => number;

// Where @node-rs/crc32 has no binary there is no crc32c and the produce request stays kafkajs's; every platform we
// build and test on has one, so its absence here fails the first test rather than skipping the rest.
const crc32c = maybeCrc32c ?? (() => NaN);

function randomBuffer(rnd: () => number, length: number): Buffer {
  const buf = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) buf[i] = Math.floor(rnd() * 256);
  return buf;
}

describe('crc32c (@node-rs/crc32)', () => {
  it("loads the library's binary for this platform", () => {
    expect(maybeCrc32c).toBeDefined();
  });

  it('gives the CRC-32C check value', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(Buffer.alloc(0))).toBe(0);
  });

  it("equals kafkajs's over random buffers of every length from 0 to 5,000", () => {
    const rnd = seeded(32);
    // Each a window at a random place of one random pool: filling 12 MB byte by byte takes seconds.
    const pool = randomBuffer(rnd, 16_384);
    for (let length = 0; length <= 5000; length++) {
      const from = Math.floor(rnd() * (pool.length - length));
      const buf = Buffer.from(pool.subarray(from, from + length));
      expect(crc32c(buf)).toBe(kafkajsCrc32c(buf));
    }
  });

  it("equals kafkajs's over sub-ranges, at every alignment", () => {
    const rnd = seeded(3232);
    const buf = randomBuffer(rnd, 6000);
    for (let i = 0; i < 2000; i++) {
      const start = Math.floor(rnd() * buf.length);
      const end = start + Math.floor(rnd() * (buf.length - start + 1));
      expect(crc32c(buf, start, end)).toBe(kafkajsCrc32c(buf.subarray(start, end)));
    }
    for (let start = 0; start < 16; start++) for (let end = start; end < start + 40; end++) expect(crc32c(buf, start, end)).toBe(kafkajsCrc32c(buf.subarray(start, end)));
  });

  it('reads an empty or out-of-bounds range as clamped to the buffer', () => {
    const buf = Buffer.from('123456789');
    expect(crc32c(buf, 5, 5)).toBe(0);
    expect(crc32c(buf, 7, 3)).toBe(0);
    expect(crc32c(buf, 0, 100)).toBe(0xe3069283);
  });
});

it('loads @node-rs/crc32 where it ships a binary (linux x64 here)', () => {
  if (process.platform === 'linux' && process.arch === 'x64') expect(maybeCrc32c).toBeDefined();
});
