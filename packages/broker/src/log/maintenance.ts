import type { Cluster } from '../state/cluster';
import type { Topic } from '../state/topic';
import type { StorageLogger } from '../storage/recovery';
import { compactionSettings, compactPartition } from './compaction';
import type { Partition } from './partition';
import { applyRetention } from './retention';

export interface LogMaintenanceOptions {
  /** How often retention and compaction run. Default 60 s (Kafka checks retention every 5 min). */
  intervalMs?: number;
  /**
   * A compacted partition whose closed segments did not change is compacted
   * again only after this long (so expiring tombstones are still removed).
   * Default 10 min.
   */
  compactionRecheckMs?: number;
  /** Default: the cluster's clock. */
  clock?: () => number;
  logger?: StorageLogger;
  /** Called after every run (timer or runNow), e.g. for tests and metrics. */
  onRun?: (report: MaintenanceReport) => void;
}

export interface MaintenanceReport {
  segmentsDeleted: number;
  segmentsCompacted: number;
  batchesDropped: number;
  /** Partitions whose maintenance threw (logged; the others still ran). */
  failures: number;
}

export interface LogMaintenance {
  /** Runs retention and compaction over every partition now (joins a run already under way). */
  runNow(): Promise<MaintenanceReport>;
  /** Stops the timer; a run under way finishes its current partition and stops. */
  stop(): void;
}

/** What compaction last saw of a partition's closed segments, to skip work when nothing changed. */
interface CompactionMark {
  closedSegments: string;
  atMs: number;
}

const closedSegmentsFingerprint = (p: Partition): string =>
  p.segmentList
    .slice(0, -1)
    .map((s) => `${s.baseOffset}:${s.entries.length}`)
    .join(',');

/**
 * Runs retention and compaction periodically on the broker's event loop
 * (file I/O is synchronous, so one partition is done at a time and the loop
 * is handed back between partitions, letting requests through). The timer is
 * unref'd: it never keeps the process alive.
 */
export function startLogMaintenance(cluster: Cluster, options: LogMaintenanceOptions = {}): LogMaintenance {
  const intervalMs = options.intervalMs ?? 60_000;
  const recheckMs = options.compactionRecheckMs ?? 10 * 60_000;
  const clock = options.clock ?? cluster.clock;
  const marks = new WeakMap<Partition, CompactionMark>();
  let running: Promise<MaintenanceReport> | null = null;
  let stopped = false;

  const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

  function maintainPartition(topic: Topic, partition: Partition, report: MaintenanceReport): void {
    const now = clock();
    const settings = topic.logSettings();
    report.segmentsDeleted += applyRetention(partition, settings, now);
    if (!settings.compact) return;
    const fingerprint = closedSegmentsFingerprint(partition);
    const mark = marks.get(partition);
    if (mark && mark.closedSegments === fingerprint && now - mark.atMs < recheckMs) return;
    const outcome = compactPartition(partition, compactionSettings(topic.effectiveConfigs()), now);
    report.segmentsCompacted += outcome.segmentsRewritten;
    report.batchesDropped += outcome.batchesDropped;
    marks.set(partition, { closedSegments: closedSegmentsFingerprint(partition), atMs: now });
  }

  async function runOnce(): Promise<MaintenanceReport> {
    const report: MaintenanceReport = { segmentsDeleted: 0, segmentsCompacted: 0, batchesDropped: 0, failures: 0 };
    for (const topic of [...cluster.topics.values()]) {
      for (const partition of [...topic.partitions]) {
        if (stopped) return report;
        // The loop was handed back in between: the topic may be gone by now.
        if (cluster.topics.get(topic.name) !== topic) break;
        try {
          maintainPartition(topic, partition, report);
        } catch (err) {
          report.failures++;
          options.logger?.warn(`log maintenance of ${topic.name}-${partition.index} failed: ${(err as Error).message}`);
        }
        await yieldToLoop();
      }
    }
    if (report.segmentsDeleted + report.segmentsCompacted > 0) {
      options.logger?.info(`log maintenance: ${report.segmentsDeleted} segments deleted by retention, ${report.segmentsCompacted} compacted (${report.batchesDropped} batches dropped)`);
    }
    return report;
  }

  function runNow(): Promise<MaintenanceReport> {
    running ??= runOnce()
      .then((report) => {
        try {
          options.onRun?.(report);
        } catch (err) {
          options.logger?.warn(`log maintenance onRun callback failed: ${(err as Error).message}`);
        }
        return report;
      })
      .finally(() => {
        running = null;
      });
    return running;
  }

  const timer = setInterval(() => {
    if (!running) void runNow();
  }, intervalMs);
  timer.unref();

  return {
    runNow,
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
