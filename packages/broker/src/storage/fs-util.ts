import * as fs from 'fs';
import * as path from 'path';

/** Writes all of `data` at `position` (writeSync may write less than asked). */
export function writeFully(fd: number, data: Uint8Array, position: number): void {
  let done = 0;
  while (done < data.length) {
    done += fs.writeSync(fd, data, done, data.length - done, position + done);
  }
}

/** Reads exactly `length` bytes at `position`, or fewer when the file ends first. */
export function readAt(fd: number, position: number, length: number): Buffer {
  const buf = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, buf, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done === length ? buf : buf.subarray(0, done);
}

/** Makes a directory entry change (create, rename, unlink) durable; only needed against power loss. */
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Some platforms cannot fsync a directory; the data itself was synced.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

export const TEMP_SUFFIX = '.tmp';

/**
 * Replaces `file` with `data` atomically: readers (and a restart after a
 * crash) see the old or the new content, never a mix.
 */
export function writeFileAtomic(file: string, data: Uint8Array, fsync: boolean): void {
  const temp = file + TEMP_SUFFIX;
  const fd = fs.openSync(temp, 'w');
  try {
    writeFully(fd, data, 0);
    if (fsync) fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temp, file);
  if (fsync) fsyncDir(path.dirname(file));
}

export function fileExists(file: string): boolean {
  return fs.existsSync(file);
}

export function isErrno(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as NodeJS.ErrnoException).code === code;
}
