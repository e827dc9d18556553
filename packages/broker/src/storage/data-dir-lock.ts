import * as fs from 'fs';
import * as path from 'path';
import { isErrno } from './fs-util';
import { DataDirLockedError } from './storage-errors';

export const LOCK_FILE = 'broker.lock';

/** Data dirs this process holds, so a second FileStorage on the same dir is refused too. */
const heldHere = new Set<string>();

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return isErrno(err, 'EPERM');
  }
}

/**
 * Claims the data dir for this process: two brokers appending to the same
 * segments would corrupt them. The lock file holds the owner's pid; a lock
 * whose process is gone (kill -9) is stale and taken over.
 * Returns the function that releases it.
 */
export function acquireDataDirLock(dataDir: string): () => void {
  const dir = fs.realpathSync(dataDir);
  const file = path.join(dir, LOCK_FILE);
  if (heldHere.has(dir)) throw new DataDirLockedError(file, process.pid);
  try {
    fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
  } catch (err) {
    if (!isErrno(err, 'EEXIST')) throw err;
    const holder = Number.parseInt(fs.readFileSync(file, 'utf8').trim(), 10);
    // Our own pid here can only be a dead predecessor whose pid was reused (heldHere says we do not hold it).
    if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && processAlive(holder)) throw new DataDirLockedError(file, holder);
    fs.writeFileSync(file, String(process.pid));
  }
  heldHere.add(dir);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    heldHere.delete(dir);
    try {
      if (fs.readFileSync(file, 'utf8').trim() === String(process.pid)) fs.unlinkSync(file);
    } catch {
      // Already gone: nothing to release.
    }
  };
}
