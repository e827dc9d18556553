import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Partition } from '../log/partition';
import { BATCH_HEADER_SIZE, readBatchHeader } from '../protocol/record-batch';
import { buildRecordBatch } from '../protocol/record-batch-builder';
import { logSettings } from '../state/topic-config';
import { LOCK_FILE } from './data-dir-lock';
import { FileStorage, type FileStorageOptions } from './file-storage';
import { HEAD_READ_SPAN, segmentFiles } from './file-segment';
import type { RecoveryEventKind } from './recovery';
import type { BatchEntry, CommittedOffsetRecord, Segment } from './storage';
import { DataDirLockedError, StorageCorruptionError } from './storage-errors';

let dataDir: string;
const open: FileStorage[] = [];

function openStorage(dir = dataDir, options: FileStorageOptions = {}): FileStorage {
  const s = new FileStorage(dir, options);
  open.push(s);
  return s;
}

beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'file-storage-'));
});

afterEach(() => {
  for (const s of open.splice(0)) s.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** A batch whose base offset is already assigned, as Partition hands it to a segment. */
function batchAt(offset: number, records = 2, timestamp = 1_000): { batch: Buffer; meta: Omit<BatchEntry, 'position' | 'size'> } {
  const batch = buildRecordBatch({
    baseOffset: offset,
    records: Array.from({ length: records }, (_, i) => ({ key: `k${offset + i}`, value: `value-${offset + i}`, timestamp: timestamp + i })),
  });
  return { batch, meta: { baseOffset: offset, lastOffset: offset + records - 1, maxTimestamp: timestamp + records - 1 } };
}

/** Appends `count` batches of two records to a fresh segment at `base`; returns the bytes written. */
function fillSegment(seg: Segment, base: number, count: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const { batch, meta } = batchAt(base + i * 2);
    seg.append(batch, meta);
    out.push(batch);
  }
  return out;
}

const kinds = (s: FileStorage): RecoveryEventKind[] => s.recovery.events.map((e) => e.kind);
const partitionDir = (topic = 't', p = 0): string => path.join(dataDir, 'topics', topic, String(p));

/** What a kill -9 leaves: the files as they are on disk at this moment, with no close. */
function crashCopy(): string {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'file-storage-crash-'));
  fs.cpSync(dataDir, copy, { recursive: true });
  return copy;
}

