import { chunkBySize, recordBytes, RecordTooLargeError } from './record-size';

const record = (valueBytes: number, headers: Record<string, string> = {}) => ({ key: 'k', value: Buffer.alloc(valueBytes), headers });

describe('recordBytes', () => {
  it('counts key, value, header names and values (multi-byte characters as bytes) over a fixed overhead', () => {
    const base = recordBytes({ key: null, value: null, headers: {} });
    expect(recordBytes(record(100))).toBe(base + 1 + 100);
    expect(recordBytes({ key: null, value: null, headers: { ab: 'é' } })).toBe(base + 2 + 2 + 2);
  });
});

describe('chunkBySize', () => {
  it('keeps order and puts as many records in a run as fit', () => {
    const records = Array.from({ length: 10 }, () => record(1000));
    const size = recordBytes(records[0]!);
    const chunks = chunkBySize(records, size * 3);
    expect(chunks.map((c) => c.records.length)).toEqual([3, 3, 3, 1]);
    expect(chunks.map((c) => c.bytes)).toEqual([size * 3, size * 3, size * 3, size]);
    expect(chunks.flatMap((c) => c.records)).toEqual(records);
  });

  it('sends a record larger than the limit alone rather than dropping it', () => {
    const big = record(5000);
    const chunks = chunkBySize([record(10), big, record(10)], 1000);
    expect(chunks.map((c) => c.records)).toEqual([[expect.anything()], [big], [expect.anything()]]);
  });

  it('refuses a record over the record limit, naming its topic and size', () => {
    const big = { ...record(5000), topic: 'out' };
    expect(() => chunkBySize([record(10), big], 100_000, 1000)).toThrow(RecordTooLargeError);
    expect(() => chunkBySize([big], 100_000, 1000)).toThrow(/record for out is larger than the 1000 bytes/);
  });

  it('makes no runs of nothing', () => {
    expect(chunkBySize([], 1000)).toEqual([]);
  });
});
