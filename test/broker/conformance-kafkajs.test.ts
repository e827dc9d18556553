import { ConfigResourceTypes, type Admin } from 'kafkajs';
import type { RunningBroker } from '@agentmesh/broker';
import { ApiKey } from '../../packages/broker/src/protocol/api-keys';
import { consumeAll, kafkaFor, startTestBroker, uniqueName } from '../support/kafka';
import { RawKafkaClient } from './support/raw-client';

// The broker as kafkajs 2.2.4 sees it at the versions it negotiates against Kafka 3.x (Metadata v6, ListOffsets v3,
// LeaveGroup v3, DescribeConfigs v2, AlterConfigs v1, CreatePartitions v1, DeleteRecords v1): what its admin,
// producer and consumer calls answer, as they answer against Apache Kafka.

let broker: RunningBroker;
let admin: Admin;

beforeAll(async () => {
  broker = await startTestBroker({ defaultPartitions: 1 });
  admin = kafkaFor(broker).admin();
  await admin.connect();
});

afterAll(async () => {
  await admin?.disconnect();
  await broker?.stop();
});

const TOPIC = ConfigResourceTypes.TOPIC;
const BROKER = ConfigResourceTypes.BROKER;

describe('kafkajs admin, producer and consumer against Kafka 3.x versions', () => {
  it("createTopics accepts Kafka's topic configs and refuses bad values; describeConfigs lists all 26 in Kafka's order with synonyms", async () => {
    const topic = uniqueName('kjs-configs');
    await admin.createTopics({
      topics: [
        {
          topic,
          configEntries: [
            { name: 'message.timestamp.difference.max.ms', value: '3600000' },
            { name: 'segment.jitter.ms', value: '10' },
            { name: 'min.cleanable.dirty.ratio', value: '0.2' },
          ],
        },
      ],
    });
    await expect(admin.createTopics({ topics: [{ topic: uniqueName('kjs-bad'), configEntries: [{ name: 'preallocate', value: 'maybe' }] }] })).rejects.toMatchObject({
      errors: [expect.objectContaining({ type: 'INVALID_CONFIG' })],
    });
    const { resources } = await admin.describeConfigs({ includeSynonyms: true, resources: [{ type: TOPIC, name: topic }] });
    const entries = resources[0]!.configEntries;
    expect(entries).toHaveLength(26);
    expect(entries.slice(0, 6).map((e) => e.configName)).toEqual([
      'compression.type',
      'leader.replication.throttled.replicas',
      'message.downconversion.enable',
      'min.insync.replicas',
      'segment.jitter.ms',
      'cleanup.policy',
    ]);
    const byName = Object.fromEntries(entries.map((e) => [e.configName, e]));
    expect(byName['message.timestamp.difference.max.ms']).toMatchObject({ configValue: '3600000', isDefault: false, configSource: 1 });
    expect(byName['min.cleanable.dirty.ratio']!.configSynonyms).toEqual([
      { configName: 'min.cleanable.dirty.ratio', configValue: '0.2', configSource: 1 },
      { configName: 'log.cleaner.min.cleanable.ratio', configValue: '0.5', configSource: 5 },
    ]);
    expect(byName['retention.ms']).toMatchObject({ configValue: '604800000', isDefault: true, configSynonyms: [{ configName: 'log.retention.hours', configValue: '168', configSource: 5 }] });
  });

  it('describeConfigs on the broker lists its usual configs, default.replication.factor among them; alterConfigs changes topic and broker', async () => {
    const { resources } = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: BROKER, name: '1' }] });
    const byName = Object.fromEntries(resources[0]!.configEntries.map((e) => [e.configName, e]));
    expect(byName['default.replication.factor']).toMatchObject({ configValue: '1', readOnly: true });
    expect(byName['num.partitions']).toMatchObject({ configValue: '1' });
    expect(byName['message.max.bytes']).toMatchObject({ configValue: '1048588', readOnly: false });

    const topic = uniqueName('kjs-alter');
    await admin.createTopics({ topics: [{ topic, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }] });
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: TOPIC, name: topic, configEntries: [{ name: 'retention.ms', value: '3600000' }] }] });
    const after = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: TOPIC, name: topic, configNames: ['retention.ms', 'cleanup.policy'] }] });
    const values = Object.fromEntries(after.resources[0]!.configEntries.map((e) => [e.configName, e.configValue]));
    // AlterConfigs replaces the topic's set: cleanup.policy falls back to its default.
    expect(values).toEqual({ 'retention.ms': '3600000', 'cleanup.policy': 'delete' });
    await expect(admin.alterConfigs({ validateOnly: false, resources: [{ type: TOPIC, name: topic, configEntries: [{ name: 'retention.ms', value: 'later' }] }] })).rejects.toMatchObject({
      type: 'INVALID_CONFIG',
    });

    await admin.alterConfigs({ validateOnly: false, resources: [{ type: BROKER, name: '1', configEntries: [{ name: 'log.retention.bytes', value: '1000000' }] }] });
    const inherited = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: TOPIC, name: topic, configNames: ['retention.bytes'] }] });
    expect(inherited.resources[0]!.configEntries[0]).toMatchObject({ configValue: '1000000', configSource: 2 });
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: BROKER, name: '1', configEntries: [] }] });
    await expect(admin.alterConfigs({ validateOnly: false, resources: [{ type: BROKER, name: '1', configEntries: [{ name: 'broker.id', value: '2' }] }] })).rejects.toMatchObject({
      type: 'INVALID_REQUEST',
    });
  });

  it('createPartitions refuses an assignment to a broker that does not exist (INVALID_REPLICA_ASSIGNMENT)', async () => {
    const topic = uniqueName('kjs-grow');
    await admin.createTopics({ topics: [{ topic }] });
    await expect(admin.createPartitions({ topicPartitions: [{ topic, count: 2, assignments: [[2]] }] })).rejects.toMatchObject({ type: 'INVALID_REPLICA_ASSIGNMENT' });
    await admin.createPartitions({ topicPartitions: [{ topic, count: 3, assignments: [[1], [1]] }] });
    expect((await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]!.partitions).toHaveLength(3);
  });

  it('partition reassignments: the assignment in force is accepted, another broker refused per partition, none is ever in progress', async () => {
    const topic = uniqueName('kjs-reassign');
    await admin.createTopics({ topics: [{ topic }] });
    await admin.alterPartitionReassignments({ topics: [{ topic, partitionAssignment: [{ partition: 0, replicas: [1] }] }] });
    const refused = (errorType: string) => ({ errors: [expect.objectContaining({ type: errorType })] });
    await expect(admin.alterPartitionReassignments({ topics: [{ topic, partitionAssignment: [{ partition: 0, replicas: [2, 1] }] }] })).rejects.toMatchObject(refused('INVALID_REPLICA_ASSIGNMENT'));
    await expect(admin.alterPartitionReassignments({ topics: [{ topic: `${topic}-x`, partitionAssignment: [{ partition: 0, replicas: [1] }] }] })).rejects.toMatchObject(
      refused('UNKNOWN_TOPIC_OR_PARTITION'),
    );
    expect(await admin.listPartitionReassignments({})).toEqual({ topics: [] });
  });

  it('deleteTopicRecords moves the low watermark; consumers start there; group offsets resolve against it', async () => {
    const topic = uniqueName('kjs-records');
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
    const producer = kafkaFor(broker).producer();
    await producer.connect();
    await producer.send({ topic, acks: 1, messages: Array.from({ length: 20 }, (_, i) => ({ partition: i < 13 ? 0 : 1, key: `k${i}`, value: `v${i}` })) });
    await producer.disconnect();

    // kafkajs finds partition leaders in the metadata it already holds, so it looks at the topic first (as its own spec does).
    expect((await admin.fetchTopicOffsets(topic)).map((o) => o.low)).toEqual(['0', '0']);
    await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '7' }] });
    const offsets = await admin.fetchTopicOffsets(topic);
    expect(offsets.map((o) => [o.partition, o.low, o.high]).sort()).toEqual([
      [0, '7', '13'],
      [1, '0', '7'],
    ]);
    await expect(admin.deleteTopicRecords({ topic, partitions: [{ partition: 1, offset: '99' }] })).rejects.toMatchObject({ name: 'KafkaJSNonRetriableError' });

    // A group whose committed offsets say "earliest" (-2, as admin.resetOffsets commits them) resolves to the new log start.
    const groupId = uniqueName('kjs-records-g');
    const raw = await RawKafkaClient.open(broker.host, broker.port);
    try {
      await raw.request(ApiKey.OffsetCommit, 2, (w) =>
        w
          .string(groupId)
          .int32(-1)
          .string('')
          .int64(-1)
          .array([topic], (w, t) => w.string(t).array([0, 1], (w, p) => w.int32(p).int64(-2).nullableString(null))),
      );
    } finally {
      raw.destroy();
    }
    const resolved = await admin.fetchOffsets({ groupId, topics: [topic], resolveOffsets: true });
    expect(resolved[0]!.partitions.map((p) => [p.partition, p.offset]).sort()).toEqual([
      [0, '7'],
      [1, '0'],
    ]);

    const consumer = kafkaFor(broker).consumer({ groupId: uniqueName('kjs-records-c'), maxWaitTimeInMs: 100 });
    await consumer.connect();
    try {
      const got = await consumeAll(consumer, topic, 13);
      const partition0 = got.filter((m) => m.partition === 0).map((m) => Number(m.offset));
      expect(partition0).toEqual([7, 8, 9, 10, 11, 12]);
    } finally {
      await consumer.disconnect();
    }
    await admin.deleteTopicRecords({ topic, partitions: [{ partition: 1, offset: '-1' }] });
    expect((await admin.fetchTopicOffsets(topic)).find((o) => o.partition === 1)).toMatchObject({ low: '7', high: '7' });
  });

  it('offsets committed without metadata read back as "", and a consumer leaving (LeaveGroup v3) empties its group at once', async () => {
    const topic = uniqueName('kjs-commit');
    const groupId = uniqueName('kjs-commit-g');
    await admin.createTopics({ topics: [{ topic }] });
    const producer = kafkaFor(broker).producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ value: 'a' }, { value: 'b' }] });
    await producer.disconnect();
    const consumer = kafkaFor(broker).consumer({ groupId, maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumeAll(consumer, topic, 2);
    await consumer.commitOffsets([{ topic, partition: 0, offset: '2' }]);
    expect((await admin.describeGroups([groupId])).groups[0]!.state).toBe('Stable');
    await consumer.disconnect();
    expect((await admin.describeGroups([groupId])).groups[0]!.state).toBe('Empty');
    // kafkajs' admin turns "" into null, so the stored value is read with OffsetFetch v4 itself: "", not null.
    const raw = await RawKafkaClient.open(broker.host, broker.port);
    try {
      const r = await raw.request(ApiKey.OffsetFetch, 4, (w) => w.string(groupId).array([topic], (w, t) => w.string(t).array([0], (w, p) => w.int32(p))));
      r.int32();
      const [partition] = r.array((t) => (t.string(), t.array((p) => ({ index: p.int32(), offset: p.int64(), metadata: p.nullableString(), errorCode: p.int16() }))))[0]!;
      expect(partition).toEqual({ index: 0, offset: 2, metadata: '', errorCode: 0 });
    } finally {
      raw.destroy();
    }
  });

  it('fetchTopicOffsetsByTimestamp (ListOffsets v3) and fetchTopicMetadata (Metadata v6) answer as Kafka does', async () => {
    const topic = uniqueName('kjs-time');
    await admin.createTopics({ topics: [{ topic }] });
    const producer = kafkaFor(broker).producer();
    await producer.connect();
    await producer.send({ topic, messages: [1_000, 2_000, 3_000].map((t) => ({ value: String(t), timestamp: String(1_700_000_000_000 + t) })) });
    await producer.disconnect();
    expect(await admin.fetchTopicOffsetsByTimestamp(topic, 1_700_000_001_500)).toEqual([{ partition: 0, offset: '1' }]);
    expect(await admin.fetchTopicOffsetsByTimestamp(topic, 1_800_000_000_000)).toEqual([{ partition: 0, offset: '3' }]);
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(meta.topics[0]).toEqual({ name: topic, partitions: [{ partitionErrorCode: 0, partitionId: 0, leader: 1, replicas: [1], isr: [1], offlineReplicas: [] }] });
  });
});
