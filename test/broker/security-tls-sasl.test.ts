import { readFileSync } from 'node:fs';
import { Kafka, logLevel, type KafkaConfig, type SASLOptions } from 'kafkajs';
import type { RunningBroker, RunningListener } from '@agentmesh/broker';
import { ApiKey } from '../../packages/broker/src/protocol/api-keys';
import { ErrorCode } from '../../packages/broker/src/protocol/errors';
import { AclOperation, AclPermission, PatternType, ResourceType } from '@agentmesh/broker';
import { consumeAll, startTestBroker, uniqueName } from '../support/kafka';
import { RawConnectionClosedError, RawKafkaClient } from './support/raw-client';
import { rawPlainLogin } from './support/raw-sasl';
import { makeTestCertificates, type TestCertificates } from './support/test-certificates';

// The broker's TLS and SASL listeners, checked with kafkajs: round trips over each, and quick, clear
// failures for the usual mistakes (wrong password, TLS to a plaintext port and the reverse, a bad certificate).

let certs: TestCertificates;
let broker: RunningBroker;
const USERS = [{ name: 'alice', password: 'alice-secret' }];
/** A failure must come back well within this, not after a retry storm or a hang. */
const FAST_MS = 10_000;

beforeAll(async () => {
  certs = makeTestCertificates();
  broker = await startTestBroker({
    listeners: 'PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0,SASL_SSL://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0',
    tls: { certFile: certs.certFile, keyFile: certs.keyFile },
    sasl: { users: USERS, maxReauthMs: 60_000 },
    logLevel: 'silent',
  });
});

afterAll(async () => {
  await broker?.stop();
  certs?.remove();
});

const listener = (name: RunningListener['name']): RunningListener => broker.listeners.find((l) => l.name === name)!;

function client(name: RunningListener['name'], config: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({ clientId: 'security-test', brokers: [listener(name).address], logLevel: logLevel.NOTHING, retry: { retries: 0 }, connectionTimeout: 3000, ...config });
}

const trustedTls = () => ({ ca: [readFileSync(certs.caFile, 'utf8')] });

async function roundTrip(kafka: Kafka): Promise<void> {
  const topic = uniqueName('sec');
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: [{ key: 'k', value: 'over a secured listener' }] });
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId: uniqueName('sec-g'), maxWaitTimeInMs: 100 });
  await consumer.connect();
  try {
    const got = await consumeAll(consumer, topic, 1);
    expect(got[0]!.value!.toString()).toBe('over a secured listener');
  } finally {
    await consumer.disconnect();
  }
}

/** Runs `attempt`, expecting it to fail within FAST_MS; returns the error. */
async function failsFast(attempt: () => Promise<unknown>): Promise<Error> {
  const started = Date.now();
  const outcome = await attempt().then(
    () => null,
    (err: Error) => err,
  );
  expect(outcome).toBeInstanceOf(Error);
  expect(Date.now() - started).toBeLessThan(FAST_MS);
  return outcome!;
}

async function adminConnects(kafka: Kafka): Promise<void> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.listTopics();
  } finally {
    await admin.disconnect();
  }
}

