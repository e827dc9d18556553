import { gunzipSync } from 'zlib';
import { crc32c } from './crc32c';
import { Attribute, BATCH_HEADER_SIZE, BatchField, decodeRecords, readBatchHeader, splitBatches } from './record-batch';
import { buildRecordBatch } from './record-batch-builder';

describe('buildRecordBatch', () => {
  it('builds a batch whose records decodeRecords reads back', () => {
    const batch = buildRecordBatch({
      baseOffset: 42,
      records: [
        { key: 'k1', value: 'v1', timestamp: 1_700_000_000_000 },
        { key: null, value: Buffer.from([0, 1, 2, 255]), timestamp: 1_700_000_000_500, headers: [{ key: 'h', value: 'x' }] },
        { key: 'k1', value: null, timestamp: 1_700_000_000_250 },
      ],
    });
    const h = readBatchHeader(batch);
    expect(h).toMatchObject({ baseOffset: 42, size: batch.length, magic: 2, lastOffsetDelta: 2, recordCount: 3, baseTimestamp: 1_700_000_000_000, maxTimestamp: 1_700_000_000_500, producerId: -1 });
    const records = decodeRecords(batch);
    expect(records).toHaveLength(3);
    expect(records.map((r) => r.offsetDelta)).toEqual([0, 1, 2]);
    expect(records.map((r) => r.timestampDelta)).toEqual([0, 500, 250]);
    expect(records[0]!.key!.toString()).toBe('k1');
    expect(records[0]!.value!.toString()).toBe('v1');
    expect(records[1]!.key).toBeNull();
    expect([...records[1]!.value!]).toEqual([0, 1, 2, 255]);
    expect(records[2]!.value).toBeNull();
  });

  it('writes a CRC-32C the broker accepts', () => {
    const batch = buildRecordBatch({ records: [{ key: 'a', value: 'b' }] });
    expect(batch.readUInt32BE(BatchField.crc)).toBe(crc32c(batch, BatchField.attributes));
    const split = splitBatches(Buffer.concat([batch, buildRecordBatch({ records: [{ key: 'c', value: 'd' }] })]));
    expect('batches' in split && split.batches.length).toBe(2);
  });

  it('encodes large varints (offset deltas and timestamps past 2^31) exactly', () => {
    const batch = buildRecordBatch({ baseTimestamp: 0, records: [{ key: 'k', value: 'v', timestamp: 2 ** 40 + 7, offsetDelta: 70000 }] });
    const [rec] = decodeRecords(batch);
    expect(rec!.timestampDelta).toBe(2 ** 40 + 7);
    expect(rec!.offsetDelta).toBe(70000);
    expect(readBatchHeader(batch).lastOffsetDelta).toBe(70000);
  });

  it('gzips the records and flags the codec', () => {
    const batch = buildRecordBatch({ compression: 'gzip', records: [{ key: 'k', value: 'x'.repeat(1000) }] });
    expect(readBatchHeader(batch).attributes & Attribute.compressionMask).toBe(1);
    expect(batch.length).toBeLessThan(200);
    const plain = Buffer.concat([batch.subarray(0, BATCH_HEADER_SIZE), gunzipSync(batch.subarray(BATCH_HEADER_SIZE))]);
    expect(decodeRecords(plain)[0]!.value!.toString()).toBe('x'.repeat(1000));
  });

  it('sets producer fields and control/transactional flags', () => {
    const batch = buildRecordBatch({ producerId: 9, producerEpoch: 1, baseSequence: 5, transactional: true, control: true, records: [{ key: null, value: null }] });
    const h = readBatchHeader(batch);
    expect(h).toMatchObject({ producerId: 9, producerEpoch: 1, baseSequence: 5 });
    expect(h.attributes & (Attribute.transactional | Attribute.control)).toBe(Attribute.transactional | Attribute.control);
  });
});
