import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, Kafka, logLevel, ResourcePatternTypes } from 'kafkajs';
import type { RunningBroker } from '@agentmesh/broker';
import { ApiKey } from '../../packages/broker/src/protocol/api-keys';
import { ErrorCode } from '../../packages/broker/src/protocol/errors';
import type { Reader } from '../../packages/broker/src/protocol/reader';
import type { Writer } from '../../packages/broker/src/protocol/writer';
import { startTestBroker, uniqueName } from '../support/kafka';
import { RawKafkaClient } from './support/raw-client';
import { rawPlainLogin } from './support/raw-sasl';

// DescribeUserScramCredentials / AlterUserScramCredentials (KIP-554). kafkajs has no API for them, so a raw
// client speaks them; kafkajs then logs in with the credential the raw client created.

const SHA256 = 1;
const SHA512 = 2;
const ADMIN = { name: 'admin', password: 'admin-pw' };

/** The client's half of KIP-554: the password never travels, only its salted, iterated form. */
function upsertion(name: string, password: string, iterations: number) {
  const salt = randomBytes(24);
  const saltedPassword = pbkdf2(password, salt, iterations);
  return { name, mechanism: SHA256, iterations, salt, saltedPassword };
}

function pbkdf2(password: string, salt: Buffer, iterations: number): Buffer {
  // Hi() spelled out, so the test does not share the broker's code path.
  let u = createHmac('sha256', password)
    .update(Buffer.concat([salt, Buffer.from([0, 0, 0, 1])]))
    .digest();
  const out = Buffer.from(u);
  for (let i = 1; i < iterations; i++) {
    u = createHmac('sha256', password).update(u).digest();
    for (let j = 0; j < out.length; j++) out[j]! ^= u[j]!;
  }
  return out;
}

type Upsertion = ReturnType<typeof upsertion>;

/** Request header v2 = v1 plus empty tagged fields; the response header v1 ends with tagged fields too. */
const flexibleHeader = (w: Writer) => w.int8(0);
const skipResponseTags = (r: Reader) => r.taggedFields();

async function alter(raw: RawKafkaClient, upsertions: Upsertion[], deletions: Array<{ name: string; mechanism: number }> = []) {
  const r = await raw.request(ApiKey.AlterUserScramCredentials, 0, (w) => {
    flexibleHeader(w);
    w.compactArray(deletions, (w, d) => w.compactString(d.name).int8(d.mechanism).taggedFields());
    w.compactArray(upsertions, (w, u) => w.compactString(u.name).int8(u.mechanism).int32(u.iterations).compactBytes(u.salt).compactBytes(u.saltedPassword).taggedFields());
    w.taggedFields();
  });
  skipResponseTags(r);
  r.int32();
  return r.compactArray((x) => {
    const result = { user: x.compactString(), errorCode: x.int16(), errorMessage: x.compactNullableString() };
    x.taggedFields();
    return result;
  });
}

async function describe_(raw: RawKafkaClient, users: string[] | null) {
  const r = await raw.request(ApiKey.DescribeUserScramCredentials, 0, (w) => {
    flexibleHeader(w);
    if (users === null) w.uvarint(0);
    else w.compactArray(users, (w, u) => w.compactString(u).taggedFields());
    w.taggedFields();
  });
  skipResponseTags(r);
  r.int32();
  const errorCode = r.int16();
  r.compactNullableString();
  const results = r.compactArray((x) => {
    const user = x.compactString();
    const code = x.int16();
    x.compactNullableString();
    const credentials = x.compactArray((c) => {
      const info = { mechanism: c.int8(), iterations: c.int32() };
      c.taggedFields();
      return info;
    });
    x.taggedFields();
    return { user, errorCode: code, credentials };
  });
  return { errorCode, results };
}

async function loggedIn(broker: RunningBroker, user: { name: string; password: string }): Promise<RawKafkaClient> {
  const raw = await RawKafkaClient.open(broker.host, broker.port);
  const outcome = await rawPlainLogin(raw, user.name, user.password);
  expect(outcome.errorCode).toBe(ErrorCode.NONE);
  return raw;
}

async function scramLoginWorks(broker: RunningBroker, username: string, password: string): Promise<boolean> {
  const kafka = new Kafka({ clientId: 'scram', brokers: [broker.address], logLevel: logLevel.NOTHING, retry: { retries: 0 }, sasl: { mechanism: 'scram-sha-256', username, password } });
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.listTopics();
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect();
  }
}

