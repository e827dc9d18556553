import * as fs from 'fs';
import * as path from 'path';
import { acquireDataDirLock } from './data-dir-lock';
import { FilePartitionStorage } from './file-partition-storage';
import { fsyncDir, TEMP_SUFFIX, writeFileAtomic } from './fs-util';
import { OffsetsJournal } from './offsets-journal';
import { RecoveryReport, type StorageLogger } from './recovery';
import type { CommittedOffsetRecord, PartitionStorage, Storage, TopicRecord } from './storage';
import { StorageError } from './storage-errors';

export interface FileStorageOptions {
  /**
   * fsync every append, commit and metadata write before it returns, so
   * acknowledged data also survives power loss or an OS crash. Off by default:
   * writes reach the kernel before they are acknowledged, which already
   * survives kill -9 of the broker, at a fraction of the cost.
   */
  fsync?: boolean;
  /** Receives one line per recovery repair (pino's logger fits). */
  logger?: StorageLogger;
}

/**
 * Layout of a data dir:
 *   broker.lock                      pid of the broker using it
 *   clean-shutdown                   present only between a clean close and the next start
 *   offsets.log                      committed-offsets journal (see offsets-journal.ts)
 *   transactions.log                 transaction coordinator's journal (see transactions/txn-log.ts)
 *   topics/<topic>/topic.json        topic metadata, replaced atomically
 *   topics/<topic>/<partition>/<base offset, 20 digits>.log|.index
 *   trash/                           topic dirs being deleted
 */
export const CLEAN_SHUTDOWN_MARKER = 'clean-shutdown';
export const OFFSETS_JOURNAL = 'offsets.log';
export const TOPIC_METADATA = 'topic.json';

function isTopicRecord(v: unknown): v is TopicRecord {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return (
    typeof r.name === 'string' &&
    Number.isInteger(r.partitions) &&
    (r.partitions as number) > 0 &&
    typeof r.createdAtMs === 'number' &&
    typeof r.configs === 'object' &&
    r.configs !== null &&
    Object.values(r.configs).every((c) => typeof c === 'string')
  );
}

/** Persistent storage in a data dir: survives kill -9 of the broker and restarts on the same dir. */
export class FileStorage implements Storage {
  readonly persistent = true;
  /** What start-up found and repaired. */
  readonly recovery: RecoveryReport;
  /** The previous broker on this dir did not close it (crash or kill -9). */
  readonly recoveredFromUncleanShutdown: boolean;
  private readonly topicsDir: string;
  private readonly trashDir: string;
  private readonly fsync: boolean;
  private readonly journal: OffsetsJournal;
  private readonly partitions = new Set<FilePartitionStorage>();
  private readonly releaseLock: () => void;
  private closed = false;
  private trashCounter = 0;

  constructor(
    readonly dataDir: string,
    options: FileStorageOptions = {},
  ) {
    this.fsync = options.fsync ?? false;
    this.recovery = new RecoveryReport(options.logger);
    this.topicsDir = path.join(dataDir, 'topics');
    this.trashDir = path.join(dataDir, 'trash');
    const existed = fs.existsSync(path.join(dataDir, OFFSETS_JOURNAL));
    fs.mkdirSync(this.topicsDir, { recursive: true });
    this.releaseLock = acquireDataDirLock(dataDir);
    try {
      const marker = path.join(dataDir, CLEAN_SHUTDOWN_MARKER);
      this.recoveredFromUncleanShutdown = existed && !fs.existsSync(marker);
      if (this.recoveredFromUncleanShutdown) this.recovery.add('unclean-shutdown', dataDir, 'the previous broker did not close the data dir; verifying the newest segments');
      fs.rmSync(marker, { force: true });
      if (this.fsync) fsyncDir(dataDir);
      // A crash during a topic deletion leaves its dir here; finish the job.
      fs.rmSync(this.trashDir, { recursive: true, force: true });
      fs.mkdirSync(this.trashDir, { recursive: true });
      this.journal = new OffsetsJournal(path.join(dataDir, OFFSETS_JOURNAL), this.fsync, this.recovery);
    } catch (err) {
      this.releaseLock();
      throw err;
    }
  }

  private topicDir(name: string): string {
    // Cluster validates names ([a-zA-Z0-9._-], not '.' or '..'); checked again because this builds a path.
    if (!/^[a-zA-Z0-9._-]+$/.test(name) || name === '.' || name === '..') throw new StorageError(`illegal topic name '${name}' for a directory`, this.topicsDir);
    return path.join(this.topicsDir, name);
  }

  loadTopics(): TopicRecord[] {
    const topics: TopicRecord[] = [];
    for (const name of fs.readdirSync(this.topicsDir).sort()) {
      const dir = path.join(this.topicsDir, name);
      if (!fs.statSync(dir).isDirectory()) continue;
      fs.rmSync(path.join(dir, TOPIC_METADATA + TEMP_SUFFIX), { force: true });
      const file = path.join(dir, TOPIC_METADATA);
      let parsed: unknown;
      try {
        parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
      } catch (err) {
        // Left as is: a human may want what is inside.
        this.recovery.add('topic-skipped', dir, `no readable ${TOPIC_METADATA} (${(err as Error).message})`);
        continue;
      }
      if (!isTopicRecord(parsed) || parsed.name !== name) {
        this.recovery.add('topic-skipped', dir, `${TOPIC_METADATA} does not describe topic '${name}'`);
        continue;
      }
      topics.push(parsed);
    }
    return topics;
  }

  saveTopic(topic: TopicRecord): void {
    const dir = this.topicDir(topic.name);
    fs.mkdirSync(dir, { recursive: true });
    writeFileAtomic(path.join(dir, TOPIC_METADATA), Buffer.from(JSON.stringify(topic, null, 2) + '\n'), this.fsync);
  }

  /** Moves the topic's dir out of topics/ in one rename (so a crash cannot leave half a topic), then deletes it. */
  deleteTopic(name: string): void {
    const dir = this.topicDir(name);
    if (!fs.existsSync(dir)) return;
    for (const p of this.partitions) {
      if (path.dirname(p.dir) !== dir) continue;
      p.close();
      this.partitions.delete(p);
    }
    const doomed = path.join(this.trashDir, `${name}.${process.pid}.${++this.trashCounter}`);
    fs.renameSync(dir, doomed);
    if (this.fsync) fsyncDir(this.topicsDir);
    fs.rmSync(doomed, { recursive: true, force: true });
  }

  partition(topic: string, partition: number): PartitionStorage {
    if (!Number.isInteger(partition) || partition < 0) throw new RangeError(`partition ${partition} is not a partition index`);
    const storage = new FilePartitionStorage(path.join(this.topicDir(topic), String(partition)), {
      fsync: this.fsync,
      report: this.recovery,
      uncleanShutdown: this.recoveredFromUncleanShutdown,
    });
    this.partitions.add(storage);
    return storage;
  }

  loadCommittedOffsets(): CommittedOffsetRecord[] {
    return this.journal.current();
  }

  saveCommittedOffsets(records: CommittedOffsetRecord[]): void {
    this.journal.append(records);
  }

  /** Releases descriptors and the lock and marks the dir cleanly closed (the next start skips full verification). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.partitions) p.close();
    this.partitions.clear();
    this.journal.close();
    try {
      writeFileAtomic(path.join(this.dataDir, CLEAN_SHUTDOWN_MARKER), Buffer.from(new Date().toISOString() + '\n'), this.fsync);
    } finally {
      this.releaseLock();
    }
  }
}
