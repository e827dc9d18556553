import { buildRecordBatch } from '../protocol/record-batch-builder';
import { readBatchHeader } from '../protocol/record-batch';
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
