import type { Admin, ITopicConfig, Kafka } from 'kafkajs';
import type { RunningBroker } from '@agentmesh/broker';
import { kafkaFor, startTestBroker, uniqueName } from '../support/kafka';

// Topic administration through kafkajs' admin client.

let broker: RunningBroker;
let kafka: Kafka;
let admin: Admin;

beforeAll(async () => {
  broker = await startTestBroker({ defaultPartitions: 2 });
  kafka = kafkaFor(broker);
  admin = kafka.admin();
  await admin.connect();
});

afterAll(async () => {
  await admin.disconnect();
  await broker.stop();
});

describe('topic administration with kafkajs', () => {
  it('creates, lists and deletes topics', async () => {
    const a = uniqueName('adm');
    const b = uniqueName('adm');
    expect(await admin.createTopics({ topics: [{ topic: a, numPartitions: 3 }, { topic: b }] })).toBe(true);
    expect(await admin.listTopics()).toEqual(expect.arrayContaining([a, b]));
    const meta = await admin.fetchTopicMetadata({ topics: [a, b] });
    expect(Object.fromEntries(meta.topics.map((t) => [t.name, t.partitions.length]))).toEqual({ [a]: 3, [b]: 2 });
    // Creating an existing topic again creates nothing.
    expect(await admin.createTopics({ topics: [{ topic: a }] })).toBe(false);
    await admin.deleteTopics({ topics: [a] });
    const after = await admin.listTopics();
    expect(after).toContain(b);
    expect(after).not.toContain(a);
  });

  it('forgets committed offsets of a deleted topic, so a re-created topic starts clean', async () => {
    const t = uniqueName('adm');
    const groupId = uniqueName('g');
    await admin.createTopics({ topics: [{ topic: t }] });
    await admin.setOffsets({ groupId, topic: t, partitions: [{ partition: 0, offset: '0' }] });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: t, messages: [{ value: 'a' }, { value: 'b' }] });
    await producer.disconnect();
    await admin.setOffsets({ groupId, topic: t, partitions: [{ partition: 0, offset: '2' }] });
    expect((await admin.fetchOffsets({ groupId, topics: [t] }))[0]!.partitions[0]!.offset).toBe('2');
    await admin.deleteTopics({ topics: [t] });
    await admin.createTopics({ topics: [{ topic: t }] });
    expect((await admin.fetchOffsets({ groupId, topics: [t] }))[0]!.partitions[0]!.offset).toBe('-1');
  });

  it('validates without creating when asked to', async () => {
    const t = uniqueName('adm');
    // kafkajs waits for leaders after CreateTopics unless told not to; a validated topic has none.
    expect(await admin.createTopics({ validateOnly: true, waitForLeaders: false, topics: [{ topic: t, numPartitions: 2 }] })).toBe(true);
    expect(await admin.listTopics()).not.toContain(t);
  });

  it('refuses bad topic requests with the protocol errors', async () => {
    const creationError = async (topic: ITopicConfig): Promise<string | undefined> => {
      try {
        await admin.createTopics({ topics: [topic] });
        return undefined;
      } catch (err) {
        return (err as { errors?: Array<{ type?: string }> }).errors?.[0]?.type;
      }
    };
    expect(await creationError({ topic: uniqueName('adm'), configEntries: [{ name: 'cleanup.policy', value: 'sometimes' }] })).toBe('INVALID_CONFIG');
    expect(await creationError({ topic: uniqueName('adm'), replicationFactor: 3 })).toBe('INVALID_REPLICATION_FACTOR');
    expect(await creationError({ topic: 'bad name!' })).toBe('INVALID_TOPIC_EXCEPTION');
    expect(await creationError({ topic: uniqueName('adm'), numPartitions: 0 })).toBe('INVALID_PARTITIONS');
    expect(await admin.listTopics()).not.toContain('bad name!');
    await expect(admin.deleteTopics({ topics: [uniqueName('never-created')] })).rejects.toThrow(/does not host this topic-partition|unknown/i);
  });

  it('grows a topic with CreatePartitions and refuses to shrink it', async () => {
    const t = uniqueName('adm');
    await admin.createTopics({ topics: [{ topic: t, numPartitions: 2 }] });
    await admin.createPartitions({ topicPartitions: [{ topic: t, count: 5 }] });
    const meta = await admin.fetchTopicMetadata({ topics: [t] });
    expect(meta.topics[0]!.partitions.map((p) => p.partitionId).sort()).toEqual([0, 1, 2, 3, 4]);
    await expect(admin.createPartitions({ topicPartitions: [{ topic: t, count: 3 }] })).rejects.toThrow();
    // The new partitions take writes.
    const producer = kafka.producer();
    await producer.connect();
    const [res] = await producer.send({ topic: t, messages: [{ partition: 4, value: 'x' }] });
    expect(res).toMatchObject({ partition: 4, errorCode: 0, baseOffset: '0' });
    await producer.disconnect();
  });

  it('describes topic configs: what was set, and the defaults', async () => {
    const t = uniqueName('adm');
    await admin.createTopics({
      topics: [
        {
          topic: t,
          configEntries: [
            { name: 'cleanup.policy', value: 'compact' },
            { name: 'retention.ms', value: '60000' },
          ],
        },
      ],
    });
    const { resources } = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: t }] });
    const entries = Object.fromEntries(resources[0]!.configEntries.map((e) => [e.configName, e]));
    expect(entries['cleanup.policy']).toMatchObject({ configValue: 'compact', isDefault: false });
    expect(entries['retention.ms']).toMatchObject({ configValue: '60000', isDefault: false });
    // This broker's own default (64 MiB segments) is reported as the static broker config in force, not as Kafka's default.
    expect(entries['segment.bytes']).toMatchObject({ configValue: '67108864', isDefault: false, configSource: 4 });
    expect(entries['compression.type']).toMatchObject({ configValue: 'producer', isDefault: true, configSource: 5 });
  });

  it('auto-creates a topic on first metadata request with the default partition count', async () => {
    const t = uniqueName('auto');
    const producer = kafka.producer({ allowAutoTopicCreation: true });
    await producer.connect();
    await producer.send({ topic: t, messages: [{ value: 'hello' }] });
    await producer.disconnect();
    const meta = await admin.fetchTopicMetadata({ topics: [t] });
    expect(meta.topics[0]!.partitions).toHaveLength(2);
  });

  it('does not auto-create when the broker is told not to', async () => {
    const strict = await startTestBroker({ autoCreateTopics: false });
    const strictAdmin = kafkaFor(strict, { retry: { retries: 0 } }).admin();
    await strictAdmin.connect();
    try {
      await expect(strictAdmin.fetchTopicMetadata({ topics: [uniqueName('nope')] })).rejects.toThrow(/does not host this topic-partition/);
    } finally {
      await strictAdmin.disconnect();
      await strict.stop();
    }
  });
});
