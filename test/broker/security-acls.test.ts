import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, Kafka, logLevel, ResourcePatternTypes, type AclEntry, type KafkaConfig } from 'kafkajs';
import type { RunningBroker } from '@agentmesh/broker';
import { consumeAll, startTestBroker, uniqueName } from '../support/kafka';

// Kafka's ACL model on the broker, driven through kafkajs's admin API (CreateAcls, DescribeAcls,
// DeleteAcls) and checked by what an ordinary producer and consumer may then do.

let broker: RunningBroker;
const PASSWORD = 'pw-for-tests';
const ALICE = 'User:alice';

beforeAll(async () => {
  broker = await startTestBroker({
    listeners: 'SASL_PLAINTEXT://127.0.0.1:0',
    sasl: { users: ['admin', 'alice', 'bob'].map((name) => ({ name, password: PASSWORD, mechanisms: ['SCRAM-SHA-256' as const] })) },
    authorizer: { superUsers: ['User:admin'] },
    logLevel: 'silent',
  });
  const admin = as('admin').admin();
  await admin.connect();
  try {
    await admin.createAcls({
      acl: [
        ...[AclOperationTypes.READ, AclOperationTypes.WRITE, AclOperationTypes.CREATE].map((operation) => allow({ resourceName: 'app.', operation })),
        allow({ resourceType: AclResourceTypes.GROUP, resourceName: 'app-', operation: AclOperationTypes.READ }),
      ],
    });
  } finally {
    await admin.disconnect();
  }
});

afterAll(() => broker?.stop());

function allow(overrides: Partial<AclEntry>): AclEntry {
  return {
    resourceType: AclResourceTypes.TOPIC,
    resourceName: '',
    resourcePatternType: ResourcePatternTypes.PREFIXED,
    principal: ALICE,
    host: '*',
    operation: AclOperationTypes.READ,
    permissionType: AclPermissionTypes.ALLOW,
    ...overrides,
  };
}

function as(user: string, config: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({
    clientId: `acl-${user}`,
    brokers: [broker.address],
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    sasl: { mechanism: 'scram-sha-256', username: user, password: PASSWORD },
    ...config,
  });
}

async function produce(kafka: Kafka, topic: string, value: string): Promise<void> {
  const producer = kafka.producer({ allowAutoTopicCreation: true });
  await producer.connect();
  try {
    await producer.send({ topic, messages: [{ value }] });
  } finally {
    await producer.disconnect();
  }
}

interface KafkaJSFailure {
  message: string;
  type?: string;
  cause?: KafkaJSFailure;
}

/** The protocol error's name (kafkajs wraps it in a non-retriable error). */
async function refusal(attempt: Promise<unknown>): Promise<string | undefined> {
  const err = await attempt.then(
    () => null,
    (e: KafkaJSFailure) => e,
  );
  if (!err) throw new Error('expected the broker to refuse');
  return err.type ?? err.cause?.type;
}

