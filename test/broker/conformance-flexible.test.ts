import type { RunningBroker } from '@agentmesh/broker';
import { ApiKey } from '../../packages/broker/src/protocol/api-keys';
import { ErrorCode } from '../../packages/broker/src/protocol/errors';
import { buildRecordBatch } from '../../packages/broker/src/protocol/record-batch-builder';
import { Writer } from '../../packages/broker/src/protocol/writer';
import { kafkaFor, startTestBroker, uniqueName } from '../support/kafka';
import { RawKafkaClient } from './support/raw-client';
import { flexibleRequest, structs } from './support/raw-flexible';

// The APIs at the newest versions Apache Kafka 3.x advertises, flexible encodings included, checked field for field
// against Kafka's JSON message definitions with a bare client (kafkajs and librdkafka stop at lower versions).

let broker: RunningBroker;
let c: RawKafkaClient;

beforeAll(async () => {
  broker = await startTestBroker({ defaultPartitions: 1 });
  c = await RawKafkaClient.open(broker.host, broker.port);
});

afterAll(async () => {
  c?.destroy();
  await broker?.stop();
});

const ZERO_UUID = '0'.repeat(32);
const KAFKA_TOPIC_CONFIG_ORDER = [
  'compression.type',
  'leader.replication.throttled.replicas',
  'message.downconversion.enable',
  'min.insync.replicas',
  'segment.jitter.ms',
  'cleanup.policy',
  'flush.ms',
  'follower.replication.throttled.replicas',
  'segment.bytes',
  'retention.ms',
  'flush.messages',
  'message.format.version',
  'max.compaction.lag.ms',
  'file.delete.delay.ms',
  'max.message.bytes',
  'min.compaction.lag.ms',
  'message.timestamp.type',
  'preallocate',
  'min.cleanable.dirty.ratio',
  'index.interval.bytes',
  'unclean.leader.election.enable',
  'retention.bytes',
  'delete.retention.ms',
  'segment.ms',
  'message.timestamp.difference.max.ms',
  'segment.index.bytes',
];

interface CreatedTopic {
  name: string;
  topicId: string;
  errorCode: number;
  errorMessage: string | null;
  numPartitions: number;
  replicationFactor: number;
  configs: Array<{ name: string; value: string | null; readOnly: boolean; source: number; sensitive: boolean }> | null;
}

async function createTopicV7(topic: { name: string; partitions?: number; assignments?: number[][]; configs?: Record<string, string | null> }): Promise<CreatedTopic> {
  const r = await flexibleRequest(c, ApiKey.CreateTopics, 7, (w) => {
    w.compactArray([topic], (w, t) => {
      w.compactString(t.name)
        .int32(t.assignments ? -1 : (t.partitions ?? 1))
        .int16(-1);
      w.compactArray(t.assignments ?? [], (w, brokers) => {
        w.int32(t.assignments!.indexOf(brokers)).compactArray(brokers, (w, b) => w.int32(b));
        w.taggedFields();
      });
      w.compactArray(Object.entries(t.configs ?? {}), (w, [k, v]) => {
        w.compactString(k).compactNullableString(v);
        w.taggedFields();
      });
      w.taggedFields();
    });
    w.int32(5000).boolean(false).taggedFields();
  });
  expect(r.int32()).toBe(0); // throttle time
  const [created] = structs(r, (x): CreatedTopic => {
    const name = x.compactString();
    const topicId = x.uuid();
    const errorCode = x.int16();
    const errorMessage = x.compactNullableString();
    const numPartitions = x.int32();
    const replicationFactor = x.int16();
    const configs = x.compactNullableArray((y) => {
      const cfg = { name: y.compactString(), value: y.compactNullableString(), readOnly: y.boolean(), source: y.int8(), sensitive: y.boolean() };
      y.taggedFields();
      return cfg;
    });
    return { name, topicId, errorCode, errorMessage, numPartitions, replicationFactor, configs };
  });
  r.taggedFields();
  expect(r.remaining).toBe(0);
  return created!;
}

interface MetadataTopic {
  errorCode: number;
  name: string | null;
  topicId: string;
  partitions: Array<{ index: number; leader: number; leaderEpoch: number; replicas: number[]; isr: number[]; offline: number[] }>;
  authorizedOperations: number;
}