describe('SCRAM credentials managed over the protocol', () => {
  let broker: RunningBroker;
  beforeAll(async () => {
    broker = await startTestBroker({ listeners: 'SASL_PLAINTEXT://127.0.0.1:0', sasl: { users: [ADMIN] }, logLevel: 'silent' });
  });
  afterAll(() => broker?.stop());

  it('adds a user that can then log in with SCRAM-SHA-256, describes it, and deletes it', async () => {
    const raw = await loggedIn(broker, ADMIN);
    try {
      const carol = uniqueName('carol');
      expect(await scramLoginWorks(broker, carol, 'carol-pw')).toBe(false);
      expect(await alter(raw, [upsertion(carol, 'carol-pw', 8192)])).toEqual([{ user: carol, errorCode: ErrorCode.NONE, errorMessage: null }]);
      expect(await scramLoginWorks(broker, carol, 'carol-pw')).toBe(true);
      expect(await scramLoginWorks(broker, carol, 'wrong')).toBe(false);
      expect(await describe_(raw, [carol])).toEqual({ errorCode: ErrorCode.NONE, results: [{ user: carol, errorCode: ErrorCode.NONE, credentials: [{ mechanism: SHA256, iterations: 8192 }] }] });
      const all = await describe_(raw, null);
      expect(all.results.map((u) => u.user)).toEqual(expect.arrayContaining(['admin', carol]));
      expect(
        all.results
          .find((u) => u.user === 'admin')!
          .credentials.map((c) => c.mechanism)
          .sort(),
      ).toEqual([SHA256, SHA512]);
      expect(await alter(raw, [], [{ name: carol, mechanism: SHA256 }])).toEqual([{ user: carol, errorCode: ErrorCode.NONE, errorMessage: null }]);
      expect(await scramLoginWorks(broker, carol, 'carol-pw')).toBe(false);
      expect((await describe_(raw, [carol])).results[0]!.errorCode).toBe(ErrorCode.RESOURCE_NOT_FOUND);
    } finally {
      raw.destroy();
    }
  });

  it('refuses what Kafka refuses: too few iterations, an unknown mechanism, deleting what is not there, a user twice', async () => {
    const raw = await loggedIn(broker, ADMIN);
    try {
      const [few] = await alter(raw, [upsertion('dave', 'pw', 1000)]);
      expect(few!.errorCode).toBe(ErrorCode.UNACCEPTABLE_CREDENTIAL);
      const [unknown] = await alter(raw, [{ ...upsertion('dave', 'pw', 4096), mechanism: 9 }]);
      expect(unknown!.errorCode).toBe(ErrorCode.UNSUPPORTED_SASL_MECHANISM);
      const [missing] = await alter(raw, [], [{ name: 'nobody', mechanism: SHA512 }]);
      expect(missing!.errorCode).toBe(ErrorCode.RESOURCE_NOT_FOUND);
      const [twice] = await alter(raw, [upsertion('erin', 'a', 4096), upsertion('erin', 'b', 4096)]);
      expect(twice!.errorCode).toBe(ErrorCode.DUPLICATE_RESOURCE);
      expect(await scramLoginWorks(broker, 'erin', 'a')).toBe(false);
    } finally {
      raw.destroy();
    }
  });
});

describe('SCRAM credential APIs under the authorizer', () => {
  let broker: RunningBroker;
  const BOB = { name: 'bob', password: 'bob-pw' };
  beforeAll(async () => {
    broker = await startTestBroker({ listeners: 'SASL_PLAINTEXT://127.0.0.1:0', sasl: { users: [ADMIN, BOB] }, authorizer: { superUsers: ['User:admin'] }, logLevel: 'silent' });
  });
  afterAll(() => broker?.stop());

  it('needs ALTER / DESCRIBE on the cluster: the super user has them, bob does not', async () => {
    const bob = await loggedIn(broker, BOB);
    const admin = await loggedIn(broker, ADMIN);
    try {
      expect((await alter(bob, [upsertion('mallory', 'pw', 4096)]))[0]!.errorCode).toBe(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
      expect((await describe_(bob, null)).errorCode).toBe(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
      expect((await alter(admin, [upsertion('frank', 'pw', 4096)]))[0]!.errorCode).toBe(ErrorCode.NONE);
      expect(await scramLoginWorks(broker, 'frank', 'pw')).toBe(true);
    } finally {
      bob.destroy();
      admin.destroy();
    }
  });
});

describe('with a data dir, run-time ACLs and credentials survive a restart', () => {
  it('keeps a user added with AlterUserScramCredentials and an ACL added with CreateAcls', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'broker-security-'));
    const options = { listeners: 'SASL_PLAINTEXT://127.0.0.1:0', dataDir, sasl: { users: [ADMIN] }, authorizer: { superUsers: ['User:admin'] }, logLevel: 'silent' as const };
    const acl = {
      resourceType: AclResourceTypes.TOPIC,
      resourceName: 'kept.',
      resourcePatternType: ResourcePatternTypes.PREFIXED,
      principal: 'User:gina',
      host: '*',
      operation: AclOperationTypes.WRITE,
      permissionType: AclPermissionTypes.ALLOW,
    };
    try {
      const first = await startTestBroker(options);
      const raw = await loggedIn(first, ADMIN);
      expect((await alter(raw, [upsertion('gina', 'gina-pw', 4096)]))[0]!.errorCode).toBe(ErrorCode.NONE);
      raw.destroy();
      const admin = adminOf(first);
      await admin.connect();
      await admin.createAcls({ acl: [acl] });
      await admin.disconnect();
      await first.stop();
      expect(statSync(join(dataDir, 'security.json')).mode & 0o777).toBe(0o600);

      const second = await startTestBroker(options);
      try {
        expect(await scramLoginWorks(second, 'gina', 'gina-pw')).toBe(true);
        const again = adminOf(second);
        await again.connect();
        const described = await again.describeAcls({ ...acl, operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ANY });
        await again.disconnect();
        expect(described.resources.map((r) => r.resourceName)).toEqual(['kept.']);
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

function adminOf(broker: RunningBroker) {
  return new Kafka({
    clientId: 'kept',
    brokers: [broker.address],
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    sasl: { mechanism: 'scram-sha-512', username: ADMIN.name, password: ADMIN.password },
  }).admin();
}