describe('TLS and SASL listeners (kafkajs)', () => {
  it('serves several listeners side by side, each with its own port', () => {
    expect(broker.listeners.map((l) => l.name)).toEqual(['PLAINTEXT', 'SSL', 'SASL_SSL', 'SASL_PLAINTEXT']);
    expect(new Set(broker.listeners.map((l) => l.port)).size).toBe(4);
    expect(broker.address).toBe(listener('PLAINTEXT').address);
  });

  it('round-trips over SSL', async () => {
    await roundTrip(client('SSL', { ssl: trustedTls() }));
  });

  const mechanisms: Array<SASLOptions['mechanism']> = ['plain', 'scram-sha-256', 'scram-sha-512'];
  it.each(mechanisms)('round-trips over SASL_SSL with %s', async (mechanism) => {
    await roundTrip(client('SASL_SSL', { ssl: trustedTls(), sasl: { mechanism, username: 'alice', password: 'alice-secret' } as SASLOptions }));
  });

  it.each(mechanisms)('refuses a wrong password with %s quickly, as SASL_AUTHENTICATION_FAILED', async (mechanism) => {
    const kafka = client('SASL_SSL', { ssl: trustedTls(), sasl: { mechanism, username: 'alice', password: 'wrong' } as SASLOptions });
    const err = await failsFast(() => adminConnects(kafka));
    expect(err.name).toBe('KafkaJSSASLAuthenticationError');
    expect(err.message).toMatch(/Authentication failed: invalid credentials/);
  });

  it('refuses an unknown user the same way (no hint that the user does not exist)', async () => {
    const kafka = client('SASL_SSL', { ssl: trustedTls(), sasl: { mechanism: 'scram-sha-256', username: 'nobody', password: 'x' } });
    const err = await failsFast(() => adminConnects(kafka));
    expect(err.message).toMatch(/Authentication failed: invalid credentials/);
  });

  it('fails fast on a mechanism the broker does not offer', async () => {
    const kafka = client('SASL_SSL', { ssl: trustedTls(), sasl: { mechanism: 'oauthbearer', oauthBearerProvider: async () => ({ value: 'token' }) } });
    const err = await failsFast(() => adminConnects(kafka));
    expect(err.message).toMatch(/The broker does not support the requested SASL mechanism/);
  });

  it('fails fast for TLS to the plaintext port and plaintext to the TLS port, and keeps serving', async () => {
    const tlsToPlain = await failsFast(() => adminConnects(client('PLAINTEXT', { ssl: trustedTls() })));
    expect(tlsToPlain.name).toMatch(/KafkaJS/);
    const plainToTls = await failsFast(() => adminConnects(client('SSL')));
    expect(plainToTls.name).toMatch(/KafkaJS/);
    await roundTrip(client('PLAINTEXT'));
    await roundTrip(client('SSL', { ssl: trustedTls() }));
  });

  it('fails fast when the client does not trust the certificate', async () => {
    const err = await failsFast(() => adminConnects(client('SSL', { ssl: { ca: [readFileSync(certs.otherCaFile, 'utf8')] } })));
    expect(err.message).toMatch(/certificate/i);
  });

  it('fails fast when the broker presents an expired certificate', async () => {
    const expired = await startTestBroker({ listeners: 'SSL://127.0.0.1:0', tls: { certFile: certs.expiredCertFile, keyFile: certs.keyFile }, logLevel: 'silent' });
    try {
      const kafka = new Kafka({ clientId: 'expired', brokers: [expired.address], logLevel: logLevel.NOTHING, retry: { retries: 0 }, ssl: trustedTls() });
      const err = await failsFast(() => adminConnects(kafka));
      expect(err.message).toMatch(/expired/i);
    } finally {
      await expired.stop();
    }
  });

  it('advertises the SASL APIs only on SASL listeners', async () => {
    const keysOn = async (name: RunningListener['name']) => {
      const raw = await RawKafkaClient.open(listener(name).host, listener(name).port);
      try {
        const r = await raw.request(ApiKey.ApiVersions, 1, () => undefined);
        expect(r.int16()).toBe(ErrorCode.NONE);
        return r.array((x) => [x.int16(), x.int16(), x.int16()]).map(([key]) => key);
      } finally {
        raw.destroy();
      }
    };
    const plaintext = await keysOn('PLAINTEXT');
    const sasl = await keysOn('SASL_PLAINTEXT');
    expect(plaintext).not.toContain(ApiKey.SaslHandshake);
    expect(plaintext).toEqual(expect.arrayContaining([ApiKey.CreateAcls, ApiKey.DescribeAcls, ApiKey.DeleteAcls, ApiKey.DescribeUserScramCredentials, ApiKey.AlterUserScramCredentials]));
    expect(sasl).toEqual(expect.arrayContaining([ApiKey.SaslHandshake, ApiKey.SaslAuthenticate]));
  });

  it('closes a connection that sends a request before authenticating on a SASL listener', async () => {
    const raw = await RawKafkaClient.open(listener('SASL_PLAINTEXT').host, listener('SASL_PLAINTEXT').port);
    await expect(raw.request(ApiKey.Metadata, 1, (w) => w.int32(-1))).rejects.toBeInstanceOf(RawConnectionClosedError);
  });

  it('answers an unknown mechanism with UNSUPPORTED_SASL_MECHANISM and the enabled list, then closes', async () => {
    const raw = await RawKafkaClient.open(listener('SASL_PLAINTEXT').host, listener('SASL_PLAINTEXT').port);
    const r = await raw.request(ApiKey.SaslHandshake, 1, (w) => w.string('GSSAPI'));
    expect(r.int16()).toBe(ErrorCode.UNSUPPORTED_SASL_MECHANISM);
    expect(r.array((x) => x.string())).toEqual(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']);
    await expect(raw.request(ApiKey.ApiVersions, 1, () => undefined)).rejects.toBeInstanceOf(RawConnectionClosedError);
  });

  it('reports the session lifetime in SaslAuthenticate v1 (KIP-368)', async () => {
    const raw = await RawKafkaClient.open(listener('SASL_PLAINTEXT').host, listener('SASL_PLAINTEXT').port);
    try {
      expect(await rawPlainLogin(raw, 'alice', 'alice-secret')).toEqual({ errorCode: ErrorCode.NONE, errorMessage: null, sessionLifetimeMs: 60_000n });
      const meta = await raw.request(ApiKey.Metadata, 1, (w) => w.int32(-1));
      expect(meta.array((b) => ({ id: b.int32(), host: b.string(), port: b.int32(), rack: b.nullableString() }))).toHaveLength(1);
    } finally {
      raw.destroy();
    }
  });
});

describe('re-authentication (KIP-368)', () => {
  let short: RunningBroker;
  const LIFETIME_MS = 1500;

  beforeAll(async () => {
    short = await startTestBroker({ listeners: 'SASL_PLAINTEXT://127.0.0.1:0', sasl: { users: USERS, maxReauthMs: LIFETIME_MS }, logLevel: 'silent' });
  });
  afterAll(() => short?.stop());

  const metadata = (raw: RawKafkaClient) => raw.request(ApiKey.Metadata, 1, (w) => w.int32(-1));
  /** The session's end is a point in time, not an event: wait for it, bounded. */
  const until = (at: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));

  it('keeps a connection that re-authenticates in time, and closes one that does not', async () => {
    const renewing = await RawKafkaClient.open(short.host, short.port);
    const lapsing = await RawKafkaClient.open(short.host, short.port);
    try {
      const start = Date.now();
      expect((await rawPlainLogin(renewing, 'alice', 'alice-secret')).sessionLifetimeMs).toBe(BigInt(LIFETIME_MS));
      expect((await rawPlainLogin(lapsing, 'alice', 'alice-secret')).errorCode).toBe(ErrorCode.NONE);
      await until(start + LIFETIME_MS / 2);
      expect((await rawPlainLogin(renewing, 'alice', 'alice-secret')).errorCode).toBe(ErrorCode.NONE);
      await until(start + LIFETIME_MS + 200);
      await metadata(renewing);
      await expect(metadata(lapsing)).rejects.toBeInstanceOf(RawConnectionClosedError);
    } finally {
      renewing.destroy();
      lapsing.destroy();
    }
  });
});

