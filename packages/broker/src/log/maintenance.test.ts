import { buildRecordBatch } from '../protocol/record-batch-builder';
import { Cluster } from '../state/cluster';
import { MemoryStorage } from '../storage/memory-storage';
import { startLogMaintenance, type LogMaintenance, type MaintenanceReport } from './maintenance';

let now = 0;
let maintenance: LogMaintenance | undefined;

function cluster(): Cluster {
  return new Cluster({ nodeId: 1, clusterId: 'test', autoCreateTopics: false, defaultPartitions: 1 }, new MemoryStorage(), () => now);
}

function produce(c: Cluster, topic: string, key: string, value: string | null, timestamp = now): void {
  c.topics.get(topic)!.partitions[0]!.append([buildRecordBatch({ records: [{ key, value, timestamp }] })]);
}

beforeEach(() => {
  now = 0;
});
afterEach(() => maintenance?.stop());

describe('startLogMaintenance', () => {
  it('applies retention and compaction to every topic by its own configs', async () => {
    const c = cluster();
    // segment.bytes 1: every batch gets its own segment.
    c.createTopic('events', 1, { 'retention.ms': '1000', 'segment.bytes': '14' });
    c.createTopic('state', 1, { 'cleanup.policy': 'compact', 'segment.bytes': '14' });
    c.createTopic('forever', 1, { 'retention.ms': '-1', 'segment.bytes': '14' });
    for (const t of ['events', 'state', 'forever']) for (let i = 0; i < 4; i++) produce(c, t, 'same-key', `v${i}`, 0);
    now = 5_000;
    maintenance = startLogMaintenance(c, { intervalMs: 3_600_000 });
    const report = await maintenance.runNow();
    expect(report).toEqual({ segmentsDeleted: 3, segmentsCompacted: 2, batchesDropped: 2, failures: 0 });
    expect(c.topics.get('events')!.partitions[0]!.logStartOffset).toBe(3);
    expect(c.topics.get('forever')!.partitions[0]!.segmentList).toHaveLength(4);
    const state = c.topics.get('state')!.partitions[0]!;
    expect(state.segmentList.map((s) => s.entries.length)).toEqual([0, 0, 1, 1]);
  });

  it('skips an unchanged compacted partition until the recheck time passes', async () => {
    const c = cluster();
    c.createTopic('state', 1, { 'cleanup.policy': 'compact', 'segment.bytes': '14', 'delete.retention.ms': '1000' });
    produce(c, 'state', 'a', '1', 0);
    produce(c, 'state', 'a', null, 0);
    produce(c, 'state', 'b', '1', 0);
    maintenance = startLogMaintenance(c, { intervalMs: 3_600_000, compactionRecheckMs: 60_000 });
    expect((await maintenance.runNow()).batchesDropped).toBe(1); // a=1; the tombstone is too young
    now = 2_000; // the tombstone could go now, but nothing changed and the recheck time has not come
    expect((await maintenance.runNow()).batchesDropped).toBe(0);
    now = 61_000;
    expect((await maintenance.runNow()).batchesDropped).toBe(1);
  });

  it('runs on its timer', async () => {
    const c = cluster();
    c.createTopic('events', 1, { 'retention.ms': '10', 'segment.bytes': '14' });
    produce(c, 'events', 'k', 'v', 0);
    produce(c, 'events', 'k', 'v', 0);
    now = 100;
    const ran = new Promise<MaintenanceReport>((resolve) => {
      maintenance = startLogMaintenance(c, { intervalMs: 5, onRun: resolve });
    });
    expect((await ran).segmentsDeleted).toBe(1);
  });

  it('keeps going when one partition fails, and logs it', async () => {
    const c = cluster();
    c.createTopic('bad', 1, { 'cleanup.policy': 'compact', 'segment.bytes': '14' });
    c.createTopic('good', 1, { 'retention.ms': '10', 'segment.bytes': '14' });
    for (const t of ['bad', 'good']) for (let i = 0; i < 2; i++) produce(c, t, 'k', 'v', 0);
    const bad = c.topics.get('bad')!.partitions[0]!;
    bad.segmentList[0]!.read = () => {
      throw new Error('disk on fire');
    };
    now = 100;
    const warnings: string[] = [];
    maintenance = startLogMaintenance(c, { intervalMs: 3_600_000, logger: { warn: (m) => warnings.push(m), info: () => undefined } });
    const report = await maintenance.runNow();
    expect(report.failures).toBe(1);
    expect(report.segmentsDeleted).toBe(1);
    expect(warnings).toEqual(['log maintenance of bad-0 failed: disk on fire']);
  });

  it('finishes cleanly when a topic is deleted while a run is under way', async () => {
    const c = cluster();
    c.createTopic('a', 1, { 'retention.ms': '10', 'segment.bytes': '14' });
    c.createTopic('b', 2, { 'retention.ms': '10', 'segment.bytes': '14' });
    for (const t of ['a', 'b']) for (let i = 0; i < 2; i++) produce(c, t, 'k', 'v', 0);
    now = 100;
    maintenance = startLogMaintenance(c, { intervalMs: 3_600_000 });
    const run = maintenance.runNow();
    c.deleteTopic('b'); // happens while the run yields after topic a
    expect(await run).toMatchObject({ segmentsDeleted: 1, failures: 0 });
  });
});
