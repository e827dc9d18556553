import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ErrorCode } from '../protocol/errors';
import { buildRecordBatch } from '../protocol/record-batch-builder';
import { readBatchHeader } from '../protocol/record-batch';
import { FileStorage } from '../storage/file-storage';
import { MemoryStorage } from '../storage/memory-storage';
import { logSettings } from '../state/topic-config';
import { Partition } from './partition';

const partition = (configs: Record<string, string> = {}) => new Partition('t', 0, new MemoryStorage().partition('t', 0), logSettings(configs), () => 1_000);

const batchOf = (...values: string[]) => buildRecordBatch({ records: values.map((v) => ({ key: v, value: v })) });

describe('Partition', () => {
  it('assigns consecutive offsets across batches and reads whole batches from any offset inside them', () => {
    const p = partition();
    expect(p.append([batchOf('a', 'b', 'c')]).baseOffset).toBe(0);
    expect(p.append([batchOf('d')]).baseOffset).toBe(3);
    expect(p.highWatermark).toBe(4);
    const fromMiddle = p.read(1, 1 << 20, true);
    expect(fromMiddle.batches.map((b) => readBatchHeader(b).baseOffset)).toEqual([0, 3]);
    expect(p.read(4, 1 << 20, true).batches).toEqual([]);
  });

  it('honours max bytes but always returns the first batch when asked to', () => {
    const p = partition();
    p.append([batchOf('x'.repeat(500))]);
    p.append([batchOf('y'.repeat(500))]);
    expect(p.read(0, 10, true).batches).toHaveLength(1);
    expect(p.read(0, 10, false).batches).toHaveLength(0);
  });

  it('rolls segments at segment.bytes', () => {
    const p = partition({ 'segment.bytes': '200' });
    for (let i = 0; i < 5; i++) p.append([batchOf('v'.repeat(120))]);
    expect(p.segmentList.length).toBe(5);
    expect(p.read(2, 1 << 20, true).batches.map((b) => readBatchHeader(b).baseOffset)).toEqual([2, 3, 4]);
  });

  it('keeps the log start offset when compaction empties the head of the first segment, and reads past the gap', () => {
    const p = partition({ 'segment.bytes': '200' });
    for (let i = 0; i < 4; i++) p.append([batchOf(`v${i}`.repeat(60))]);
    const first = p.segmentList[0]!;
    p.replaceSegment(first, [], []);
    expect(p.logStartOffset).toBe(0);
    expect(readBatchHeader(p.read(0, 1 << 20, true).batches[0]!).baseOffset).toBe(1);
  });

  it('moves the log start offset to the next segment when retention drops segments, never the active one', () => {
    const p = partition({ 'segment.bytes': '200' });
    for (let i = 0; i < 3; i++) p.append([batchOf('w'.repeat(120))]);
    p.dropOldestSegments(10);
    expect(p.segmentList).toHaveLength(1);
    expect(p.logStartOffset).toBe(2);
    expect(p.highWatermark).toBe(3);
  });

  it('refuses a batch over max.message.bytes and appends nothing', () => {
    const p = partition({ 'max.message.bytes': '100' });
    expect(p.append([batchOf('z'.repeat(200))]).errorCode).toBe(10);
    expect(p.highWatermark).toBe(0);
  });

  it('wakes a waiting reader on the next append only', () => {
    const p = partition();
    let woken = 0;
    p.onNextAppend(() => woken++);
    p.append([batchOf('a')]);
    p.append([batchOf('b')]);
    expect(woken).toBe(1);
  });
});

