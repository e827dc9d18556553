import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { gunzipSync } from 'zlib';
import { crc32c } from '../protocol/crc32c';
import { BATCH_HEADER_SIZE, BatchField, decodeRecords, readBatchHeader } from '../protocol/record-batch';
import { buildRecordBatch, type RecordInput } from '../protocol/record-batch-builder';
import { logSettings } from '../state/topic-config';
import { FileStorage } from '../storage/file-storage';
import { MemoryStorage } from '../storage/memory-storage';
import type { BatchEntry, PartitionStorage } from '../storage/storage';
import { batchesToKeep, compactionSettings, compactPartition, summarizeBatch, type CompactionBatch, type CompactionSettings } from './compaction';
import { Partition } from './partition';

// ---- the pure decision -------------------------------------------------------------

let nextOffset = 0;
/** A batch summary: records as [key, value] with value null for a tombstone; offsets follow on. */
function batch(records: Array<[string | null, string | null]>, maxTimestamp = 0): CompactionBatch {
  const baseOffset = nextOffset;
  nextOffset += records.length;
  const entry: BatchEntry = { baseOffset, lastOffset: baseOffset + records.length - 1, maxTimestamp, position: baseOffset * 100, size: 100 };
  return { entry, content: { kind: 'records', records: records.map(([key, value], i) => ({ offset: baseOffset + i, key, tombstone: value === null })) } };
}
function opaque(count: number, maxTimestamp = 0): CompactionBatch {
  const baseOffset = nextOffset;
  nextOffset += count;
  return { entry: { baseOffset, lastOffset: baseOffset + count - 1, maxTimestamp, position: 0, size: 100 }, content: { kind: 'opaque' } };
}

const settings = (over: Partial<CompactionSettings> = {}): CompactionSettings => ({ minCompactionLagMs: 0, deleteRetentionMs: 1000, ...over });
const keptOffsets = (plans: ReturnType<typeof batchesToKeep>, segmentIndex: number): number[] | 'unchanged' => {
  const plan = plans.find((p) => p.segmentIndex === segmentIndex);
  return plan ? plan.keep.map((e) => e.baseOffset) : 'unchanged';
};

beforeEach(() => {
  nextOffset = 0;
});