async function metadataV12(topics: Array<{ id?: string; name?: string }>): Promise<{ brokers: Array<{ nodeId: number; host: string; port: number }>; controllerId: number; topics: MetadataTopic[] }> {
  const r = await flexibleRequest(c, ApiKey.Metadata, 12, (w) => {
    w.compactArray(topics, (w, t) => {
      w.uuid(t.id ?? ZERO_UUID).compactNullableString(t.name ?? null);
      w.taggedFields();
    });
    w.boolean(false).boolean(true).taggedFields();
  });
  r.int32();
  const brokers = structs(r, (x) => {
    const b = { nodeId: x.int32(), host: x.compactString(), port: x.int32() };
    expect(x.compactNullableString()).toBeNull(); // rack
    return b;
  });
  expect(r.compactNullableString()).toMatch(/^agentmesh-/);
  const controllerId = r.int32();
  const parsed = structs(r, (x): MetadataTopic => {
    const errorCode = x.int16();
    const name = x.compactNullableString();
    const topicId = x.uuid();
    expect(x.boolean()).toBe(false); // internal
    const partitions = structs(x, (p) => {
      p.int16();
      return {
        index: p.int32(),
        leader: p.int32(),
        leaderEpoch: p.int32(),
        replicas: p.compactArray((n) => n.int32()),
        isr: p.compactArray((n) => n.int32()),
        offline: p.compactArray((n) => n.int32()),
      };
    });
    return { errorCode, name, topicId, partitions, authorizedOperations: x.int32() };
  });
  r.taggedFields();
  expect(r.remaining).toBe(0);
  return { brokers, controllerId, topics: parsed };
}