describe('FileStorage segments', () => {
  it('reads back the same bytes after close and reopen', () => {
    const s1 = openStorage();
    const seg = s1.partition('t', 0).createSegment(0, 5_000);
    const written = fillSegment(seg, 0, 3);
    const entriesBefore = seg.entries.map((e) => ({ ...e }));
    s1.close();

    const s2 = openStorage();
    const [loaded, ...rest] = s2.partition('t', 0).loadSegments();
    expect(rest).toHaveLength(0);
    expect(loaded!.baseOffset).toBe(0);
    expect(loaded!.createdAtMs).toBe(5_000);
    expect(loaded!.entries).toEqual(entriesBefore);
    expect(loaded!.sizeBytes).toBe(written.reduce((n, b) => n + b.length, 0));
    expect(loaded!.entries.map((e) => loaded!.read(e))).toEqual(written);
    expect(s2.recovery.events).toEqual([]);
  });

  it('keeps a Partition intact across restarts, across rolled segments', () => {
    const settings = logSettings({ 'segment.bytes': '300' });
    const s1 = openStorage();
    const p1 = new Partition('t', 0, s1.partition('t', 0), settings, () => 10_000);
    const produced: Buffer[] = [];
    for (let i = 0; i < 10; i++) {
      const batch = buildRecordBatch({ records: [{ key: `k${i}`, value: `v${i}`.repeat(20), timestamp: 9_000 + i }] });
      expect(p1.append([batch]).baseOffset).toBe(i);
      produced.push(Buffer.from(batch));
    }
    expect(p1.segmentList.length).toBeGreaterThan(2);
    p1.close();
    s1.close();

    const s2 = openStorage();
    const p2 = new Partition('t', 0, s2.partition('t', 0), settings, () => 20_000);
    expect(p2.highWatermark).toBe(10);
    expect(p2.logStartOffset).toBe(0);
    const read = p2.read(0, 1 << 20, true).batches;
    expect(read).toEqual(produced);
    expect(p2.append([buildRecordBatch({ records: [{ key: 'k', value: 'after restart' }] })]).baseOffset).toBe(10);
  });

  it('keeps what was appended when the process dies without closing', () => {
    const s1 = openStorage();
    const written = fillSegment(s1.partition('t', 0).createSegment(0, 1), 0, 4);
    const crashed = crashCopy();
    try {
      const s2 = openStorage(crashed);
      expect(s2.recoveredFromUncleanShutdown).toBe(true);
      const [seg] = s2.partition('t', 0).loadSegments();
      expect(seg!.entries.map((e) => seg!.read(e))).toEqual(written);
      expect(kinds(s2)).toEqual(['unclean-shutdown']);
      s2.close();
    } finally {
      fs.rmSync(crashed, { recursive: true, force: true });
    }
  });

  it.each([
    ['half a batch', (valid: Buffer) => valid.subarray(0, 30)],
    ['a batch whose length runs past the end', (valid: Buffer) => valid.subarray(0, valid.length - 5)],
    ['a whole batch with a bad CRC', (valid: Buffer) => Buffer.concat([valid.subarray(0, valid.length - 1), Buffer.from([valid[valid.length - 1]! ^ 0xff])])],
    ['garbage', () => Buffer.from('this is not a record batch at all, just bytes a crash left behind')],
  ])('cuts off a torn tail: %s', (_name, tail) => {
    const s1 = openStorage();
    const written = fillSegment(s1.partition('t', 0).createSegment(0, 1), 0, 3);
    s1.close();
    const { log } = segmentFiles(partitionDir(), 0);
    const goodSize = fs.statSync(log).size;
    fs.appendFileSync(log, tail(batchAt(6).batch));

    const s2 = openStorage();
    const storage = s2.partition('t', 0);
    const [seg] = storage.loadSegments();
    expect(seg!.entries.map((e) => seg!.read(e))).toEqual(written);
    expect(fs.statSync(log).size).toBe(goodSize);
    expect(kinds(s2)).toContain('log-truncated');
    // The next append lands right after the last good batch and survives another restart.
    const next = batchAt(6);
    seg!.append(next.batch, next.meta);
    s2.close();
    const s3 = openStorage();
    const [again] = s3.partition('t', 0).loadSegments();
    expect(again!.entries.map((e) => again!.read(e))).toEqual([...written, next.batch]);
    expect(s3.recovery.events).toEqual([]);
  });

  it('indexes a batch that reached the log but not the index (crash between the two writes)', () => {
    const s1 = openStorage();
    const written = fillSegment(s1.partition('t', 0).createSegment(0, 1), 0, 2);
    s1.close();
    const extra = batchAt(4).batch;
    fs.appendFileSync(segmentFiles(partitionDir(), 0).log, extra);
    const s2 = openStorage();
    const [seg] = s2.partition('t', 0).loadSegments();
    expect(seg!.entries.map((e) => e.baseOffset)).toEqual([0, 2, 4]);
    expect(seg!.read(seg!.entries[2]!)).toEqual(extra);
    expect(kinds(s2)).toEqual(['index-rebuilt']);
    expect(written).toHaveLength(2);
  });

  it.each([
    ['missing', (index: string) => fs.rmSync(index)],
    ['short by part of an entry', (index: string) => fs.truncateSync(index, fs.statSync(index).size - 10)],
    ['cut to its header', (index: string) => fs.truncateSync(index, 16)],
    ['garbage', (index: string) => fs.writeFileSync(index, Buffer.alloc(100, 7))],
  ])('rebuilds the index from the log when it is %s', (_name, damage) => {
    const s1 = openStorage();
    const seg1 = s1.partition('t', 0).createSegment(0, 1);
    const written = fillSegment(seg1, 0, 5);
    const entries = seg1.entries.map((e) => ({ ...e }));
    s1.close();
    const { index } = segmentFiles(partitionDir(), 0);
    damage(index);

    const s2 = openStorage();
    const [seg] = s2.partition('t', 0).loadSegments();
    expect(seg!.entries).toEqual(entries);
    expect(seg!.entries.map((e) => seg!.read(e))).toEqual(written);
    expect(kinds(s2)).toEqual(['index-rebuilt']);
    s2.close();
    // The rebuilt index is complete: the next start trusts it without repairs.
    const s3 = openStorage();
    s3.partition('t', 0).loadSegments();
    expect(s3.recovery.events).toEqual([]);
  });

  it('drops index entries for bytes the log no longer holds', () => {
    const s1 = openStorage();
    const seg1 = s1.partition('t', 0).createSegment(0, 1);
    fillSegment(seg1, 0, 3);
    const keptSize = seg1.entries[1]!.position + seg1.entries[1]!.size;
    s1.close();
    fs.truncateSync(segmentFiles(partitionDir(), 0).log, keptSize);
    const s2 = openStorage();
    const [seg] = s2.partition('t', 0).loadSegments();
    expect(seg!.entries.map((e) => e.baseOffset)).toEqual([0, 2]);
    expect(seg!.sizeBytes).toBe(keptSize);
  });

  it('after an unclean shutdown, verifies every batch of the newest segment', () => {
    const s1 = openStorage();
    const seg1 = s1.partition('t', 0).createSegment(0, 1);
    fillSegment(seg1, 0, 3);
    const second = seg1.entries[1]!;
    s1.close();
    const { log } = segmentFiles(partitionDir(), 0);
    const bytes = fs.readFileSync(log);
    bytes[second.position + second.size - 1] ^= 0xff; // inside the CRC'd part of batch 2
    fs.writeFileSync(log, bytes);
    fs.rmSync(path.join(dataDir, 'clean-shutdown'));

    const s2 = openStorage();
    const [seg] = s2.partition('t', 0).loadSegments();
    expect(seg!.entries.map((e) => e.baseOffset)).toEqual([0]);
    expect(kinds(s2)).toEqual(['unclean-shutdown', 'log-truncated', 'index-rebuilt']);
  });

  it('loads several segments in offset order and rolls on with a new one', () => {
    const s1 = openStorage();
    const ps = s1.partition('t', 0);
    fillSegment(ps.createSegment(0, 1), 0, 2);
    fillSegment(ps.createSegment(4, 2), 4, 2);
    fillSegment(ps.createSegment(8, 3), 8, 1);
    s1.close();
    const s2 = openStorage();
    const ps2 = s2.partition('t', 0);
    const segs = ps2.loadSegments();
    expect(segs.map((s) => s.baseOffset)).toEqual([0, 4, 8]);
    expect(segs.map((s) => s.createdAtMs)).toEqual([1, 2, 3]);
    const next = ps2.createSegment(10, 4);
    fillSegment(next, 10, 1);
    expect(fs.readdirSync(partitionDir()).sort()).toEqual([
      '00000000000000000000.index',
      '00000000000000000000.log',
      '00000000000000000004.index',
      '00000000000000000004.log',
      '00000000000000000008.index',
      '00000000000000000008.log',
      '00000000000000000010.index',
      '00000000000000000010.log',
    ]);
  });

  it('removes leftovers of interrupted writes and indexes without a log', () => {
    const s1 = openStorage();
    const ps = s1.partition('t', 0);
    fillSegment(ps.createSegment(0, 1), 0, 1);
    s1.close();
    const dir = partitionDir();
    fs.writeFileSync(path.join(dir, '00000000000000000000.log.cleaned'), 'half a compaction');
    fs.writeFileSync(path.join(dir, '00000000000000000000.index.cleaned'), 'half a compaction');
    fs.writeFileSync(path.join(dir, '00000000000000000042.index'), 'retention deleted my log');
    const s2 = openStorage();
    expect(s2.partition('t', 0).loadSegments()).toHaveLength(1);
    expect(fs.readdirSync(dir).sort()).toEqual(['00000000000000000000.index', '00000000000000000000.log']);
    expect(kinds(s2)).toEqual(['leftover-removed', 'leftover-removed', 'leftover-removed']);
  });

  it('refuses segments whose offsets overlap', () => {
    const s1 = openStorage();
    const ps = s1.partition('t', 0);
    fillSegment(ps.createSegment(0, 1), 0, 3); // offsets 0..5
    s1.close();
    const dir = partitionDir();
    const { log } = segmentFiles(dir, 4);
    fs.writeFileSync(log, batchAt(4).batch);
    const s2 = openStorage();
    expect(() => s2.partition('t', 0).loadSegments()).toThrow(StorageCorruptionError);
  });

  it('rewrites a segment atomically with only the kept batches', () => {
    const s1 = openStorage();
    const ps = s1.partition('t', 0);
    const old = ps.createSegment(0, 77);
    const written = fillSegment(old, 0, 4);
    ps.createSegment(8, 78);
    const keep = [old.entries[1]!, old.entries[3]!];
    const replaced = ps.rewriteSegment(
      old,
      keep,
      keep.map((e) => old.read(e)),
    );
    expect(replaced.entries.map((e) => e.baseOffset)).toEqual([2, 6]);
    expect(replaced.entries.map((e) => replaced.read(e))).toEqual([written[1], written[3]]);
    expect(replaced.createdAtMs).toBe(77);
    expect(() => old.read(old.entries[0]!)).toThrow();
    s1.close();
    expect(fs.readdirSync(partitionDir()).filter((n) => n.includes('.cleaned') || n.includes('.tmp'))).toEqual([]);

    const s2 = openStorage();
    const [seg] = s2.partition('t', 0).loadSegments();
    expect(seg!.entries.map((e) => seg!.read(e))).toEqual([written[1], written[3]]);
    expect(seg!.createdAtMs).toBe(77);
    expect(s2.recovery.events).toEqual([]);
  });

  it('deletes a segment’s files when retention removes it', () => {
    const s1 = openStorage();
    const ps = s1.partition('t', 0);
    const first = ps.createSegment(0, 1);
    fillSegment(first, 0, 1);
    fillSegment(ps.createSegment(2, 2), 2, 1);
    first.remove();
    expect(fs.readdirSync(partitionDir()).sort()).toEqual(['00000000000000000002.index', '00000000000000000002.log']);
  });

  it('reads the head of every batch, small batches in runs and large ones alone, after a restart too', () => {
    const s1 = openStorage();
    const seg = s1.partition('t', 0).createSegment(0, 1);
    // Small batches, then some larger than a read span, then small ones again, so runs break at both kinds of boundary.
    const sizes = [10, 10, 10, HEAD_READ_SPAN + 100, 10, HEAD_READ_SPAN * 2, HEAD_READ_SPAN - 200, ...Array.from({ length: 2000 }, (_, i) => 10 + (i % 300))];
    const written: Buffer[] = [];
    let offset = 0;
    for (const size of sizes) {
      const batch = buildRecordBatch({ baseOffset: offset, records: [{ key: `k${offset}`, value: 'v'.repeat(size), timestamp: offset }] });
      seg.append(batch, { baseOffset: offset, lastOffset: offset, maxTimestamp: offset });
      written.push(batch);
      offset++;
    }
    const headsOf = (segment: Segment, length: number) => [...segment.batchHeads(length)].map(({ entry, head }) => ({ baseOffset: entry.baseOffset, head: Buffer.from(head) }));
    const expected = written.map((b, i) => ({ baseOffset: i, head: b.subarray(0, BATCH_HEADER_SIZE) }));
    expect(headsOf(seg, BATCH_HEADER_SIZE)).toEqual(expected);
    s1.close();

    const s2 = openStorage();
    const [reloaded] = s2.partition('t', 0).loadSegments();
    expect(headsOf(reloaded!, BATCH_HEADER_SIZE)).toEqual(expected);
    // A length beyond a batch gives the whole batch.
    expect(
      headsOf(reloaded!, 200)
        .slice(0, 3)
        .map((h) => h.head),
    ).toEqual(written.slice(0, 3));
  });

  it('works with fsync on', () => {
    const s1 = openStorage(dataDir, { fsync: true });
    s1.saveTopic({ name: 't', partitions: 1, configs: {}, createdAtMs: 1 });
    const written = fillSegment(s1.partition('t', 0).createSegment(0, 1), 0, 2);
    s1.saveCommittedOffsets([{ group: 'g', topic: 't', partition: 0, offset: 4, metadata: null, commitTimestamp: 1 }]);
    s1.close();
    const s2 = openStorage(dataDir, { fsync: true });
    const [seg] = s2.partition('t', 0).loadSegments();
    expect(seg!.entries.map((e) => seg!.read(e))).toEqual(written);
    expect(s2.loadCommittedOffsets()).toHaveLength(1);
  });

  it('reports repairs to the logger, one line each', () => {
    const s1 = openStorage();
    fillSegment(s1.partition('t', 0).createSegment(0, 1), 0, 1);
    s1.close();
    fs.appendFileSync(segmentFiles(partitionDir(), 0).log, 'torn');
    const warnings: string[] = [];
    const s2 = openStorage(dataDir, { logger: { warn: (m) => warnings.push(m), info: () => undefined } });
    s2.partition('t', 0).loadSegments();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/log-truncated .*00000000000000000000\.log: cut 4 bytes/);
  });
});

