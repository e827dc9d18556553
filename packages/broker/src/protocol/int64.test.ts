import { readInt64BE, writeInt64BE } from './int64';

describe('int64 without BigInt', () => {
  const values = [
    0,
    1,
    -1,
    255,
    -256,
    2 ** 31 - 1,
    -(2 ** 31),
    2 ** 31,
    2 ** 32 - 1,
    2 ** 32,
    -(2 ** 32),
    -(2 ** 32) - 1,
    1_700_000_000_123,
    -1_700_000_000_123,
    Number.MAX_SAFE_INTEGER,
    Number.MIN_SAFE_INTEGER,
  ];

  it('writes the same bytes as writeBigInt64BE', () => {
    for (const v of values) {
      const ours = Buffer.alloc(10);
      const ref = Buffer.alloc(10);
      writeInt64BE(ours, v, 1);
      ref.writeBigInt64BE(BigInt(v), 1);
      expect(ours.toString('hex')).toBe(ref.toString('hex'));
    }
  });

  it('reads what Number(readBigInt64BE) reads, beyond 2^53 too', () => {
    const b = Buffer.alloc(8);
    for (const v of [...values.map(BigInt), 2n ** 53n + 1n, 2n ** 63n - 1n, -(2n ** 63n), -(2n ** 53n) - 3n, 0x7fffffffffffff01n]) {
      b.writeBigInt64BE(v, 0);
      expect(readInt64BE(b, 0)).toBe(Number(b.readBigInt64BE(0)));
    }
    const rnd = Buffer.alloc(8);
    for (let i = 0; i < 2000; i++) {
      for (let k = 0; k < 8; k++) rnd[k] = (i * 131 + k * 71 + ((i * k) >> 3)) & 0xff;
      expect(readInt64BE(rnd, 0)).toBe(Number(rnd.readBigInt64BE(0)));
    }
  });

  it('keeps the BigInt behaviour for values that are not safe integers', () => {
    const b = Buffer.alloc(8);
    expect(() => writeInt64BE(b, 1.5, 0)).toThrow(RangeError);
    writeInt64BE(b, 2 ** 60, 0);
    expect(b.readBigInt64BE(0)).toBe(2n ** 60n);
  });
});

describe('int64 bounds', () => {
  it('fails out of range like the Buffer methods', () => {
    const b = Buffer.alloc(10);
    expect(() => writeInt64BE(b, 1, 3)).toThrow(/out of range/);
    expect(() => readInt64BE(b, 3)).toThrow(/out of range/);
    expect(() => readInt64BE(b, -1)).toThrow(/out of range/);
    expect(() => readInt64BE(b, 1.5)).toThrow(/out of range/);
    expect(readInt64BE(b, 2)).toBe(0);
  });
});
