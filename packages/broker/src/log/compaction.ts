import { gunzipSync } from 'zlib';
import { Attribute, BATCH_HEADER_SIZE, decodeRecords, readBatchHeader } from '../protocol/record-batch';
import { newestBatchOffsets } from '../state/producer-sequence';
import { topicConfigValue } from '../state/topic-config';
import type { BatchEntry, Segment } from '../storage/storage';
import type { Partition } from './partition';

/**
 * Log compaction (cleanup.policy=compact): drop batches whose every record
 * has a newer value for its key, so a compacted topic keeps at least the
 * latest record per key. Batches are kept or dropped whole (never re-encoded),
 * so stored bytes stay exactly what producers sent. The decision is a pure
 * function over summaries of the batches; `compactPartition` does the I/O.
 */

export interface CompactionSettings {
  /** A segment is compacted only once its newest record is at least this old. */
  minCompactionLagMs: number;
  /** A tombstone (null value) stays at least this long after it was written. */
  deleteRetentionMs: number;
}

export function compactionSettings(configs: Record<string, string>): CompactionSettings {
  return {
    minCompactionLagMs: Number(topicConfigValue(configs, 'min.compaction.lag.ms')),
    deleteRetentionMs: Number(topicConfigValue(configs, 'delete.retention.ms')),
  };
}

export interface CompactionRecord {
  offset: number;
  /** The key's bytes as a latin1 string (one char per byte, so distinct keys stay distinct), or null. */
  key: string | null;
  tombstone: boolean;
}

export type CompactionBatchContent =
  | { kind: 'records'; records: CompactionRecord[] }
  /** Compressed with a codec the broker does not decode (snappy, lz4, zstd) or undecodable: always kept. */
  | { kind: 'opaque' }
  /** Transaction markers: hold no user keys; always kept. */
  | { kind: 'control' };

export interface CompactionBatch {
  entry: BatchEntry;
  content: CompactionBatchContent;
}

export interface SegmentKeepPlan {
  /** Index into the segments passed to batchesToKeep. */
  segmentIndex: number;
  /** The entries that stay, in order; the others are dropped. */
  keep: BatchEntry[];
}

function segmentNewestTimestamp(batches: readonly CompactionBatch[]): number {
  let newest = -Infinity;
  for (const b of batches) if (b.entry.maxTimestamp > newest) newest = b.entry.maxTimestamp;
  return newest;
}

/**
 * Decides which batches of the non-active segments stay.
 *
 * `segments` are the partition's segments except the active one, oldest
 * first. Only records in them count as newer values (as in Kafka, the active
 * segment is not looked at). Only segments old enough for
 * min.compaction.lag.ms (a prefix) lose batches. A batch is dropped when
 * every record in it is superseded by a later record with the same key, or is
 * a key's last tombstone that is older than delete.retention.ms and can go
 * without bringing an older value back: every earlier record of that key must
 * be dropped too, and no undecodable batch may come before it (it might hold
 * the key). Batches whose base offset is in `keepAlways` stay whatever they
 * hold (as in Kafka, each idempotent producer's newest batch, which its
 * state is rebuilt from after a restart). Returns a plan only for segments
 * that change.
 */