describe('FileStorage topics', () => {
  const record = (name: string, partitions = 1, configs: Record<string, string> = {}) => ({ name, partitions, configs, createdAtMs: 123 });

  it('saves, updates and reloads topic metadata, names with dots, dashes and underscores included', () => {
    const s1 = openStorage();
    s1.saveTopic(record('orders.v1-eu_west', 2, { 'cleanup.policy': 'compact' }));
    s1.saveTopic(record('a'));
    s1.saveTopic(record('orders.v1-eu_west', 4, { 'cleanup.policy': 'compact' }));
    s1.close();
    const s2 = openStorage();
    expect(s2.loadTopics()).toEqual([record('a'), record('orders.v1-eu_west', 4, { 'cleanup.policy': 'compact' })]);
    expect(fs.readdirSync(path.join(dataDir, 'topics', 'a'))).toEqual(['topic.json']);
  });

  it('deletes a topic with its data', () => {
    const s1 = openStorage();
    s1.saveTopic(record('gone', 2));
    s1.saveTopic(record('kept'));
    fillSegment(s1.partition('gone', 0).createSegment(0, 1), 0, 2);
    fillSegment(s1.partition('gone', 1).createSegment(0, 1), 0, 2);
    s1.deleteTopic('gone');
    expect(fs.existsSync(path.join(dataDir, 'topics', 'gone'))).toBe(false);
    expect(fs.readdirSync(path.join(dataDir, 'trash'))).toEqual([]);
    // A topic of the same name starts empty.
    s1.saveTopic(record('gone'));
    expect(s1.partition('gone', 0).loadSegments()).toEqual([]);
    s1.close();
    const s2 = openStorage();
    expect(s2.loadTopics().map((t) => t.name)).toEqual(['gone', 'kept']);
  });

  it('skips a topic dir without readable metadata and finishes interrupted deletions', () => {
    const s1 = openStorage();
    s1.saveTopic(record('ok'));
    s1.close();
    fs.mkdirSync(path.join(dataDir, 'topics', 'half-created'));
    fs.writeFileSync(path.join(dataDir, 'topics', 'half-created', 'topic.json.tmp'), '{"name":');
    fs.mkdirSync(path.join(dataDir, 'trash', 'x.1.1', '0'), { recursive: true });
    const s2 = openStorage();
    expect(s2.loadTopics().map((t) => t.name)).toEqual(['ok']);
    expect(kinds(s2)).toEqual(['topic-skipped']);
    expect(fs.readdirSync(path.join(dataDir, 'trash'))).toEqual([]);
  });

  it('refuses a topic name that is not a plain directory name', () => {
    const s1 = openStorage();
    expect(() => s1.saveTopic(record('../escape'))).toThrow(/illegal topic name/);
    expect(() => s1.partition('..', 0)).toThrow(/illegal topic name/);
  });
});

