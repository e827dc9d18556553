import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import pino from 'pino';
import { FileTxnLog, TXN_LOG_FILE } from './txn-log';
import type { TxnMetadata } from './txn-state';

const quiet = pino({ level: 'silent' });

const metadata = (transactionalId: string, producerEpoch: number, state: TxnMetadata['state'] = 'Empty'): TxnMetadata => ({
  transactionalId,
  producerId: 42,
  producerEpoch,
  timeoutMs: 60_000,
  state,
  partitions: state === 'Ongoing' ? [{ topic: 't', partition: 0 }] : [],
  groups: [],
  pendingOffsets: [],
  startedAtMs: state === 'Ongoing' ? 1_000 : -1,
});

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'txn-log-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('FileTxnLog', () => {
  it('replays the newest metadata of each transactional id', () => {
    const log = new FileTxnLog(dir, quiet);
    expect(log.load()).toEqual([]);
    log.save(metadata('a', 0));
    log.save(metadata('b', 0));
    log.save(metadata('a', 1, 'Ongoing'));
    log.close();
    const reopened = new FileTxnLog(dir, quiet);
    expect(reopened.load()).toEqual([metadata('a', 1, 'Ongoing'), metadata('b', 0)]);
    reopened.close();
  });

  it('cuts a save torn by a crash and keeps everything before it', () => {
    const log = new FileTxnLog(dir, quiet);
    log.save(metadata('a', 0));
    log.save(metadata('a', 1, 'Ongoing'));
    log.close();
    const file = path.join(dir, TXN_LOG_FILE);
    fs.truncateSync(file, fs.statSync(file).size - 5);
    const reopened = new FileTxnLog(dir, quiet);
    expect(reopened.load()).toEqual([metadata('a', 0)]);
    // The next save lands where the torn one began.
    reopened.save(metadata('a', 2));
    reopened.close();
    const again = new FileTxnLog(dir, quiet);
    expect(again.load()).toEqual([metadata('a', 2)]);
    again.close();
  });
});