describe('batchesToKeep', () => {
  it('drops a batch whose every record has a newer value for its key', () => {
    const b0 = batch([
      ['a', '1'],
      ['b', '1'],
    ]); // 0,1
    const b1 = batch([['a', '2']]); // 2
    const b2 = batch([
      ['b', '2'],
      ['c', '1'],
    ]); // 3,4
    const plans = batchesToKeep([[b0, b1, b2]], settings(), 10_000);
    expect(keptOffsets(plans, 0)).toEqual([2, 3]);
  });

  it('keeps a batch if any one record in it is still the latest for its key', () => {
    const b0 = batch([
      ['a', '1'],
      ['b', '1'],
    ]);
    const b1 = batch([['a', '2']]);
    expect(batchesToKeep([[b0, b1]], settings(), 10_000)).toEqual([]);
  });

  it('counts newer values in later non-active segments and drops across segments', () => {
    const s0 = [batch([['a', '1']]), batch([['b', '1']])];
    const s1 = [batch([['a', '2']]), batch([['b', '2']])];
    const plans = batchesToKeep([s0, s1], settings(), 10_000);
    expect(keptOffsets(plans, 0)).toEqual([]);
    expect(keptOffsets(plans, 1)).toBe('unchanged');
  });

  it('never drops records without a key', () => {
    const plans = batchesToKeep([[batch([[null, 'x']]), batch([[null, 'y']])]], settings(), 10_000);
    expect(plans).toEqual([]);
  });

  it('keeps batches it cannot decode, and their keys do not supersede anything', () => {
    const s0 = [batch([['a', '1']]), opaque(3), batch([['a', '2']])];
    expect(keptOffsets(batchesToKeep([s0], settings(), 10_000), 0)).toEqual([1, 4]);
  });

  it('leaves segments younger than min.compaction.lag.ms alone', () => {
    const now = 100_000;
    const old = [batch([['a', '1']], now - 60_000)];
    const young = [batch([['a', '2']], now - 1_000), batch([['a', '3']], now - 500)];
    const plans = batchesToKeep([old, young], settings({ minCompactionLagMs: 10_000 }), now);
    // The old segment is compacted (its value is superseded), the young one keeps its superseded 'a'=2.
    expect(keptOffsets(plans, 0)).toEqual([]);
    expect(keptOffsets(plans, 1)).toBe('unchanged');
    expect(batchesToKeep([old, young], settings({ minCompactionLagMs: 120_000 }), now)).toEqual([]);
  });

  it('only compacts a prefix of old-enough segments', () => {
    const now = 100_000;
    const s0 = [batch([['a', '1']], now - 60_000)];
    const s1 = [batch([['b', '1']], now)];
    const s2 = [
      batch(
        [
          ['a', '2'],
          ['b', '2'],
        ],
        now - 60_000,
      ),
    ];
    const plans = batchesToKeep([s0, s1, s2], settings({ minCompactionLagMs: 10_000 }), now);
    expect(plans.map((p) => p.segmentIndex)).toEqual([0]);
  });

  it('keeps the batches it is told to keep (idempotent producers’ newest), superseded or not', () => {
    const s0 = [batch([['a', '1']]), batch([['a', '2']]), batch([['a', '3']])];
    expect(keptOffsets(batchesToKeep([s0], settings(), 10_000, new Set([0])), 0)).toEqual([0, 2]);
    expect(keptOffsets(batchesToKeep([s0], settings(), 10_000), 0)).toEqual([2]);
  });

  describe('tombstones', () => {
    const now = 100_000;

    it('keeps an expired tombstone while a batch of its key must stay for a producer', () => {
      const s0 = [batch([['a', '1']], 0), batch([['a', null]], now - 5_000)];
      expect(batchesToKeep([s0], settings({ deleteRetentionMs: 1000 }), now, new Set([0]))).toEqual([]);
    });

    it('keeps the latest tombstone until delete.retention.ms has passed, dropping the values it deletes', () => {
      const s0 = [batch([['a', '1']], 0), batch([['a', null]], now - 500)];
      const plans = batchesToKeep([s0], settings({ deleteRetentionMs: 1000 }), now);
      expect(keptOffsets(plans, 0)).toEqual([1]);
    });

    it('removes an expired tombstone once nothing older of its key remains', () => {
      const s0 = [batch([['a', '1']], 0), batch([['a', null]], now - 5_000), batch([['b', '1']], now)];
      const plans = batchesToKeep([s0], settings({ deleteRetentionMs: 1000 }), now);
      expect(keptOffsets(plans, 0)).toEqual([2]);
    });

    it('keeps an expired tombstone while an older value of its key must stay (shared batch)', () => {
      // 'a'=1 shares its batch with the latest 'b', so that batch stays; dropping the tombstone would bring 'a'=1 back.
      const s0 = [
        batch(
          [
            ['a', '1'],
            ['b', '1'],
          ],
          0,
        ),
        batch([['a', null]], now - 5_000),
      ];
      const plans = batchesToKeep([s0], settings({ deleteRetentionMs: 1000 }), now);
      expect(plans).toEqual([]);
    });

    it('follows chains: a kept tombstone keeps the batch that holds it, which keeps other tombstones', () => {
      const s0 = [
        batch(
          [
            ['a', '1'],
            ['x', '1'],
          ],
          0,
        ), // x=1 is latest: kept, so tombstone a must stay
        batch(
          [
            ['a', null],
            ['b', '1'],
          ],
          0,
        ), // holds tombstone a (kept) -> batch kept -> b=1 stays
        batch([['b', null]], 0), // tombstone b: an older b stays, so it must stay too
      ];
      expect(batchesToKeep([s0], settings({ deleteRetentionMs: 1000 }), now)).toEqual([]);
    });

    it('keeps a tombstone that comes after a batch it cannot decode', () => {
      const s0 = [opaque(2, 0), batch([['a', null]], 0)];
      expect(batchesToKeep([s0], settings({ deleteRetentionMs: 1000 }), now)).toEqual([]);
    });

    it('a newer value after a tombstone supersedes it like any record', () => {
      const s0 = [batch([['a', null]], now), batch([['a', '2']], now)];
      expect(keptOffsets(batchesToKeep([s0], settings({ deleteRetentionMs: 1_000_000 }), now), 0)).toEqual([1]);
    });
  });
});

// ---- reading real batches ---------------------------------------------------------

