import * as fs from 'fs';
import { crc32c } from '../protocol/crc32c';
import { BATCH_HEADER_SIZE, BATCH_LENGTH_OVERHEAD, BatchField } from '../protocol/record-batch';
import { readAt, writeFileAtomic } from './fs-util';
import { decodeIndex, encodeIndex } from './offset-index';
import type { SegmentFiles, FileSegmentState } from './file-segment';
import type { RecoveryReport } from './recovery';
import type { BatchEntry } from './storage';

export interface SegmentRecoveryOptions {
  /** Check every batch's CRC instead of trusting the index (after an unclean shutdown, for the newest segment). */
  verifyAll: boolean;
  fsync: boolean;
}

type ScanStop = { position: number; reason: string } | null;

/** Reads one batch header at `position` and checks it against what may follow `previousLastOffset`. */
function scanBatch(fd: number, position: number, logSize: number, segmentBaseOffset: number, previousLastOffset: number): { entry: BatchEntry } | { reason: string } {
  if (logSize - position < BATCH_HEADER_SIZE) return { reason: `${logSize - position} bytes left, less than a batch header` };
  const header = readAt(fd, position, BATCH_HEADER_SIZE);
  if (header.length < BATCH_HEADER_SIZE) return { reason: 'short read of a batch header' };
  const magic = header.readInt8(BatchField.magic);
  if (magic !== 2) return { reason: `magic byte ${magic}` };
  const size = header.readInt32BE(BatchField.batchLength) + BATCH_LENGTH_OVERHEAD;
  if (size < BATCH_HEADER_SIZE) return { reason: `batch length ${size} is below the header size` };
  if (position + size > logSize) return { reason: `batch of ${size} bytes runs past the end of the file` };
  const baseOffset = Number(header.readBigInt64BE(BatchField.baseOffset));
  const lastOffsetDelta = header.readInt32BE(BatchField.lastOffsetDelta);
  if (baseOffset <= previousLastOffset || baseOffset < segmentBaseOffset || lastOffsetDelta < 0) {
    return { reason: `offsets ${baseOffset}+${lastOffsetDelta} do not follow ${previousLastOffset}` };
  }
  const batch = readAt(fd, position, size);
  if (batch.length < size) return { reason: 'short read of a batch' };
  if (batch.readUInt32BE(BatchField.crc) !== crc32c(batch, BatchField.attributes)) return { reason: 'CRC-32C mismatch' };
  return { entry: { baseOffset, lastOffset: baseOffset + lastOffsetDelta, maxTimestamp: Number(header.readBigInt64BE(BatchField.maxTimestamp)), position, size } };
}

/** Whether the batch the index names really starts where the index says (one header read). */
function indexEntryMatchesLog(fd: number, entry: BatchEntry): boolean {
  const header = readAt(fd, entry.position, BATCH_HEADER_SIZE);
  return (
    header.length === BATCH_HEADER_SIZE &&
    header.readInt8(BatchField.magic) === 2 &&
    Number(header.readBigInt64BE(BatchField.baseOffset)) === entry.baseOffset &&
    header.readInt32BE(BatchField.batchLength) + BATCH_LENGTH_OVERHEAD === entry.size
  );
}

function sameEntries(a: readonly BatchEntry[], b: readonly BatchEntry[]): boolean {
  return (
    a.length === b.length &&
    a.every((e, i) => {
      const o = b[i]!;
      return e.baseOffset === o.baseOffset && e.lastOffset === o.lastOffset && e.position === o.position && e.size === o.size && e.maxTimestamp === o.maxTimestamp;
    })
  );
}

/**
 * Brings one segment back after a restart: trusts the index where it agrees
 * with the log, indexes the batches the index lacks (a crash between the log
 * write and the index write), cuts off a torn tail (partial batch, bad CRC,
 * length past the end), and rewrites the index if it changed.
 */
export function recoverSegment(files: SegmentFiles, baseOffset: number, options: SegmentRecoveryOptions, report: RecoveryReport): FileSegmentState {
  const stat = fs.statSync(files.log);
  const logSize = stat.size;
  const indexFile = fs.existsSync(files.index) ? fs.readFileSync(files.index) : null;
  const decoded = indexFile ? decodeIndex(baseOffset, indexFile) : null;
  // Without a readable header the creation time is lost; the file's birth (or last change) is the best guess.
  const createdAtMs = decoded?.createdAtMs ?? (stat.birthtimeMs > 0 ? Math.trunc(stat.birthtimeMs) : Math.trunc(stat.mtimeMs));

  const fd = fs.openSync(files.log, 'r+');
  try {
    let entries: BatchEntry[] = [];
    let indexProblem: string | null = null;
    if (!decoded) indexProblem = indexFile ? 'index header unreadable' : 'index missing';
    else if (!options.verifyAll) {
      entries = decoded.entries.filter((e) => e.position + e.size <= logSize);
      const last = entries[entries.length - 1];
      if (last && !indexEntryMatchesLog(fd, last)) {
        entries = [];
        indexProblem = 'index disagrees with the log';
      }
    }

    let position = entries.length > 0 ? entries[entries.length - 1]!.position + entries[entries.length - 1]!.size : 0;
    let previousLastOffset = entries.length > 0 ? entries[entries.length - 1]!.lastOffset : baseOffset - 1;
    let stop: ScanStop = null;
    while (position < logSize) {
      const scanned = scanBatch(fd, position, logSize, baseOffset, previousLastOffset);
      if ('reason' in scanned) {
        stop = { position, reason: scanned.reason };
        break;
      }
      entries.push(scanned.entry);
      position += scanned.entry.size;
      previousLastOffset = scanned.entry.lastOffset;
    }

    if (stop) {
      fs.ftruncateSync(fd, stop.position);
      if (options.fsync) fs.fsyncSync(fd);
      report.add('log-truncated', files.log, `cut ${logSize - stop.position} bytes at position ${stop.position} (${stop.reason})`);
    }

    const indexUpToDate = decoded !== null && decoded.complete && sameEntries(decoded.entries, entries);
    if (!indexUpToDate) {
      writeFileAtomic(files.index, encodeIndex(baseOffset, createdAtMs, entries), options.fsync);
      const why =
        indexProblem ??
        (decoded && decoded.entries.length > entries.length
          ? 'index named batches the log lacks'
          : decoded && !decoded.complete
            ? 'index ended in a torn entry'
            : 'index lacked batches the log holds');
      report.add('index-rebuilt', files.index, `${why}; ${entries.length} batches indexed`);
    }
    return { baseOffset, entries, sizeBytes: stop ? stop.position : logSize, createdAtMs };
  } finally {
    fs.closeSync(fd);
  }
}
