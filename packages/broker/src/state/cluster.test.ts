import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildRecordBatch } from '../protocol/record-batch-builder';
import { FileStorage } from '../storage/file-storage';
import { MemoryStorage } from '../storage/memory-storage';
import { Cluster } from './cluster';

const config = { nodeId: 1, clusterId: 'test', autoCreateTopics: true, defaultPartitions: 1 };

describe('Cluster producer ids', () => {
  it('hands out distinct ids from the wall clock', () => {
    const cluster = new Cluster(config, new MemoryStorage(), () => 0);
    const before = Date.now();
    const a = cluster.allocateProducerId();
    expect(a).toBeGreaterThanOrEqual(before);
    expect(cluster.allocateProducerId()).toBe(a + 1);
  });

  it('after a restart, starts above every producer id the logs remember, so no new producer inherits a stored window', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cluster-'));
    try {
      const first = new Cluster(config, new FileStorage(dir), () => 0);
      first.createTopic('t', 2, {});
      // An id ahead of the wall clock, as a previous life that handed out many ids (or had a clock ahead) leaves.
      const stored = Date.now() + 10_000_000;
      first.topics.get('t')!.partitions[1]!.append([buildRecordBatch({ producerId: stored, producerEpoch: 0, baseSequence: 0, records: [{ key: 'k', value: 'v' }] })]);
      first.close();

      const second = new Cluster(config, new FileStorage(dir), () => 0);
      expect(second.allocateProducerId()).toBe(stored + 1);
      second.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
