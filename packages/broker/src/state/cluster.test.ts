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

describe('Cluster topic ids, configs and DeleteRecords', () => {
  it('gives each topic an id, finds it by id, and keeps both the id and a moved log start across a restart', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cluster-'));
    try {
      const first = new Cluster(config, new FileStorage(dir), () => 0);
      first.createTopic('t', 1, { 'segment.bytes': '100' });
      const id = first.topics.get('t')!.id;
      expect(id).toMatch(/^[0-9a-f]{32}$/);
      expect(first.topicById(id)?.name).toBe('t');
      const p = first.topics.get('t')!.partitions[0]!;
      for (let i = 0; i < 6; i++) p.append([buildRecordBatch({ records: [{ key: `k${i}`, value: 'x'.repeat(60) }] })]);
      expect(first.deleteRecords('t', 0, 4)).toEqual({ errorCode: 0, lowWatermark: 4 });
      expect(first.deleteRecords('t', 0, 2)).toEqual({ errorCode: 0, lowWatermark: 4 });
      expect(first.deleteRecords('t', 0, 7).errorCode).toBe(1); // past the high watermark: OFFSET_OUT_OF_RANGE
      expect(first.deleteRecords('t', 3, 1).errorCode).toBe(3);
      // Whole segments below the new start are gone (the active one stays).
      expect(p.segmentList[0]!.baseOffset).toBe(4);
      first.close();

      const second = new Cluster(config, new FileStorage(dir), () => 0);
      expect(second.topics.get('t')!.id).toBe(id);
      expect(second.topics.get('t')!.partitions[0]!.logStartOffset).toBe(4);
      second.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('topics follow dynamic broker configs through their synonyms unless they set their own', () => {
    const cluster = new Cluster(config, new MemoryStorage(), () => 0);
    cluster.createTopic('plain', 1, {});
    cluster.createTopic('own', 1, { 'retention.ms': '1000' });
    cluster.brokerConfigs.apply('cluster', [{ name: 'log.retention.ms', value: '5000' }]);
    expect(cluster.topics.get('plain')!.logSettings().retentionMs).toBe(5000);
    expect(cluster.topics.get('own')!.logSettings().retentionMs).toBe(1000);
    expect(cluster.setTopicConfigs('own', { 'retention.ms': 'soon' }, false).errorCode).toBe(40);
    expect(cluster.setTopicConfigs('own', {}, false).errorCode).toBe(0);
    expect(cluster.topics.get('own')!.logSettings().retentionMs).toBe(5000);
  });

  it('CreatePartitions checks a manual assignment: one entry per new partition, this broker only', () => {
    const cluster = new Cluster(config, new MemoryStorage(), () => 0);
    cluster.createTopic('t', 1, {});
    expect(cluster.createPartitions('t', 3, false, [[1]]).errorCode).toBe(39);
    expect(cluster.createPartitions('t', 2, false, [[2]]).errorCode).toBe(39);
    expect(cluster.createPartitions('t', 2, false, [[1, 1]]).errorCode).toBe(39);
    expect(cluster.createPartitions('t', 2, false, [[1]]).errorCode).toBe(0);
    expect(cluster.topics.get('t')!.partitions).toHaveLength(2);
  });
});