describe('Kafka 3.x API versions over the wire', () => {
  it('CreateTopics v7 answers the topic id, counts and every config in force; Metadata v12 finds the topic by name and by id', async () => {
    const name = uniqueName('flex-topic');
    const created = await createTopicV7({ name, partitions: 3, configs: { 'message.timestamp.difference.max.ms': '3600000', 'retention.ms': '60000' } });
    expect(created).toMatchObject({ name, errorCode: 0, errorMessage: null, numPartitions: 3, replicationFactor: 1 });
    expect(created.topicId).toMatch(/^[0-9a-f]{32}$/);
    expect(created.topicId).not.toBe(ZERO_UUID);
    expect(created.configs!.map((x) => x.name)).toEqual(KAFKA_TOPIC_CONFIG_ORDER);
    const byName = Object.fromEntries(created.configs!.map((x) => [x.name, x]));
    expect(byName['message.timestamp.difference.max.ms']).toEqual({ name: 'message.timestamp.difference.max.ms', value: '3600000', readOnly: false, source: 1, sensitive: false });
    expect(byName['retention.ms']).toMatchObject({ value: '60000', source: 1 });
    expect(byName['max.message.bytes']).toMatchObject({ value: '1048588', source: 5 });

    const meta = await metadataV12([{ name }]);
    expect(meta.brokers).toEqual([{ nodeId: 1, host: broker.host, port: broker.port }]);
    expect(meta.controllerId).toBe(1);
    expect(meta.topics).toHaveLength(1);
    expect(meta.topics[0]).toMatchObject({ errorCode: 0, name, topicId: created.topicId });
    expect(meta.topics[0]!.partitions.map((p) => [p.index, p.leader, p.leaderEpoch, p.replicas, p.isr, p.offline])).toEqual([0, 1, 2].map((i) => [i, 1, 0, [1], [1], []]));
    // Authorized operations asked for: READ (3) to ALTER_CONFIGS (11) without an authorizer, bit n for operation n.
    expect(meta.topics[0]!.authorizedOperations & (1 << 3)).toBeTruthy();
    expect(meta.topics[0]!.authorizedOperations & (1 << 11)).toBeTruthy();

    const byId = await metadataV12([{ id: created.topicId }]);
    expect(byId.topics[0]).toMatchObject({ errorCode: 0, name, topicId: created.topicId });
    const unknown = await metadataV12([{ id: 'ab'.repeat(16) }]);
    expect(unknown.topics[0]).toMatchObject({ errorCode: ErrorCode.UNKNOWN_TOPIC_ID, name: null });
  });

  it('CreateTopics refuses what Kafka refuses: a bad config value (40), an unknown config (40), a missing broker in the assignment (39)', async () => {
    const bad = await createTopicV7({ name: uniqueName('flex-bad'), configs: { 'min.cleanable.dirty.ratio': '1.5' } });
    expect(bad).toMatchObject({ errorCode: ErrorCode.INVALID_CONFIG, numPartitions: -1, configs: null });
    expect(bad.errorMessage).toContain('min.cleanable.dirty.ratio');
    expect((await createTopicV7({ name: uniqueName('flex-bad'), configs: { 'no.such.config': '1' } })).errorCode).toBe(ErrorCode.INVALID_CONFIG);
    expect((await createTopicV7({ name: uniqueName('flex-bad'), assignments: [[1], [2]] })).errorCode).toBe(ErrorCode.INVALID_REPLICA_ASSIGNMENT);
    const assigned = await createTopicV7({ name: uniqueName('flex-assigned'), assignments: [[1], [1]] });
    expect(assigned).toMatchObject({ errorCode: 0, numPartitions: 2 });
  });

  it('DescribeConfigs v4 gives each value in force, its source and synonyms; the broker resource its usual configs', async () => {
    const name = uniqueName('flex-describe');
    await createTopicV7({ name, configs: { 'retention.ms': '60000' } });
    const r = await flexibleRequest(c, ApiKey.DescribeConfigs, 4, (w) => {
      w.compactArray(
        [
          { type: 2, name },
          { type: 4, name: '1' },
        ],
        (w, res) => {
          w.int8(res.type).compactString(res.name).uvarint(0); // null config names: all
          w.taggedFields();
        },
      );
      w.boolean(true).boolean(false).taggedFields();
    });
    r.int32();
    const results = structs(r, (x) => ({
      errorCode: x.int16(),
      errorMessage: x.compactNullableString(),
      type: x.int8(),
      name: x.compactString(),
      configs: structs(x, (y) => ({
        name: y.compactString(),
        value: y.compactNullableString(),
        readOnly: y.boolean(),
        source: y.int8(),
        sensitive: y.boolean(),
        synonyms: structs(y, (s) => ({ name: s.compactString(), value: s.compactNullableString(), source: s.int8() })),
        type: y.int8(),
        documentation: y.compactNullableString(),
      })),
    }));
    r.taggedFields();
    expect(r.remaining).toBe(0);
    const [topic, brokerRes] = results;
    expect(topic!.configs.map((x) => x.name)).toEqual(KAFKA_TOPIC_CONFIG_ORDER);
    const t = Object.fromEntries(topic!.configs.map((x) => [x.name, x]));
    expect(t['retention.ms']).toEqual({
      name: 'retention.ms',
      value: '60000',
      readOnly: false,
      source: 1,
      sensitive: false,
      synonyms: [
        { name: 'retention.ms', value: '60000', source: 1 },
        { name: 'log.retention.hours', value: '168', source: 5 },
      ],
      type: 5,
      documentation: null,
    });
    // Where this broker differs from Kafka on purpose, the value in force and its source, Kafka's default after it.
    expect(t['segment.bytes']).toMatchObject({
      value: '67108864',
      source: 4,
      synonyms: [
        { name: 'log.segment.bytes', value: '67108864', source: 4 },
        { name: 'log.segment.bytes', value: '1073741824', source: 5 },
      ],
    });
    expect(t['cleanup.policy']).toMatchObject({ value: 'delete', source: 5, type: 7 });
    const b = Object.fromEntries(brokerRes!.configs.map((x) => [x.name, x]));
    expect(brokerRes!.errorCode).toBe(0);
    expect(b['default.replication.factor']).toMatchObject({ value: '1', source: 5, readOnly: true });
    expect(b['broker.id']).toMatchObject({ value: '1', source: 4 });
    expect(b['log.retention.hours']).toMatchObject({ value: '168', source: 5 });
  });

  it("IncrementalAlterConfigs v1 and AlterConfigs v2 change topic and broker configs, with Kafka's errors", async () => {
    const name = uniqueName('flex-alter');
    await createTopicV7({ name });
    const incremental = async (type: number, resName: string, ops: Array<[string, number, string | null]>) => {
      const r = await flexibleRequest(c, ApiKey.IncrementalAlterConfigs, 1, (w) => {
        w.compactArray([0], (w) => {
          w.int8(type).compactString(resName);
          w.compactArray(ops, (w, [k, op, v]) => {
            w.compactString(k).int8(op).compactNullableString(v);
            w.taggedFields();
          });
          w.taggedFields();
        });
        w.boolean(false).taggedFields();
      });
      r.int32();
      const [res] = structs(r, (x) => ({ errorCode: x.int16(), errorMessage: x.compactNullableString(), type: x.int8(), name: x.compactString() }));
      r.taggedFields();
      return res!;
    };
    const describe = async (key: string) => {
      const admin = kafkaFor(broker).admin();
      await admin.connect();
      try {
        const { resources } = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name, configNames: [key] }] });
        return resources[0]!.configEntries[0]!;
      } finally {
        await admin.disconnect();
      }
    };
    expect(await incremental(2, name, [['retention.ms', 0, '1000']])).toEqual({ errorCode: 0, errorMessage: null, type: 2, name });
    expect(await describe('retention.ms')).toMatchObject({ configValue: '1000', configSource: 1 });
    expect((await incremental(2, name, [['cleanup.policy', 2, 'compact']])).errorCode).toBe(0);
    expect(await describe('cleanup.policy')).toMatchObject({ configValue: 'delete,compact' });
    expect((await incremental(2, name, [['retention.ms', 2, '5']])).errorCode).toBe(ErrorCode.INVALID_CONFIG);
    expect((await incremental(2, name, [['retention.ms', 1, null]])).errorCode).toBe(0);
    // A broker-wide dynamic default now reaches the topic through its synonym.
    expect((await incremental(4, '1', [['log.retention.ms', 0, '7200000']])).errorCode).toBe(0);
    expect(await describe('retention.ms')).toMatchObject({ configValue: '7200000', configSource: 2 });
    expect((await incremental(4, '', [['log.retention.bytes', 0, '1048576']])).errorCode).toBe(0);
    expect(await describe('retention.bytes')).toMatchObject({ configValue: '1048576', configSource: 3 });
    expect((await incremental(4, '1', [['num.partitions', 0, '3']])).errorCode).toBe(ErrorCode.INVALID_REQUEST);
    expect((await incremental(4, '7', [['log.retention.ms', 0, '1']])).errorCode).toBe(ErrorCode.INVALID_REQUEST);
    expect((await incremental(4, '1', [['log.retention.ms', 1, null]])).errorCode).toBe(0);
    expect((await incremental(4, '', [['log.retention.bytes', 1, null]])).errorCode).toBe(0);
    expect((await incremental(2, uniqueName('missing'), [['retention.ms', 0, '1']])).errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);

    // AlterConfigs (legacy): the given set replaces the topic's own configs.
    const r = await flexibleRequest(c, ApiKey.AlterConfigs, 2, (w) => {
      w.compactArray([0], (w) => {
        w.int8(2).compactString(name);
        w.compactArray([['max.message.bytes', '2048']], (w, [k, v]) => {
          w.compactString(k!).compactNullableString(v!);
          w.taggedFields();
        });
        w.taggedFields();
      });
      w.boolean(false).taggedFields();
    });
    r.int32();
    expect(structs(r, (x) => ({ errorCode: x.int16(), errorMessage: x.compactNullableString(), type: x.int8(), name: x.compactString() }))).toEqual([
      { errorCode: 0, errorMessage: null, type: 2, name },
    ]);
    expect(await describe('max.message.bytes')).toMatchObject({ configValue: '2048', configSource: 1 });
    expect(await describe('cleanup.policy')).toMatchObject({ configValue: 'delete', configSource: 5 });
  });

  it('ListOffsets v8: earliest, latest, max timestamp and earliest-local, with leader epochs; DeleteRecords v2 moves the log start', async () => {
    const topic = uniqueName('flex-offsets');
    const producer = kafkaFor(broker).producer();
    await producer.connect();
    await producer.send({ topic, messages: [0, 1, 2, 3, 4].map((i) => ({ value: `v${i}`, timestamp: String(1_700_000_000_000 + (i === 2 ? 9_000 : i)) })) });
    await producer.disconnect();
    const listOffsets = async (timestamp: number) => {
      const r = await flexibleRequest(c, ApiKey.ListOffsets, 8, (w) => {
        w.int32(-1).int8(0);
        w.compactArray([0], (w) => {
          w.compactString(topic);
          w.compactArray([0], (w) => {
            w.int32(0).int32(-1).int64(timestamp);
            w.taggedFields();
          });
          w.taggedFields();
        });
        w.taggedFields();
      });
      r.int32();
      const [t] = structs(r, (x) => ({
        name: x.compactString(),
        partitions: structs(x, (p) => ({ index: p.int32(), errorCode: p.int16(), timestamp: p.int64(), offset: p.int64(), leaderEpoch: p.int32() })),
      }));
      r.taggedFields();
      expect(r.remaining).toBe(0);
      return t!.partitions[0]!;
    };
    expect(await listOffsets(-2)).toEqual({ index: 0, errorCode: 0, timestamp: -1, offset: 0, leaderEpoch: 0 });
    expect(await listOffsets(-1)).toMatchObject({ offset: 5 });
    expect(await listOffsets(-3)).toMatchObject({ offset: 2, timestamp: 1_700_000_009_000 });

    const deleteRecords = async (offset: number) => {
      const r = await flexibleRequest(c, ApiKey.DeleteRecords, 2, (w) => {
        w.compactArray([0], (w) => {
          w.compactString(topic);
          w.compactArray([0], (w) => {
            w.int32(0).int64(offset);
            w.taggedFields();
          });
          w.taggedFields();
        });
        w.int32(5000).taggedFields();
      });
      r.int32();
      const [t] = structs(r, (x) => ({ name: x.compactString(), partitions: structs(x, (p) => ({ index: p.int32(), lowWatermark: p.int64(), errorCode: p.int16() })) }));
      r.taggedFields();
      return t!.partitions[0]!;
    };
    expect(await deleteRecords(3)).toEqual({ index: 0, lowWatermark: 3, errorCode: 0 });
    expect(await deleteRecords(1)).toEqual({ index: 0, lowWatermark: 3, errorCode: 0 }); // never moves back
    expect(await deleteRecords(99)).toMatchObject({ errorCode: ErrorCode.OFFSET_OUT_OF_RANGE });
    expect(await listOffsets(-2)).toMatchObject({ offset: 3 });
    expect(await listOffsets(-4)).toMatchObject({ offset: 3 });
    expect(await deleteRecords(-1)).toEqual({ index: 0, lowWatermark: 5, errorCode: 0 });
  });

  it('Produce v9 (flexible; v10 the same on the wire) appends and answers base offset, log start and the v8 record-error fields', async () => {
    const topic = uniqueName('flex-produce');
    await createTopicV7({ name: topic });
    const produce = async (values: string[]) => {
      const r = await flexibleRequest(c, ApiKey.Produce, 9, (w) => {
        w.compactNullableString(null).int16(-1).int32(5000);
        w.compactArray([0], (w) => {
          w.compactString(topic);
          w.compactArray([0], (w) => {
            w.int32(0).compactBytes(buildRecordBatch({ records: values.map((v) => ({ key: null, value: v })) }));
            w.taggedFields();
          });
          w.taggedFields();
        });
        w.taggedFields();
      });
      const [t] = structs(r, (x) => ({
        name: x.compactString(),
        partitions: structs(x, (p) => ({
          index: p.int32(),
          errorCode: p.int16(),
          baseOffset: p.int64(),
          logAppendTimeMs: p.int64(),
          logStartOffset: p.int64(),
          recordErrors: structs(p, (e) => ({ batchIndex: e.int32(), message: e.compactNullableString() })),
          errorMessage: p.compactNullableString(),
        })),
      }));
      expect(r.int32()).toBe(0); // throttle time
      r.taggedFields();
      expect(r.remaining).toBe(0);
      return t!.partitions[0]!;
    };
    expect(await produce(['a', 'b'])).toEqual({ index: 0, errorCode: 0, baseOffset: 0, logAppendTimeMs: -1, logStartOffset: 0, recordErrors: [], errorMessage: null });
    expect(await produce(['c'])).toMatchObject({ baseOffset: 2 });
    const admin = kafkaFor(broker).admin();
    await admin.connect();
    try {
      expect(await admin.fetchTopicOffsets(topic)).toEqual([{ partition: 0, offset: '3', high: '3', low: '0' }]);
    } finally {
      await admin.disconnect();
    }
  });

  it('Fetch v12 (flexible, by name) and v16 (by topic id, no replica id) return the records and offsets', async () => {
    const topic = uniqueName('flex-fetch');
    const created = await createTopicV7({ name: topic });
    const producer = kafkaFor(broker).producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ value: 'one' }, { value: 'two' }] });
    await producer.disconnect();
    const fetch = async (version: number, id: string) => {
      const r = await flexibleRequest(c, ApiKey.Fetch, version, (w) => {
        if (version <= 14) w.int32(-1); // replica id
        w.int32(100)
          .int32(1)
          .int32(1 << 20)
          .int8(1)
          .int32(0)
          .int32(-1);
        w.compactArray([0], (w) => {
          if (version >= 13) w.uuid(id);
          else w.compactString(topic);
          w.compactArray([0], (w) => {
            w.int32(0)
              .int32(-1)
              .int64(0)
              .int32(-1)
              .int64(-1)
              .int32(1 << 20);
            w.taggedFields();
          });
          w.taggedFields();
        });
        w.uvarint(1).compactString('').taggedFields(); // no forgotten topics, no rack
      });
      expect(r.int32()).toBe(0);
      expect([r.int16(), r.int32()]).toEqual([0, 0]); // error, session id
      const topics = structs(r, (t) => ({
        topic: version >= 13 ? t.uuid() : t.compactString(),
        partitions: structs(t, (p) => {
          const head = { index: p.int32(), errorCode: p.int16(), highWatermark: p.int64(), lastStableOffset: p.int64(), logStartOffset: p.int64() };
          const aborted = p.compactNullableArray((a) => {
            const txn = { producerId: a.int64(), firstOffset: a.int64() };
            a.taggedFields();
            return txn;
          });
          const preferredReadReplica = p.int32();
          const records = p.compactNullableBytes();
          return { ...head, aborted, preferredReadReplica, recordBytes: records?.length ?? -1, firstBaseOffset: records && records.length >= 8 ? Number(records.readBigInt64BE(0)) : -1 };
        }),
      }));
      r.taggedFields();
      expect(r.remaining).toBe(0);
      return topics;
    };
    const expected = { index: 0, errorCode: 0, highWatermark: 2, lastStableOffset: 2, logStartOffset: 0, aborted: [], preferredReadReplica: -1, firstBaseOffset: 0 };
    const v12 = await fetch(12, created.topicId);
    expect(v12).toEqual([{ topic, partitions: [expect.objectContaining(expected)] }]);
    expect(v12[0]!.partitions[0]!.recordBytes).toBeGreaterThan(61);
    const v16 = await fetch(16, created.topicId);
    expect(v16).toEqual([{ topic: created.topicId, partitions: [expect.objectContaining(expected)] }]);
    const unknown = await fetch(16, 'ef'.repeat(16));
    expect(unknown[0]!.partitions[0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_ID);
  });

  it('OffsetForLeaderEpoch v4 ends epoch 0 at the log end and checks the current epoch; DescribeCluster v1 names the broker and controller', async () => {
    const topic = uniqueName('flex-epoch');
    await createTopicV7({ name: topic });
    const producer = kafkaFor(broker).producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ value: 'a' }, { value: 'b' }, { value: 'c' }] });
    await producer.disconnect();
    const epochs = async (currentLeaderEpoch: number, leaderEpoch: number) => {
      const r = await flexibleRequest(c, ApiKey.OffsetForLeaderEpoch, 4, (w) => {
        w.int32(-1);
        w.compactArray([0], (w) => {
          w.compactString(topic);
          w.compactArray([0], (w) => {
            w.int32(0).int32(currentLeaderEpoch).int32(leaderEpoch);
            w.taggedFields();
          });
          w.taggedFields();
        });
        w.taggedFields();
      });
      r.int32();
      const [t] = structs(r, (x) => ({ name: x.compactString(), partitions: structs(x, (p) => ({ errorCode: p.int16(), index: p.int32(), leaderEpoch: p.int32(), endOffset: p.int64() })) }));
      r.taggedFields();
      expect(r.remaining).toBe(0);
      return t!.partitions[0]!;
    };
    expect(await epochs(0, 0)).toEqual({ errorCode: 0, index: 0, leaderEpoch: 0, endOffset: 3 });
    expect(await epochs(-1, 5)).toEqual({ errorCode: 0, index: 0, leaderEpoch: -1, endOffset: -1 });
    expect((await epochs(3, 0)).errorCode).toBe(ErrorCode.UNKNOWN_LEADER_EPOCH);

    const r = await flexibleRequest(c, ApiKey.DescribeCluster, 1, (w) => {
      w.boolean(true).int8(1).taggedFields();
    });
    const described = {
      throttle: r.int32(),
      errorCode: r.int16(),
      errorMessage: r.compactNullableString(),
      endpointType: r.int8(),
      clusterId: r.compactString(),
      controllerId: r.int32(),
      brokers: structs(r, (b) => ({ nodeId: b.int32(), host: b.compactString(), port: b.int32(), rack: b.compactNullableString() })),
      operations: r.int32(),
    };
    r.taggedFields();
    expect(r.remaining).toBe(0);
    expect(described).toMatchObject({ throttle: 0, errorCode: 0, errorMessage: null, endpointType: 1, controllerId: 1, brokers: [{ nodeId: 1, host: broker.host, port: broker.port, rack: null }] });
    expect(described.clusterId).toMatch(/^agentmesh-/);
    expect(described.operations & (1 << 8)).toBeTruthy(); // DESCRIBE on the cluster
  });

  it('CreatePartitions v3 checks manual assignments; DeleteTopics v6 deletes by topic id', async () => {
    const name = uniqueName('flex-grow');
    const created = await createTopicV7({ name });
    const grow = async (count: number, assignments: number[][] | null) => {
      const r = await flexibleRequest(c, ApiKey.CreatePartitions, 3, (w) => {
        w.compactArray([0], (w) => {
          w.compactString(name).int32(count);
          if (assignments === null) w.uvarint(0);
          else
            w.compactArray(assignments, (w, brokers) => {
              w.compactArray(brokers, (w, b) => w.int32(b));
              w.taggedFields();
            });
          w.taggedFields();
        });
        w.int32(5000).boolean(false).taggedFields();
      });
      r.int32();
      const [res] = structs(r, (x) => ({ name: x.compactString(), errorCode: x.int16(), errorMessage: x.compactNullableString() }));
      r.taggedFields();
      return res!;
    };
    expect((await grow(2, [[2]])).errorCode).toBe(ErrorCode.INVALID_REPLICA_ASSIGNMENT);
    expect((await grow(3, [[1]])).errorCode).toBe(ErrorCode.INVALID_REPLICA_ASSIGNMENT);
    expect(await grow(2, [[1]])).toEqual({ name, errorCode: 0, errorMessage: null });
    expect(await grow(3, null)).toEqual({ name, errorCode: 0, errorMessage: null });

    const r = await flexibleRequest(c, ApiKey.DeleteTopics, 6, (w) => {
      w.compactArray([created.topicId, 'cd'.repeat(16)], (w, id) => {
        w.compactNullableString(null).uuid(id);
        w.taggedFields();
      });
      w.int32(5000).taggedFields();
    });
    r.int32();
    const results = structs(r, (x) => ({ name: x.compactNullableString(), topicId: x.uuid(), errorCode: x.int16(), errorMessage: x.compactNullableString() }));
    expect(results[0]).toEqual({ name, topicId: created.topicId, errorCode: 0, errorMessage: null });
    expect(results[1]).toMatchObject({ name: null, errorCode: ErrorCode.UNKNOWN_TOPIC_ID });
  });

  it('a consumer group at Kafka 3.x versions: FindCoordinator v4, JoinGroup v9, SyncGroup v5, Heartbeat v4, OffsetCommit v8, OffsetFetch v8, DescribeGroups v5, ListGroups v4, OffsetDelete, LeaveGroup v5, DeleteGroups v2', async () => {
    const topic = uniqueName('flex-group-topic');
    const other = uniqueName('flex-group-other');
    await createTopicV7({ name: topic });
    await createTopicV7({ name: other });
    const group = uniqueName('flex-group');

    const find = await flexibleRequest(c, ApiKey.FindCoordinator, 4, (w) => {
      w.int8(0).compactArray([group, ''], (w, k) => w.compactString(k));
      w.taggedFields();
    });
    find.int32();
    const coordinators = structs(find, (x) => ({ key: x.compactString(), nodeId: x.int32(), host: x.compactString(), port: x.int32(), errorCode: x.int16(), errorMessage: x.compactNullableString() }));
    expect(coordinators[0]).toEqual({ key: group, nodeId: 1, host: broker.host, port: broker.port, errorCode: 0, errorMessage: null });
    expect(coordinators[1]).toMatchObject({ key: '', errorCode: ErrorCode.INVALID_GROUP_ID });

    const subscription = new Writer()
      .int16(0)
      .array([topic], (w, t) => w.string(t))
      .nullableBytes(null)
      .toBuffer();
    const join = async (memberId: string) => {
      const r = await flexibleRequest(c, ApiKey.JoinGroup, 9, (w) => {
        w.compactString(group).int32(10_000).int32(10_000).compactString(memberId).compactNullableString(null).compactString('consumer');
        w.compactArray([0], (w) => {
          w.compactString('range').compactBytes(subscription);
          w.taggedFields();
        });
        w.compactNullableString('test').taggedFields();
      });
      r.int32();
      const res = {
        errorCode: r.int16(),
        generationId: r.int32(),
        protocolType: r.compactNullableString(),
        protocolName: r.compactNullableString(),
        leader: r.compactString(),
        skipAssignment: r.boolean(),
        memberId: r.compactString(),
        members: structs(r, (m) => ({ memberId: m.compactString(), groupInstanceId: m.compactNullableString(), metadata: m.compactBytes() })),
      };
      r.taggedFields();
      expect(r.remaining).toBe(0);
      return res;
    };
    const first = await join('');
    expect(first).toMatchObject({ errorCode: ErrorCode.MEMBER_ID_REQUIRED, protocolName: null });
    const joined = await join(first.memberId);
    expect(joined).toMatchObject({ errorCode: 0, generationId: 1, protocolType: 'consumer', protocolName: 'range', leader: first.memberId, skipAssignment: false, memberId: first.memberId });
    expect(joined.members).toEqual([{ memberId: first.memberId, groupInstanceId: null, metadata: subscription }]);
    const memberId = joined.memberId;

    const sync = await flexibleRequest(c, ApiKey.SyncGroup, 5, (w) => {
      w.compactString(group).int32(1).compactString(memberId).compactNullableString(null).compactNullableString('consumer').compactNullableString('range');
      w.compactArray([memberId], (w, m) => {
        w.compactString(m).compactBytes(Buffer.from('assignment'));
        w.taggedFields();
      });
      w.taggedFields();
    });
    sync.int32();
    expect({ errorCode: sync.int16(), protocolType: sync.compactNullableString(), protocolName: sync.compactNullableString(), assignment: sync.compactBytes().toString() }).toEqual({
      errorCode: 0,
      protocolType: 'consumer',
      protocolName: 'range',
      assignment: 'assignment',
    });

    const heartbeat = await flexibleRequest(c, ApiKey.Heartbeat, 4, (w) => {
      w.compactString(group).int32(1).compactString(memberId).compactNullableString(null).taggedFields();
    });
    heartbeat.int32();
    expect(heartbeat.int16()).toBe(0);

    const commit = await flexibleRequest(c, ApiKey.OffsetCommit, 8, (w) => {
      w.compactString(group).int32(1).compactString(memberId).compactNullableString(null);
      w.compactArray([topic, other], (w, t) => {
        w.compactString(t);
        w.compactArray([0], (w) => {
          w.int32(0)
            .int64(t === topic ? 4 : 2)
            .int32(-1)
            .compactNullableString(null);
          w.taggedFields();
        });
        w.taggedFields();
      });
      w.taggedFields();
    });
    commit.int32();
    expect(structs(commit, (x) => ({ name: x.compactString(), partitions: structs(x, (p) => ({ index: p.int32(), errorCode: p.int16() })) }))).toEqual([
      { name: topic, partitions: [{ index: 0, errorCode: 0 }] },
      { name: other, partitions: [{ index: 0, errorCode: 0 }] },
    ]);

    const fetchOffsets = async () => {
      const r = await flexibleRequest(c, ApiKey.OffsetFetch, 8, (w) => {
        w.compactArray([group, uniqueName('no-group')], (w, g) => {
          w.compactString(g).uvarint(0); // null topics: everything committed
          w.taggedFields();
        });
        w.boolean(false).taggedFields();
      });
      r.int32();
      const groups = structs(r, (g) => ({
        groupId: g.compactString(),
        topics: structs(g, (t) => ({
          name: t.compactString(),
          partitions: structs(t, (p) => ({ index: p.int32(), offset: p.int64(), leaderEpoch: p.int32(), metadata: p.compactNullableString(), errorCode: p.int16() })),
        })),
        errorCode: g.int16(),
      }));
      r.taggedFields();
      expect(r.remaining).toBe(0);
      return groups;
    };
    const fetched = await fetchOffsets();
    // Null metadata comes back as "", as Kafka stores it.
    expect(fetched[0]!.topics.find((t) => t.name === topic)).toEqual({ name: topic, partitions: [{ index: 0, offset: 4, leaderEpoch: -1, metadata: '', errorCode: 0 }] });
    expect(fetched[1]).toMatchObject({ topics: [], errorCode: 0 });

    const describeGroups = await flexibleRequest(c, ApiKey.DescribeGroups, 5, (w) => {
      w.compactArray([group], (w, g) => w.compactString(g));
      w.boolean(true).taggedFields();
    });
    describeGroups.int32();
    const [described] = structs(describeGroups, (g) => ({
      errorCode: g.int16(),
      groupId: g.compactString(),
      state: g.compactString(),
      protocolType: g.compactString(),
      protocol: g.compactString(),
      members: structs(g, (m) => ({
        memberId: m.compactString(),
        groupInstanceId: m.compactNullableString(),
        clientId: m.compactString(),
        clientHost: m.compactString(),
        metadata: m.compactBytes(),
        assignment: m.compactBytes().toString(),
      })),
      authorizedOperations: g.int32(),
    }));
    expect(described).toMatchObject({ errorCode: 0, groupId: group, state: 'Stable', protocolType: 'consumer', protocol: 'range' });
    expect(described!.members).toEqual([{ memberId, groupInstanceId: null, clientId: 'raw-test-client', clientHost: '127.0.0.1', metadata: subscription, assignment: 'assignment' }]);
    expect(described!.authorizedOperations & (1 << 3)).toBeTruthy();

    const listGroups = async (states: string[]) => {
      const r = await flexibleRequest(c, ApiKey.ListGroups, 4, (w) => {
        w.compactArray(states, (w, s) => w.compactString(s));
        w.taggedFields();
      });
      r.int32();
      expect(r.int16()).toBe(0);
      return structs(r, (g) => ({ groupId: g.compactString(), protocolType: g.compactString(), state: g.compactString() })).filter((g) => g.groupId === group);
    };
    expect(await listGroups(['Stable'])).toEqual([{ groupId: group, protocolType: 'consumer', state: 'Stable' }]);
    expect(await listGroups(['Empty'])).toEqual([]);

    const offsetDelete = async () => {
      const r = await c.request(ApiKey.OffsetDelete, 0, (w) => {
        w.string(group).array([topic, other], (w, t) => w.string(t).array([0], (w, p) => w.int32(p)));
      });
      const errorCode = r.int16();
      r.int32();
      return { errorCode, topics: r.array((t) => ({ name: t.string(), partitions: t.array((p) => ({ index: p.int32(), errorCode: p.int16() })) })) };
    };
    // The member subscribes to `topic`: its offsets stay; `other`'s go.
    expect(await offsetDelete()).toEqual({
      errorCode: 0,
      topics: [
        { name: topic, partitions: [{ index: 0, errorCode: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC }] },
        { name: other, partitions: [{ index: 0, errorCode: 0 }] },
      ],
    });
    expect((await fetchOffsets())[0]!.topics.map((t) => t.name)).toEqual([topic]);

    const leave = await flexibleRequest(c, ApiKey.LeaveGroup, 5, (w) => {
      w.compactString(group);
      w.compactArray([memberId, 'not-a-member'], (w, m) => {
        w.compactString(m).compactNullableString(null).compactNullableString('done');
        w.taggedFields();
      });
      w.taggedFields();
    });
    leave.int32();
    expect(leave.int16()).toBe(0);
    expect(structs(leave, (m) => ({ memberId: m.compactString(), groupInstanceId: m.compactNullableString(), errorCode: m.int16() }))).toEqual([
      { memberId, groupInstanceId: null, errorCode: 0 },
      { memberId: 'not-a-member', groupInstanceId: null, errorCode: ErrorCode.UNKNOWN_MEMBER_ID },
    ]);
    expect(await offsetDelete()).toMatchObject({ errorCode: 0, topics: [{ name: topic, partitions: [{ index: 0, errorCode: 0 }] }, { name: other }] });

    // An empty group whose offsets all went is gone (Kafka's cleanup); a simple commit brings offsets back to delete.
    const simpleCommit = await flexibleRequest(c, ApiKey.OffsetCommit, 8, (w) => {
      w.compactString(group).int32(-1).compactString('').compactNullableString(null);
      w.compactArray([topic], (w, t) => {
        w.compactString(t);
        w.compactArray([0], (w) => {
          w.int32(0).int64(1).int32(-1).compactNullableString('meta');
          w.taggedFields();
        });
        w.taggedFields();
      });
      w.taggedFields();
    });
    simpleCommit.int32();
    expect(structs(simpleCommit, (x) => ({ name: x.compactString(), partitions: structs(x, (p) => ({ index: p.int32(), errorCode: p.int16() })) }))).toEqual([
      { name: topic, partitions: [{ index: 0, errorCode: 0 }] },
    ]);

    const deleteGroups = await flexibleRequest(c, ApiKey.DeleteGroups, 2, (w) => {
      w.compactArray([group, uniqueName('never')], (w, g) => w.compactString(g));
      w.taggedFields();
    });
    deleteGroups.int32();
    const deleted = structs(deleteGroups, (g) => ({ groupId: g.compactString(), errorCode: g.int16() }));
    expect(deleted[0]).toEqual({ groupId: group, errorCode: 0 });
    expect(deleted[1]!.errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
  });
});