describe('ACLs', () => {
  it('lets alice write and read topics under her prefix with a group under hers', async () => {
    const topic = uniqueName('app.orders');
    await produce(as('alice'), topic, 'allowed');
    const consumer = as('alice').consumer({ groupId: uniqueName('app-readers'), maxWaitTimeInMs: 100 });
    await consumer.connect();
    try {
      const got = await consumeAll(consumer, topic, 1);
      expect(got[0]!.value!.toString()).toBe('allowed');
    } finally {
      await consumer.disconnect();
    }
  });

  it('answers TOPIC_AUTHORIZATION_FAILED for a topic outside her prefix', async () => {
    const admin = as('admin').admin();
    const topic = uniqueName('payments');
    await admin.connect();
    await admin.createTopics({ topics: [{ topic }] });
    await admin.disconnect();
    expect(await refusal(produce(as('alice'), topic, 'not allowed'))).toBe('TOPIC_AUTHORIZATION_FAILED');
  });

  /** Runs a consumer of `groupId` until it crashes; returns the error (bounded). */
  async function consumerFailure(groupId: string, topic: string): Promise<KafkaJSFailure & { name: string }> {
    const consumer = as('alice').consumer({ groupId, maxWaitTimeInMs: 100, retry: { retries: 0, restartOnFailure: async () => false } });
    const crashed = new Promise<KafkaJSFailure & { name: string }>((resolve) => consumer.on(consumer.events.CRASH, (e) => resolve(e.payload.error as KafkaJSFailure & { name: string })));
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({ eachMessage: async () => undefined });
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('the consumer did not fail within 10 s')), 10_000)));
      try {
        return await Promise.race([crashed, timeout]);
      } finally {
        clearTimeout(timer);
      }
    } finally {
      await consumer.disconnect();
    }
  }

  it('answers GROUP_AUTHORIZATION_FAILED for a group outside her prefix', async () => {
    const topic = uniqueName('app.g');
    await produce(as('alice'), topic, 'x');
    // Without even DESCRIBE, FindCoordinator refuses (kafkajs reports that as "failed to find group coordinator").
    expect((await consumerFailure(uniqueName('other'), topic)).name).toBe('KafkaJSGroupCoordinatorNotFound');
    // With DESCRIBE but not READ, JoinGroup refuses.
    const group = uniqueName('described');
    const admin = as('admin').admin();
    await admin.connect();
    await admin.createAcls({ acl: [allow({ resourceType: AclResourceTypes.GROUP, resourceName: group, resourcePatternType: ResourcePatternTypes.LITERAL, operation: AclOperationTypes.DESCRIBE })] });
    await admin.disconnect();
    const failure = await consumerFailure(group, topic);
    expect(failure.type ?? failure.cause?.type).toBe('GROUP_AUTHORIZATION_FAILED');
  });

  it('shows alice only the topics she may describe', async () => {
    const admin = as('admin').admin();
    const hidden = uniqueName('hidden');
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: hidden }] });
    await admin.disconnect();
    const aliceAdmin = as('alice').admin();
    await aliceAdmin.connect();
    try {
      const topics = await aliceAdmin.listTopics();
      expect(topics).not.toContain(hidden);
      expect(topics.every((t) => t.startsWith('app.'))).toBe(true);
    } finally {
      await aliceAdmin.disconnect();
    }
  });

  it('lets a DENY beat an ALLOW', async () => {
    const topic = uniqueName('app.secret');
    await produce(as('alice'), topic, 'before the deny');
    const admin = as('admin').admin();
    await admin.connect();
    const deny = allow({ resourceName: topic, resourcePatternType: ResourcePatternTypes.LITERAL, operation: AclOperationTypes.WRITE, permissionType: AclPermissionTypes.DENY });
    await admin.createAcls({ acl: [deny] });
    try {
      expect(await refusal(produce(as('alice'), topic, 'after the deny'))).toBe('TOPIC_AUTHORIZATION_FAILED');
    } finally {
      await admin.deleteAcls({ filters: [deny] });
      await admin.disconnect();
    }
  });

  it('lets the super user do anything without an ACL, and nobody else', async () => {
    await produce(as('admin'), uniqueName('anything'), 'super');
    expect(await refusal(produce(as('bob'), uniqueName('app.bob'), 'no ACL'))).toBe('TOPIC_AUTHORIZATION_FAILED');
  });

  it('round-trips CreateAcls, DescribeAcls and DeleteAcls', async () => {
    const admin = as('admin').admin();
    await admin.connect();
    try {
      const name = uniqueName('rt.');
      const entry = allow({ principal: 'User:bob', resourceName: name, operation: AclOperationTypes.DESCRIBE });
      await admin.createAcls({ acl: [entry] });
      const filter = {
        resourceType: AclResourceTypes.TOPIC,
        resourceName: name,
        resourcePatternType: ResourcePatternTypes.PREFIXED,
        principal: 'User:bob',
        host: '*',
        operation: AclOperationTypes.ANY,
        permissionType: AclPermissionTypes.ANY,
      };
      const described = await admin.describeAcls(filter);
      expect(described.resources).toEqual([
        {
          resourceType: AclResourceTypes.TOPIC,
          resourceName: name,
          resourcePatternType: ResourcePatternTypes.PREFIXED,
          acls: [{ principal: 'User:bob', host: '*', operation: AclOperationTypes.DESCRIBE, permissionType: AclPermissionTypes.ALLOW }],
        },
      ]);
      const deleted = await admin.deleteAcls({ filters: [filter] });
      expect(deleted.filterResponses[0]!.matchingAcls).toHaveLength(1);
      expect((await admin.describeAcls(filter)).resources).toEqual([]);
    } finally {
      await admin.disconnect();
    }
  });

  it('refuses ACL changes from a user without ALTER on the cluster', async () => {
    const admin = as('alice').admin();
    await admin.connect();
    try {
      expect(await refusal(admin.createAcls({ acl: [allow({ resourceName: 'x', operation: AclOperationTypes.ALL })] }))).toBe('CLUSTER_AUTHORIZATION_FAILED');
    } finally {
      await admin.disconnect();
    }
  });
});