describe('FileStorage committed offsets', () => {
  const commit = (group: string, partition: number, offset: number, metadata: string | null = null): CommittedOffsetRecord => ({
    group,
    topic: 'orders',
    partition,
    offset,
    metadata,
    commitTimestamp: 1_000 + offset,
  });

  it('keeps the latest offset per group and partition across reopen; -1 deletes', () => {
    const s1 = openStorage();
    s1.saveCommittedOffsets([commit('g1', 0, 5, 'meta'), commit('g1', 1, 7)]);
    s1.saveCommittedOffsets([commit('g1', 0, 9)]);
    s1.saveCommittedOffsets([commit('g2', 0, 3)]);
    s1.saveCommittedOffsets([commit('g2', 0, -1)]);
    expect(s1.loadCommittedOffsets()).toHaveLength(2);
    s1.close();
    const s2 = openStorage();
    const sorted = s2.loadCommittedOffsets().sort((a, b) => a.partition - b.partition);
    expect(sorted).toEqual([commit('g1', 0, 9), commit('g1', 1, 7)]);
  });

  it('survives a crash (no close)', () => {
    const s1 = openStorage();
    s1.saveCommittedOffsets([commit('g', 0, 11, 'm')]);
    const crashed = crashCopy();
    try {
      const s2 = openStorage(crashed);
      expect(s2.loadCommittedOffsets()).toEqual([commit('g', 0, 11, 'm')]);
      s2.close();
    } finally {
      fs.rmSync(crashed, { recursive: true, force: true });
    }
  });

  it('cuts a torn last record, keeping the whole earlier commits', () => {
    const s1 = openStorage();
    s1.saveCommittedOffsets([commit('g', 0, 1), commit('g', 1, 1)]);
    s1.saveCommittedOffsets([commit('g', 0, 2), commit('g', 1, 2)]);
    s1.close();
    const journal = path.join(dataDir, 'offsets.log');
    fs.truncateSync(journal, fs.statSync(journal).size - 3);
    const s2 = openStorage();
    expect(s2.loadCommittedOffsets().map((r) => r.offset)).toEqual([1, 1]);
    expect(kinds(s2)).toEqual(['journal-truncated']);
    s2.saveCommittedOffsets([commit('g', 0, 3)]);
    s2.close();
    const s3 = openStorage();
    expect(
      s3
        .loadCommittedOffsets()
        .map((r) => r.offset)
        .sort(),
    ).toEqual([1, 3]);
    expect(s3.recovery.events).toEqual([]);
  });

  it('rewrites a grown journal as a snapshot on start-up', () => {
    const s1 = openStorage();
    const metadata = 'x'.repeat(200);
    for (let i = 0; i < 8000; i++) s1.saveCommittedOffsets([commit('g', i % 3, i, metadata)]);
    s1.close();
    const journal = path.join(dataDir, 'offsets.log');
    const grown = fs.statSync(journal).size;
    expect(grown).toBeGreaterThan(1024 * 1024);
    const s2 = openStorage();
    expect(fs.statSync(journal).size).toBeLessThan(2000);
    expect(
      s2
        .loadCommittedOffsets()
        .map((r) => r.offset)
        .sort((a, b) => a - b),
    ).toEqual([7997, 7998, 7999]);
    s2.close();
    const s3 = openStorage();
    expect(s3.loadCommittedOffsets()).toHaveLength(3);
  });
});

describe('FileStorage data dir lock', () => {
  it('refuses a second storage on the same dir until the first closes', () => {
    const s1 = openStorage();
    expect(() => new FileStorage(dataDir)).toThrow(DataDirLockedError);
    s1.close();
    expect(fs.existsSync(path.join(dataDir, LOCK_FILE))).toBe(false);
    openStorage();
  });

  it('takes over the lock of a process that is gone', () => {
    fs.writeFileSync(path.join(dataDir, LOCK_FILE), '999999999');
    expect(() => openStorage()).not.toThrow();
  });

  it('refuses a dir locked by a live process', () => {
    fs.writeFileSync(path.join(dataDir, LOCK_FILE), String(process.ppid));
    expect(() => new FileStorage(dataDir)).toThrow(DataDirLockedError);
  });
});

describe('FileStorage with record-batch headers', () => {
  it('stores the batch bytes unchanged, base offset included', () => {
    const s1 = openStorage();
    const seg = s1.partition('t', 0).createSegment(100, 1);
    const { batch, meta } = batchAt(100, 3);
    seg.append(batch, meta);
    expect(readBatchHeader(seg.read(seg.entries[0]!)).baseOffset).toBe(100);
  });
});