export function batchesToKeep(segments: readonly (readonly CompactionBatch[])[], settings: CompactionSettings, nowMs: number, keepAlways: ReadonlySet<number> = new Set()): SegmentKeepPlan[] {
  let cleanable = 0;
  while (cleanable < segments.length && (settings.minCompactionLagMs <= 0 || segmentNewestTimestamp(segments[cleanable]!) <= nowMs - settings.minCompactionLagMs)) cleanable++;
  if (cleanable === 0) return [];

  // Latest offset per key, and which batches hold records of each key.
  const latest = new Map<string, CompactionRecord>();
  const batchesOfKey = new Map<string, Set<CompactionBatch>>();
  let firstOpaqueOffset = Infinity;
  for (const seg of segments) {
    for (const batch of seg) {
      if (batch.content.kind === 'opaque') firstOpaqueOffset = Math.min(firstOpaqueOffset, batch.entry.baseOffset);
      if (batch.content.kind !== 'records') continue;
      for (const rec of batch.content.records) {
        if (rec.key === null) continue;
        const seen = latest.get(rec.key);
        if (!seen || rec.offset > seen.offset) latest.set(rec.key, rec);
        let holders = batchesOfKey.get(rec.key);
        if (!holders) batchesOfKey.set(rec.key, (holders = new Set()));
        holders.add(batch);
      }
    }
  }

  // Tombstones that are old enough and come before any batch we cannot look into.
  const tombstoneHorizon = nowMs - settings.deleteRetentionMs;
  const removableTombstones = new Set<string>();
  for (let s = 0; s < cleanable; s++) {
    for (const batch of segments[s]!) {
      if (batch.content.kind !== 'records' || batch.entry.maxTimestamp > tombstoneHorizon) continue;
      for (const rec of batch.content.records) {
        if (rec.key !== null && rec.tombstone && latest.get(rec.key) === rec && rec.offset < firstOpaqueOffset) removableTombstones.add(rec.key);
      }
    }
  }

  const droppable = (batch: CompactionBatch): boolean =>
    batch.content.kind === 'records' &&
    !keepAlways.has(batch.entry.baseOffset) &&
    batch.content.records.every((rec) => {
      if (rec.key === null) return false;
      const newest = latest.get(rec.key)!;
      return rec !== newest || removableTombstones.has(rec.key);
    });

  // Removing a tombstone is safe only if every batch holding its key goes too; keeping one
  // tombstone can keep other batches, so repeat until nothing changes (the set only shrinks).
  let dropped = new Set<CompactionBatch>();
  for (;;) {
    dropped = new Set();
    for (let s = 0; s < cleanable; s++) for (const batch of segments[s]!) if (droppable(batch)) dropped.add(batch);
    let changed = false;
    for (const key of removableTombstones) {
      for (const holder of batchesOfKey.get(key)!) {
        if (!dropped.has(holder)) {
          removableTombstones.delete(key);
          changed = true;
          break;
        }
      }
    }
    if (!changed) break;
  }

  const plans: SegmentKeepPlan[] = [];
  for (let s = 0; s < cleanable; s++) {
    const batches = segments[s]!;
    if (!batches.some((b) => dropped.has(b))) continue;
    plans.push({ segmentIndex: s, keep: batches.filter((b) => !dropped.has(b)).map((b) => b.entry) });
  }
  return plans;
}

/** Reads what compaction needs of one stored batch: its records' keys and offsets, when the broker can decode them. */
export function summarizeBatch(entry: BatchEntry, batch: Buffer): CompactionBatch {
  const header = readBatchHeader(batch);
  if (header.attributes & Attribute.control) return { entry, content: { kind: 'control' } };
  // Transactional records may be open or aborted: kept whole and never counted as newer values (Kafka's cleaner
  // instead drops aborted ones; keeping them is never wrong, only less compact).
  if (header.attributes & Attribute.transactional) return { entry, content: { kind: 'opaque' } };
  const codec = header.attributes & Attribute.compressionMask;
  try {
    let plain: Buffer;
    if (codec === 0) plain = batch;
    else if (codec === 1) plain = Buffer.concat([batch.subarray(0, BATCH_HEADER_SIZE), gunzipSync(batch.subarray(BATCH_HEADER_SIZE))]);
    else return { entry, content: { kind: 'opaque' } };
    const records = decodeRecords(plain).map((r) => ({ offset: entry.baseOffset + r.offsetDelta, key: r.key === null ? null : r.key.toString('latin1'), tombstone: r.value === null }));
    return { entry, content: { kind: 'records', records } };
  } catch {
    // A batch we cannot read is kept: compaction must never lose data it does not understand.
    return { entry, content: { kind: 'opaque' } };
  }
}

export interface CompactionOutcome {
  segmentsRewritten: number;
  batchesDropped: number;
}

/** Compacts one partition's non-active segments in place (each changed segment is rewritten atomically). */
export function compactPartition(partition: Pick<Partition, 'segmentList' | 'replaceSegment' | 'producerStates'>, settings: CompactionSettings, nowMs: number): CompactionOutcome {
  const nonActive: Segment[] = partition.segmentList.slice(0, -1);
  const outcome: CompactionOutcome = { segmentsRewritten: 0, batchesDropped: 0 };
  if (nonActive.length === 0) return outcome;
  const summaries = nonActive.map((seg) => seg.entries.map((entry) => summarizeBatch(entry, seg.read(entry))));
  for (const plan of batchesToKeep(summaries, settings, nowMs, newestBatchOffsets(partition.producerStates))) {
    const seg = nonActive[plan.segmentIndex]!;
    const before = seg.entries.length;
    partition.replaceSegment(
      seg,
      plan.keep,
      plan.keep.map((e) => seg.read(e)),
    );
    outcome.segmentsRewritten++;
    outcome.batchesDropped += before - plan.keep.length;
  }
  return outcome;
}