describe('mutual TLS: the client certificate is the principal', () => {
  let mtls: RunningBroker;

  beforeAll(async () => {
    mtls = await startTestBroker({
      listeners: 'SSL://127.0.0.1:0',
      tls: { certFile: certs.certFile, keyFile: certs.keyFile, caFile: certs.caFile, clientAuth: 'required' },
      authorizer: {
        acls: ['TOPIC', 'GROUP'].map((type) => ({
          resourceType: type === 'TOPIC' ? ResourceType.TOPIC : ResourceType.GROUP,
          resourceName: 'mtls',
          patternType: PatternType.PREFIXED,
          principal: 'User:CN=mtls-client',
          host: '*',
          operation: AclOperation.ALL,
          permission: AclPermission.ALLOW,
        })),
      },
      logLevel: 'silent',
    });
  });
  afterAll(() => mtls?.stop());

  const withCert = () => ({ ...trustedTls(), cert: readFileSync(certs.clientCertFile, 'utf8'), key: readFileSync(certs.clientKeyFile, 'utf8') });
  const mtlsClient = (ssl: ReturnType<typeof trustedTls>) => new Kafka({ clientId: 'mtls', brokers: [mtls.address], logLevel: logLevel.NOTHING, retry: { retries: 0 }, connectionTimeout: 3000, ssl });

  it('authorizes User:CN=mtls-client by its ACLs, and refuses a topic outside them', async () => {
    const kafka = mtlsClient(withCert());
    const topic = uniqueName('mtls.orders');
    const producer = kafka.producer();
    await producer.connect();
    try {
      await producer.send({ topic, messages: [{ value: 'by certificate' }] });
      const refused = await producer.send({ topic: uniqueName('other'), messages: [{ value: 'x' }] }).then(
        () => null,
        (e: { cause?: { type?: string } }) => e.cause?.type,
      );
      expect(refused).toBe('TOPIC_AUTHORIZATION_FAILED');
    } finally {
      await producer.disconnect();
    }
    const consumer = kafka.consumer({ groupId: uniqueName('mtls-g'), maxWaitTimeInMs: 100 });
    await consumer.connect();
    try {
      expect((await consumeAll(consumer, topic, 1))[0]!.value!.toString()).toBe('by certificate');
    } finally {
      await consumer.disconnect();
    }
  });

  it('refuses a client without a certificate, quickly', async () => {
    await failsFast(() => adminConnects(mtlsClient(trustedTls())));
  });
});