function withCodec(batch: Buffer, codec: number): Buffer {
  const attrs = batch.readInt16BE(BatchField.attributes);
  batch.writeInt16BE((attrs & ~0x07) | codec, BatchField.attributes);
  batch.writeUInt32BE(crc32c(batch, BatchField.attributes), BatchField.crc);
  return batch;
}

describe('summarizeBatch', () => {
  const entry = (baseOffset: number): BatchEntry => ({ baseOffset, lastOffset: baseOffset + 1, maxTimestamp: 0, position: 0, size: 0 });

  it('reads keys, offsets and tombstones of plain and gzip batches', () => {
    for (const compression of ['none', 'gzip'] as const) {
      const b = buildRecordBatch({
        compression,
        records: [
          { key: 'k1', value: 'v' },
          { key: Buffer.from([0xff, 0x00]), value: null },
        ],
      });
      expect(summarizeBatch(entry(10), b).content).toEqual({
        kind: 'records',
        records: [
          { offset: 10, key: 'k1', tombstone: false },
          { offset: 11, key: Buffer.from([0xff, 0x00]).toString('latin1'), tombstone: true },
        ],
      });
    }
  });

  it('treats snappy, lz4, zstd and undecodable batches as opaque, and control batches as control', () => {
    for (const codec of [2, 3, 4]) expect(summarizeBatch(entry(0), withCodec(buildRecordBatch({ records: [{ key: 'k', value: 'v' }] }), codec)).content.kind).toBe('opaque');
    const broken = withCodec(buildRecordBatch({ records: [{ key: 'k', value: 'v' }] }), 1); // says gzip, is not
    expect(summarizeBatch(entry(0), broken).content.kind).toBe('opaque');
    expect(summarizeBatch(entry(0), buildRecordBatch({ control: true, transactional: true, records: [{ key: null, value: null }] })).content.kind).toBe('control');
  });
});

// ---- on a partition -----------------------------------------------------------------

const COMPACT = { 'cleanup.policy': 'compact', 'segment.bytes': '1', 'delete.retention.ms': '1000' };

function produce(p: Partition, records: RecordInput[], compression: 'none' | 'gzip' = 'none'): void {
  p.append([buildRecordBatch({ records, compression })]);
}

/** key -> value as a consumer reading the whole partition would end with. */
function finalView(p: Partition): Map<string, string | null> {
  const view = new Map<string, string | null>();
  for (const b of p.read(0, 1 << 30, true).batches) {
    const plain = readBatchHeader(b).attributes & 0x07 ? Buffer.concat([b.subarray(0, BATCH_HEADER_SIZE), gunzipSync(b.subarray(BATCH_HEADER_SIZE))]) : b;
    for (const r of decodeRecords(plain)) if (r.key) view.set(r.key.toString(), r.value?.toString() ?? null);
  }
  return view;
}
const offsetsOf = (p: Partition): number[] => p.read(0, 1 << 30, true).batches.map((b) => readBatchHeader(b).baseOffset);

