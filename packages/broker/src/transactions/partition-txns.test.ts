import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { summarizeBatch } from '../log/compaction';
import { Partition } from '../log/partition';
import { ErrorCode } from '../protocol/errors';
import { Attribute, readBatchHeader } from '../protocol/record-batch';
import { buildRecordBatch } from '../protocol/record-batch-builder';
import { logSettings } from '../state/topic-config';
import { FileStorage } from '../storage/file-storage';
import { MemoryStorage } from '../storage/memory-storage';
import { buildTransactionMarker, CONTROL_KEY_SPAN, ControlType, controlTypeOf } from './control-batch';
import { PartitionTransactions } from './partition-txns';

describe('PartitionTransactions', () => {
  it('holds the last stable offset at the oldest open transaction and indexes aborted ones', () => {
    const t = new PartitionTransactions();
    expect(t.lastStableOffset(10)).toBe(10);
    t.dataAppended(1, 10);
    t.dataAppended(2, 12);
    t.dataAppended(1, 14); // the same transaction goes on
    expect(t.lastStableOffset(16)).toBe(10);
    t.markerAppended(1, false, 16);
    expect(t.lastStableOffset(17)).toBe(12);
    t.markerAppended(2, true, 17);
    expect(t.lastStableOffset(18)).toBe(18);
    expect(t.abortedBetween(0, 18)).toEqual([{ producerId: 1, firstOffset: 10, lastOffset: 16 }]);
    // Reads that end before it or start after its marker do not overlap it.
    expect(t.abortedBetween(0, 10)).toEqual([]);
    expect(t.abortedBetween(17, 18)).toEqual([]);
    t.forgetBelow(17);
    expect(t.abortedBetween(0, 18)).toEqual([]);
  });

  it('ignores a marker for a producer with nothing open (a marker replayed after a crash)', () => {
    const t = new PartitionTransactions();
    t.markerAppended(1, false, 3);
    expect(t.abortedBetween(0, 10)).toEqual([]);
  });

  it('lists overlapping aborted transactions by first offset', () => {
    const t = new PartitionTransactions();
    t.dataAppended(1, 0);
    t.dataAppended(2, 1);
    t.markerAppended(2, false, 2);
    t.markerAppended(1, false, 3);
    expect(t.abortedBetween(0, 4).map((a) => a.producerId)).toEqual([1, 2]);
  });
});

describe('transaction markers', () => {
  it('are control batches whose key names commit or abort, readable from the batch head', () => {
    for (const commit of [true, false]) {
      const marker = buildTransactionMarker(7, 3, commit, 1_000);
      const h = readBatchHeader(marker);
      expect(h.attributes & (Attribute.control | Attribute.transactional)).toBe(Attribute.control | Attribute.transactional);
      expect([h.producerId, h.producerEpoch, h.baseSequence, h.recordCount]).toEqual([7, 3, -1, 1]);
      expect(controlTypeOf(marker.subarray(0, 61 + CONTROL_KEY_SPAN), h.attributes)).toBe(commit ? ControlType.commit : ControlType.abort);
    }
    expect(controlTypeOf(buildRecordBatch({ records: [{ key: 'k', value: 'v' }] }), 0)).toBeNull();
  });
});

describe('a partition with transactions', () => {
  const txnBatch = (producerId: number, baseSequence: number, ...values: string[]) =>
    buildRecordBatch({ producerId, producerEpoch: 0, baseSequence, transactional: true, records: values.map((v) => ({ key: v, value: v })) });

  it('reads committed data up to the last stable offset, and a bumped marker epoch fences the producer', () => {
    const p = new Partition('t', 0, new MemoryStorage().partition('t', 0), logSettings({}), () => 1_000);
    expect(p.append([txnBatch(5, 0, 'a', 'b')]).errorCode).toBe(ErrorCode.NONE);
    expect(p.lastStableOffset).toBe(0);
    expect(p.read(0, 1 << 20, true, p.lastStableOffset).batches).toEqual([]);
    expect(p.writeMarker(5, 1, false)).toBe(true);
    expect(p.writeMarker(5, 1, false)).toBe(false);
    expect([p.highWatermark, p.lastStableOffset]).toEqual([3, 3]);
    expect(p.abortedTransactions(0, 3)).toEqual([{ producerId: 5, firstOffset: 0, lastOffset: 2 }]);
    expect(p.append([txnBatch(5, 2, 'c')]).errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
  });

  it('keeps transactional batches out of compaction’s key decisions (they may be open or aborted)', () => {
    const batch = txnBatch(5, 0, 'a');
    expect(summarizeBatch({ baseOffset: 0, lastOffset: 0, maxTimestamp: 0, position: 0, size: batch.length }, batch).content).toEqual({ kind: 'opaque' });
  });

  it('refuses control batches from producers', () => {
    const p = new Partition('t', 0, new MemoryStorage().partition('t', 0), logSettings({}), () => 1_000);
    expect(p.append([buildRecordBatch({ control: true, transactional: true, producerId: 1, producerEpoch: 0, records: [{ key: 'k', value: 'v' }] })]).errorCode).toBe(ErrorCode.INVALID_RECORD);
  });

  it('rebuilds open and aborted transactions and fenced epochs from the log when reopened', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'partition-txns-'));
    try {
      const open = () => {
        const storage = new FileStorage(dir);
        return { storage, p: new Partition('t', 0, storage.partition('t', 0), logSettings({}), () => 1_000) };
      };
      const first = open();
      first.p.append([txnBatch(5, 0, 'a')]);
      first.p.writeMarker(5, 1, false);
      first.p.append([txnBatch(6, 0, 'b')]);
      first.p.close();
      first.storage.close();

      const second = open();
      try {
        expect([second.p.highWatermark, second.p.lastStableOffset]).toEqual([3, 2]);
        expect(second.p.abortedTransactions(0, 3)).toEqual([{ producerId: 5, firstOffset: 0, lastOffset: 1 }]);
        expect(second.p.append([txnBatch(5, 1, 'late')]).errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
      } finally {
        second.p.close();
        second.storage.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
