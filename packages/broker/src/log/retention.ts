import type { LogSettings } from '../state/topic-config';
import type { Segment } from '../storage/storage';
import type { Partition } from './partition';

/** What retention looks at in a segment. */
export interface RetentionSegmentView {
  readonly sizeBytes: number;
  readonly entries: readonly { maxTimestamp: number }[];
}

export type RetentionSettings = Pick<LogSettings, 'deleteByRetention' | 'retentionMs' | 'retentionBytes'>;

/** The newest record timestamp in a segment; an empty segment has none (-Infinity) and so is always expired. */
export function newestTimestamp(segment: RetentionSegmentView): number {
  let newest = -Infinity;
  for (const e of segment.entries) if (e.maxTimestamp > newest) newest = e.maxTimestamp;
  return newest;
}

/**
 * How many of the oldest segments retention deletes (segments are oldest
 * first; the last one is active and never deleted). Only a prefix goes, as in
 * Kafka, so the log stays contiguous from its new start offset:
 * - by time: a segment whose newest record is older than retention.ms;
 * - by size: as Kafka does, a segment goes while the partition would still
 *   hold at least retention.bytes without it, so the log shrinks towards the
 *   limit but never below it.
 * -1 turns either rule off; cleanup.policy without "delete" turns both off.
 */
export function segmentsToDelete(segments: readonly RetentionSegmentView[], settings: RetentionSettings, nowMs: number): number {
  if (!settings.deleteByRetention) return 0;
  const deletable = segments.length - 1;
  let count = 0;
  if (settings.retentionMs >= 0) {
    const cutoff = nowMs - settings.retentionMs;
    while (count < deletable && newestTimestamp(segments[count]!) < cutoff) count++;
  }
  if (settings.retentionBytes >= 0) {
    let remaining = segments.reduce((n, s) => n + s.sizeBytes, 0);
    for (let i = 0; i < count; i++) remaining -= segments[i]!.sizeBytes;
    while (count < deletable && remaining - segments[count]!.sizeBytes >= settings.retentionBytes) {
      remaining -= segments[count]!.sizeBytes;
      count++;
    }
  }
  return count;
}

/** Applies retention to one partition; returns how many segments were deleted. */
export function applyRetention(partition: Pick<Partition, 'segmentList' | 'dropOldestSegments'>, settings: RetentionSettings, nowMs: number): number {
  const count = segmentsToDelete(partition.segmentList as readonly Segment[], settings, nowMs);
  if (count > 0) partition.dropOldestSegments(count);
  return count;
}