describe('compactPartition', () => {
  function partitionOn(storage: PartitionStorage, now: () => number): Partition {
    return new Partition('t', 0, storage, logSettings(COMPACT), now);
  }

  it('keeps the latest record per key and every offset of what stays', () => {
    const p = partitionOn(new MemoryStorage().partition(), () => 0);
    produce(p, [{ key: 'a', value: '1', timestamp: 0 }]); // 0
    produce(p, [{ key: 'b', value: '1', timestamp: 0 }]); // 1
    produce(p, [{ key: 'a', value: '2', timestamp: 0 }]); // 2
    produce(
      p,
      [
        { key: 'c', value: '1', timestamp: 0 },
        { key: 'b', value: '2', timestamp: 0 },
      ],
      'gzip',
    ); // 3,4
    produce(p, [{ key: 'a', value: '3', timestamp: 0 }]); // 5: active segment, not looked at
    const before = finalView(p);
    const outcome = compactPartition(p, compactionSettings(COMPACT), 10);
    expect(outcome.batchesDropped).toBe(2);
    expect(offsetsOf(p)).toEqual([2, 3, 5]);
    expect(finalView(p)).toEqual(before);
    expect(p.highWatermark).toBe(6);
    // A fetch inside a gap continues at the next batch.
    expect(readBatchHeader(p.read(0, 1, true).batches[0]!).baseOffset).toBe(2);
  });

  it('removes tombstones only after delete.retention.ms', () => {
    let now = 0;
    const p = partitionOn(new MemoryStorage().partition(), () => now);
    produce(p, [{ key: 'a', value: '1', timestamp: 0 }]);
    produce(p, [{ key: 'a', value: null, timestamp: 0 }]);
    produce(p, [{ key: 'z', value: 'active', timestamp: 0 }]);
    compactPartition(p, compactionSettings(COMPACT), now);
    expect(offsetsOf(p)).toEqual([1, 2]);
    expect(finalView(p).get('a')).toBeNull();
    now = 999;
    compactPartition(p, compactionSettings(COMPACT), now);
    expect(offsetsOf(p)).toEqual([1, 2]);
    now = 1001;
    compactPartition(p, compactionSettings(COMPACT), now);
    expect(offsetsOf(p)).toEqual([2]);
    expect(finalView(p).has('a')).toBe(false);
  });

  it('keeps snappy/lz4/zstd batches whole and never loses a latest value hidden in them', () => {
    const p = partitionOn(new MemoryStorage().partition(), () => 0);
    produce(p, [{ key: 'a', value: '1', timestamp: 0 }]);
    p.append([withCodec(buildRecordBatch({ records: [{ key: 'a', value: 'in-snappy', timestamp: 0 }] }), 2)]);
    produce(p, [{ key: 'z', value: 'active', timestamp: 0 }]);
    compactPartition(p, compactionSettings(COMPACT), 10);
    expect(offsetsOf(p)).toEqual([0, 1, 2]);
  });

  it('keeps each idempotent producer’s newest batch, so a restart rebuilds its last sequence', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'compaction-'));
    const idempotent = (producerId: number, seq: number, key: string, value: string) => buildRecordBatch({ producerId, producerEpoch: 0, baseSequence: seq, records: [{ key, value, timestamp: 0 }] });
    try {
      const s1 = new FileStorage(dir);
      const p1 = partitionOn(s1.partition('t', 0), () => 0);
      p1.append([idempotent(5, 0, 'a', '1')]); // 0: superseded by 1
      p1.append([idempotent(5, 1, 'a', '2')]); // 1: superseded by 2, but producer 5's newest batch
      p1.append([idempotent(6, 0, 'a', '3')]); // 2: superseded by 3, producer 6 wrote again
      p1.append([idempotent(6, 1, 'a', '4')]); // 3: latest for a
      produce(p1, [{ key: 'z', value: 'active', timestamp: 0 }]); // 4: active segment
      compactPartition(p1, compactionSettings(COMPACT), 10);
      expect(offsetsOf(p1)).toEqual([1, 3, 4]);
      p1.close();
      s1.close();

      const s2 = new FileStorage(dir);
      const p2 = partitionOn(s2.partition('t', 0), () => 0);
      expect(p2.append([idempotent(5, 1, 'a', '2')]).baseOffset).toBe(1); // a retry: still a duplicate
      expect(p2.append([idempotent(5, 2, 'a', '5')]).baseOffset).toBe(5); // the next sequence, not a gap
      expect(p2.append([idempotent(6, 2, 'a', '6')]).baseOffset).toBe(6);
      p2.close();
      s2.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('persists the compacted segments through a restart on a data dir', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'compaction-'));
    try {
      const s1 = new FileStorage(dir);
      const p1 = partitionOn(s1.partition('t', 0), () => 0);
      for (let i = 0; i < 20; i++) produce(p1, [{ key: `k${i % 4}`, value: `v${i}`, timestamp: 0 }]);
      const outcome = compactPartition(p1, compactionSettings(COMPACT), 10);
      expect(outcome.batchesDropped).toBe(15); // 19 non-active batches, the last of each of 4 keys stay (k3 is active)
      const view = finalView(p1);
      p1.close();
      s1.close();

      const s2 = new FileStorage(dir);
      const p2 = partitionOn(s2.partition('t', 0), () => 0);
      expect(offsetsOf(p2)).toEqual([15, 16, 17, 18, 19]);
      expect(finalView(p2)).toEqual(view);
      expect(p2.highWatermark).toBe(20);
      expect(s2.recovery.events).toEqual([]);
      p2.close();
      s2.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