describe('Partition reopened on a data dir', () => {
  let dir: string;
  const open: Array<{ storage: FileStorage; partition: Partition }> = [];

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'partition-'));
  });

  afterEach(() => {
    for (const { storage, partition } of open.splice(0)) {
      partition.close();
      storage.close();
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function openPartition(configs: Record<string, string> = {}): Partition {
    const storage = new FileStorage(dir);
    const partition = new Partition('t', 0, storage.partition('t', 0), logSettings(configs), () => 1_000);
    open.push({ storage, partition });
    return partition;
  }

  function reopen(configs: Record<string, string> = {}): Partition {
    const last = open.pop()!;
    last.partition.close();
    last.storage.close();
    return openPartition(configs);
  }

  const idempotent = (producerId: number, producerEpoch: number, baseSequence: number, count = 1, compression: 'none' | 'gzip' = 'none') =>
    buildRecordBatch({ producerId, producerEpoch, baseSequence, compression, records: Array.from({ length: count }, (_, i) => ({ key: `k${i}`, value: `p${producerId}-s${baseSequence + i}` })) });

  it('rebuilds every producer’s epoch and last five batches from the log, as append remembered them', () => {
    const p1 = openPartition({ 'segment.bytes': '400' });
    const seq = new Map<number, number>();
    const next = (id: number, count: number) => {
      const first = seq.get(id) ?? 0;
      seq.set(id, first + count);
      return first;
    };
    for (let i = 0; i < 30; i++) {
      const count = 1 + (i % 3);
      if (i % 5 === 4) p1.append([batchOf(`plain-${i}`)]);
      else if (i % 7 === 6)
        p1.append([idempotent(2, 0, next(2, count), count), idempotent(2, 0, next(2, 1), 1)]); // two batches in one request
      else p1.append([idempotent(1 + (i % 2), 0, next(1 + (i % 2), count), count, i % 2 === 0 ? 'gzip' : 'none')]);
    }
    // A new epoch starts again at sequence 0; a refused gap and a duplicate change nothing.
    expect(p1.append([idempotent(3, 0, 0, 2)]).errorCode).toBe(ErrorCode.NONE);
    expect(p1.append([idempotent(3, 1, 0, 1)]).errorCode).toBe(ErrorCode.NONE);
    expect(p1.append([idempotent(3, 1, 5, 1)]).errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(p1.append([idempotent(3, 1, 0, 1)]).errorCode).toBe(ErrorCode.NONE);
    expect(p1.segmentList.length).toBeGreaterThan(3);
    const before = new Map(p1.producerStates);
    expect([...before.keys()].sort()).toEqual([1, 2, 3]);

    const p2 = reopen({ 'segment.bytes': '400' });
    expect(p2.producerStates).toEqual(before);
  });

  it('answers a retry of a batch appended before the restart as a duplicate, appends the next sequence and refuses a gap', () => {
    const p1 = openPartition();
    p1.append([batchOf('before')]);
    expect(p1.append([idempotent(42, 0, 0, 3)]).baseOffset).toBe(1);
    expect(p1.append([idempotent(42, 0, 3, 1)]).baseOffset).toBe(4);

    const p2 = reopen();
    expect(p2.append([idempotent(42, 0, 3, 1)])).toEqual({ errorCode: ErrorCode.NONE, baseOffset: 4, logAppendTime: -1 });
    expect(p2.append([idempotent(42, 0, 0, 3)])).toEqual({ errorCode: ErrorCode.NONE, baseOffset: 1, logAppendTime: -1 });
    expect(p2.highWatermark).toBe(5);
    expect(p2.append([idempotent(42, 0, 6, 1)]).errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(p2.append([idempotent(42, 0, 4, 1)]).baseOffset).toBe(5);
    expect(p2.append([idempotent(42, 0, 2, 1)]).errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(p2.highWatermark).toBe(6);
  });

  it('forgets a producer whose batches retention deleted, and keeps what is left of another’s window', () => {
    // One batch per segment.
    const p1 = openPartition({ 'segment.bytes': '100' });
    p1.append([idempotent(7, 0, 0)]); // 0
    p1.append([idempotent(8, 0, 0)]); // 1
    p1.append([idempotent(8, 0, 1)]); // 2
    p1.append([idempotent(8, 0, 2)]); // 3
    expect(p1.segmentList.map((s) => s.baseOffset)).toEqual([0, 1, 2, 3]);
    p1.dropOldestSegments(2);
    expect(p1.logStartOffset).toBe(2);

    const p2 = reopen({ 'segment.bytes': '100' });
    expect(p2.producerStates.has(7)).toBe(false);
    expect(p2.producerStates.get(8)!.recent.map((b) => b.firstSeq)).toEqual([1, 2]);
    expect(p2.append([idempotent(8, 0, 2)]).baseOffset).toBe(3);
    expect(p2.append([idempotent(8, 0, 3)]).baseOffset).toBe(4);
  });
});
