import { buildRecordBatch } from '../protocol/record-batch-builder';
import { logSettings } from '../state/topic-config';
import { MemoryStorage } from '../storage/memory-storage';
import { Partition } from './partition';
import { applyRetention, newestTimestamp, segmentsToDelete, type RetentionSettings, type RetentionSegmentView } from './retention';

const seg = (sizeBytes: number, ...timestamps: number[]): RetentionSegmentView => ({ sizeBytes, entries: timestamps.map((maxTimestamp) => ({ maxTimestamp })) });
const byTime = (retentionMs: number): RetentionSettings => ({ deleteByRetention: true, retentionMs, retentionBytes: -1 });
const bySize = (retentionBytes: number): RetentionSettings => ({ deleteByRetention: true, retentionMs: -1, retentionBytes });

describe('segmentsToDelete', () => {
  const now = 1_000_000;

  it('deletes the leading segments whose newest record is older than retention.ms', () => {
    const segments = [seg(10, 100, 200), seg(10, 300), seg(10, 999_000), seg(10, 400), seg(10, 999_999)];
    // The third segment is recent, so the (old) fourth stays too: only a prefix goes.
    expect(segmentsToDelete(segments, byTime(10_000), now)).toBe(2);
  });

  it('keeps a segment holding one record still inside retention.ms', () => {
    expect(segmentsToDelete([seg(10, 1, now - 5_000), seg(10, now)], byTime(10_000), now)).toBe(0);
    // Exactly at the cutoff is not older than it.
    expect(segmentsToDelete([seg(10, now - 10_000), seg(10, now)], byTime(10_000), now)).toBe(0);
    expect(segmentsToDelete([seg(10, now - 10_001), seg(10, now)], byTime(10_000), now)).toBe(1);
  });

  it('never deletes the active (last) segment, however old', () => {
    expect(segmentsToDelete([seg(10, 1), seg(10, 2), seg(10, 3)], byTime(0), now)).toBe(2);
    expect(segmentsToDelete([seg(10, 1)], byTime(0), now)).toBe(0);
    expect(segmentsToDelete([seg(100), seg(100)], bySize(0), now)).toBe(1);
    expect(segmentsToDelete([], bySize(0), now)).toBe(0);
  });

  it('deletes by size while the rest still holds at least retention.bytes', () => {
    const segments = [seg(100, now), seg(100, now), seg(100, now), seg(50, now)]; // 350 bytes
    expect(segmentsToDelete(segments, bySize(250), now)).toBe(1); // 250 left
    expect(segmentsToDelete(segments, bySize(249), now)).toBe(1); // 150 would be below
    expect(segmentsToDelete(segments, bySize(150), now)).toBe(2);
    expect(segmentsToDelete(segments, bySize(350), now)).toBe(0);
    expect(segmentsToDelete(segments, bySize(10), now)).toBe(3);
  });

  it('combines time and size: size counts what time already deletes', () => {
    const segments = [seg(100, 1), seg(100, now), seg(100, now), seg(100, now)];
    expect(segmentsToDelete(segments, { deleteByRetention: true, retentionMs: 1000, retentionBytes: 200 }, now)).toBe(2);
  });

  it('does nothing when retention is off (-1) or the policy is compact only', () => {
    const segments = [seg(100, 1), seg(100, 2), seg(100, 3)];
    expect(segmentsToDelete(segments, { deleteByRetention: true, retentionMs: -1, retentionBytes: -1 }, now)).toBe(0);
    expect(segmentsToDelete(segments, { deleteByRetention: false, retentionMs: 0, retentionBytes: 0 }, now)).toBe(0);
  });

  it('treats an empty segment as expired', () => {
    expect(newestTimestamp(seg(0))).toBe(-Infinity);
    expect(segmentsToDelete([seg(0), seg(10, now)], byTime(1000), now)).toBe(1);
  });
});

describe('applyRetention on a partition', () => {
  function partitionWith(configs: Record<string, string>, timestamps: number[]): Partition {
    const p = new Partition('t', 0, new MemoryStorage().partition(), logSettings({ ...configs, 'segment.bytes': '1' }), () => 0);
    // segment.bytes 1: every batch opens a new segment.
    for (const ts of timestamps) p.append([buildRecordBatch({ records: [{ key: 'k', value: 'v', timestamp: ts }] })]);
    return p;
  }

  it('deletes old segments by time and moves the log start offset', () => {
    const p = partitionWith({ 'retention.ms': '1000' }, [100, 200, 5_000, 6_000]);
    expect(p.segmentList).toHaveLength(4);
    expect(applyRetention(p, logSettings({ 'retention.ms': '1000' }), 6_000)).toBe(2);
    expect(p.segmentList.map((s) => s.baseOffset)).toEqual([2, 3]);
    expect(p.logStartOffset).toBe(2);
    expect(p.highWatermark).toBe(4);
    expect(p.read(0, 1 << 20, true).batches).toHaveLength(2);
  });

  it('deletes old segments by size', () => {
    const p = partitionWith({}, [1, 2, 3, 4, 5]);
    const one = p.segmentList[0]!.sizeBytes;
    expect(applyRetention(p, logSettings({ 'retention.bytes': String(2 * one), 'retention.ms': '-1' }), 10)).toBe(3);
    expect(p.logStartOffset).toBe(3);
    expect(p.sizeBytes).toBe(2 * one);
  });

  it('leaves compact-only topics alone', () => {
    const p = partitionWith({}, [1, 2, 3]);
    expect(applyRetention(p, logSettings({ 'cleanup.policy': 'compact', 'retention.ms': '0' }), 1e12)).toBe(0);
    expect(p.segmentList).toHaveLength(3);
  });
});
