import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { RunningBroker } from '@agentmesh/broker';
import { ApiKey } from '../../packages/broker/src/protocol/api-keys';
import { ErrorCode } from '../../packages/broker/src/protocol/errors';
import { consumeAll, kafkaFor, startTestBroker, uniqueName } from '../support/kafka';
import { RawKafkaClient, RawConnectionClosedError } from './support/raw-client';
import { makeTestCertificates, type TestCertificates } from './support/test-certificates';

// Whatever arrives on the port, the broker answers with the protocol's error or
// closes that one connection, and keeps serving everyone else.

let broker: RunningBroker;

beforeAll(async () => {
  broker = await startTestBroker({ logLevel: 'silent', maxFrameBytes: 1024 * 1024 });
});

afterAll(() => broker.stop());

/** Sends bytes on a fresh socket and resolves when the broker closes it (or after `ms`, with 'open'). */
function sendAndWatch(bytes: Buffer, ms = 5000, port = broker.port): Promise<'closed' | 'open'> {
  return new Promise((resolve) => {
    const socket: Socket = connect(port, broker.host, () => socket.write(bytes));
    const timer = setTimeout(() => {
      socket.destroy();
      resolve('open');
    }, ms);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve('closed');
    });
    socket.on('data', () => undefined);
  });
}

const frame = (body: Buffer): Buffer => {
  const f = Buffer.alloc(4 + body.length);
  f.writeInt32BE(body.length, 0);
  body.copy(f, 4);
  return f;
};

const header = (apiKey: number, version: number, correlationId = 1): Buffer => {
  const h = Buffer.alloc(10);
  h.writeInt16BE(apiKey, 0);
  h.writeInt16BE(version, 2);
  h.writeInt32BE(correlationId, 4);
  h.writeInt16BE(-1, 8); // null client id
  return h;
};

async function brokerStillServesKafkajs(): Promise<void> {
  const kafka = kafkaFor(broker);
  const topic = uniqueName('alive');
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: [{ key: 'k', value: 'still here' }] });
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId: uniqueName('alive'), maxWaitTimeInMs: 100 });
  await consumer.connect();
  const got = await consumeAll(consumer, topic, 1);
  await consumer.disconnect();
  expect(got[0]!.value!.toString()).toBe('still here');
}

describe('bad input on the broker port', () => {
  it('closes a connection that sends random bytes', async () => {
    for (let i = 0; i < 20; i++) {
      const junk = randomBytes(64 + i * 13);
      junk.writeInt32BE(40 + i, 0); // a plausible frame size, so the junk is parsed as a request
      expect(await sendAndWatch(junk)).toBe('closed');
    }
    await brokerStillServesKafkajs();
  });

  it('closes a connection that announces a frame over the size limit, before buffering it', async () => {
    const announce = Buffer.alloc(8);
    announce.writeInt32BE(200 * 1024 * 1024, 0);
    expect(await sendAndWatch(announce)).toBe('closed');
    const negative = Buffer.alloc(4);
    negative.writeInt32BE(-7, 0);
    expect(await sendAndWatch(negative)).toBe('closed');
    await brokerStillServesKafkajs();
  });

  it('closes on an unknown API key, an unsupported version, and a truncated body', async () => {
    expect(await sendAndWatch(frame(header(999, 0)))).toBe('closed');
    expect(await sendAndWatch(frame(header(ApiKey.Fetch, 99)))).toBe('closed');
    // A Metadata v1 body that promises 1000 topic names and carries none.
    const truncated = Buffer.concat([header(ApiKey.Metadata, 1), Buffer.from([0, 0, 3, 232])]);
    expect(await sendAndWatch(frame(truncated))).toBe('closed');
    // A header cut short.
    expect(await sendAndWatch(frame(Buffer.from([0, 3, 0])))).toBe('closed');
    await brokerStillServesKafkajs();
  });

  it('keeps a connection open while a frame is still arriving', async () => {
    const partial = Buffer.alloc(6);
    partial.writeInt32BE(100, 0);
    expect(await sendAndWatch(partial, 300)).toBe('open');
  });

  it('answers ApiVersions v3 (flexible body, header v0 as KIP-511 says), and a newer probe with error 35 and the list', async () => {
    const raw = await RawKafkaClient.open(broker.host, broker.port);
    try {
      const v3 = await raw.request(ApiKey.ApiVersions, 3, (w) => {
        w.int8(0); // request header v2: its tagged fields (the raw client writes the rest of header v1)
        w.compactString('librdkafka').compactString('2.0.2').int8(0);
      });
      // No tagged fields after the correlation id: the body starts right away.
      expect(v3.int16()).toBe(ErrorCode.NONE);
      const flexApis = v3.compactArray((x) => {
        const api = { key: x.int16(), min: x.int16(), max: x.int16() };
        x.taggedFields();
        return api;
      });
      expect(flexApis.find((a) => a.key === ApiKey.ApiVersions)).toEqual({ key: 18, min: 0, max: 3 });
      expect(v3.int32()).toBe(0); // throttle time
      v3.taggedFields();
      expect(v3.remaining).toBe(0);
      // A version beyond ours: a v0-shaped body with error 35 and the supported list.
      const r = await raw.request(ApiKey.ApiVersions, 9, (w) => {
        w.int8(0);
      });
      expect(r.int16()).toBe(ErrorCode.UNSUPPORTED_VERSION);
      const apis = r.array((x) => ({ key: x.int16(), min: x.int16(), max: x.int16() }));
      expect(apis.find((a) => a.key === ApiKey.ApiVersions)).toEqual({ key: 18, min: 0, max: 3 });
      expect(apis.find((a) => a.key === ApiKey.Metadata)).toEqual({ key: 3, min: 0, max: 12 });
      // KIP-511: a client software name Kafka would refuse gets INVALID_REQUEST.
      const badName = await raw.request(ApiKey.ApiVersions, 3, (w) => {
        w.int8(0);
        w.compactString('-bad name').compactString('1.0').int8(0);
      });
      expect(badName.int16()).toBe(ErrorCode.INVALID_REQUEST);
      // The same connection goes on to work with a supported version.
      const ok = await raw.request(ApiKey.ApiVersions, 2, () => undefined);
      expect(ok.int16()).toBe(ErrorCode.NONE);
    } finally {
      raw.destroy();
    }
  });

  it('fails only the connection that misbehaved, not its neighbours', async () => {
    const neighbour = await RawKafkaClient.open(broker.host, broker.port);
    try {
      expect(await sendAndWatch(randomBytes(4096))).toBe('closed');
      const r = await neighbour.request(ApiKey.ApiVersions, 0, () => undefined);
      expect(r.int16()).toBe(ErrorCode.NONE);
    } finally {
      neighbour.destroy();
    }
    await expect(Promise.reject(new RawConnectionClosedError('x'))).rejects.toBeInstanceOf(RawConnectionClosedError);
  });
});

describe('bad input on SASL and TLS listeners', () => {
  let secured: RunningBroker;
  let certs: TestCertificates;
  const listener = (name: string) => secured.listeners.find((l) => l.name === name)!;

  beforeAll(async () => {
    certs = makeTestCertificates();
    secured = await startTestBroker({
      listeners: 'SASL_PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0,SASL_SSL://127.0.0.1:0',
      tls: { certFile: certs.certFile, keyFile: certs.keyFile },
      sasl: { users: [{ name: 'alice', password: 'alice-pw' }] },
      logLevel: 'silent',
    });
  });

  afterAll(async () => {
    await secured?.stop();
    certs?.remove();
  });

  const sasl = () => listener('SASL_PLAINTEXT').port;
  const tls = () => listener('SSL').port;

  async function saslClient(): Promise<RawKafkaClient> {
    return RawKafkaClient.open(listener('SASL_PLAINTEXT').host, sasl());
  }

  async function stillServesSasl(): Promise<void> {
    const kafka = kafkaFor({ address: listener('SASL_PLAINTEXT').address }, { sasl: { mechanism: 'scram-sha-512', username: 'alice', password: 'alice-pw' } });
    const admin = kafka.admin();
    await admin.connect();
    const topic = uniqueName('sasl-alive');
    await admin.createTopics({ topics: [{ topic }] });
    expect(await admin.listTopics()).toContain(topic);
    await admin.disconnect();
  }

  it('closes on a malformed SaslHandshake and a malformed SaslAuthenticate', async () => {
    // A mechanism name that promises 50 bytes and brings 3.
    expect(await sendAndWatch(frame(Buffer.concat([header(ApiKey.SaslHandshake, 1), Buffer.from([0, 50, 65, 66, 67])])), 5000, sasl())).toBe('closed');
    // A handshake, then a token that promises 1000 bytes and brings 2.
    const handshake = frame(Buffer.concat([header(ApiKey.SaslHandshake, 1, 1), Buffer.from([0, 5]), Buffer.from('PLAIN')]));
    const token = frame(Buffer.concat([header(ApiKey.SaslAuthenticate, 1, 2), Buffer.from([0, 0, 3, 232, 1, 2])]));
    expect(await sendAndWatch(Buffer.concat([handshake, token]), 5000, sasl())).toBe('closed');
    await stillServesSasl();
  });

  it('answers SaslAuthenticate before a handshake with ILLEGAL_SASL_STATE, and garbage SCRAM with SASL_AUTHENTICATION_FAILED, then closes', async () => {
    const early = await saslClient();
    const r = await early.request(ApiKey.SaslAuthenticate, 1, (w) => w.bytes(Buffer.from('\u0000alice\u0000alice-pw')));
    expect(r.int16()).toBe(ErrorCode.ILLEGAL_SASL_STATE);
    await expect(early.request(ApiKey.ApiVersions, 0, () => undefined)).rejects.toBeInstanceOf(RawConnectionClosedError);

    const garbage = await saslClient();
    expect((await garbage.request(ApiKey.SaslHandshake, 1, (w) => w.string('SCRAM-SHA-256'))).int16()).toBe(ErrorCode.NONE);
    const refused = await garbage.request(ApiKey.SaslAuthenticate, 1, (w) => w.bytes(randomBytes(64)));
    expect(refused.int16()).toBe(ErrorCode.SASL_AUTHENTICATION_FAILED);
    expect(refused.nullableString()).toMatch(/^Authentication failed: malformed client-first message/);
    await expect(garbage.request(ApiKey.ApiVersions, 0, () => undefined)).rejects.toBeInstanceOf(RawConnectionClosedError);
    await stillServesSasl();
  });

  it('closes when a bare token after SaslHandshake v0 is refused', async () => {
    const handshake = frame(Buffer.concat([header(ApiKey.SaslHandshake, 0), Buffer.from([0, 13]), Buffer.from('SCRAM-SHA-512')]));
    expect(await sendAndWatch(Buffer.concat([handshake, frame(randomBytes(40))]), 5000, sasl())).toBe('closed');
    await stillServesSasl();
  });

  it('closes a connection that sends a request before authenticating', async () => {
    expect(await sendAndWatch(frame(Buffer.concat([header(ApiKey.Metadata, 1), Buffer.from([255, 255, 255, 255])])), 5000, sasl())).toBe('closed');
  });

  it('closes on a garbage TLS ClientHello, random bytes and a plaintext request on the TLS port', async () => {
    const hello = Buffer.concat([Buffer.from([0x16, 0x03, 0x01, 0x00, 0x80, 0x01]), randomBytes(200)]);
    expect(await sendAndWatch(hello, 5000, tls())).toBe('closed');
    expect(await sendAndWatch(randomBytes(300), 5000, tls())).toBe('closed');
    expect(await sendAndWatch(frame(header(ApiKey.ApiVersions, 0)), 5000, tls())).toBe('closed');
    await stillServesSasl();
  });

  it('closes at once when a TLS ClientHello reaches a plaintext listener', async () => {
    expect(await sendAndWatch(Buffer.concat([Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00]), randomBytes(512)]), 2000, sasl())).toBe('closed');
  });

  /** A fresh connection's handshake for `mechanism`: its error code and the connection, to go on or watch close. */
  async function handshake(mechanism: string): Promise<{ errorCode: number; mechanisms: string[]; client: RawKafkaClient }> {
    const client = await saslClient();
    const r = await client.request(ApiKey.SaslHandshake, 1, (w) => w.string(mechanism));
    const errorCode = r.int16();
    const count = r.int32();
    const mechanisms = Array.from({ length: count }, () => r.string());
    return { errorCode, mechanisms, client };
  }

  const closes = (client: RawKafkaClient): Promise<void> => expect(client.request(ApiKey.ApiVersions, 0, () => undefined)).rejects.toBeInstanceOf(RawConnectionClosedError);

  it('answers a garbage mechanism name with UNSUPPORTED_SASL_MECHANISM and the enabled list, then closes', async () => {
    for (const mechanism of ['', '\u0000\uffff<garbage>', 'scram-sha-512', 'SCRAM-SHA-1', 'x'.repeat(30_000)]) {
      const { errorCode, mechanisms, client } = await handshake(mechanism);
      expect({ mechanism: mechanism.slice(0, 20), errorCode }).toEqual({ mechanism: mechanism.slice(0, 20), errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM });
      expect(mechanisms).toEqual(expect.arrayContaining(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']));
      await closes(client);
    }
    await stillServesSasl();
  });

  it('refuses SCRAM client-first messages that are not SCRAM with SASL_AUTHENTICATION_FAILED, then closes', async () => {
    const notScram = [
      '', // empty
      '\u0000alice\u0000alice-pw', // a PLAIN token under SCRAM
      'n,,n=alice', // no client nonce
      'n,,r=abc', // no user
      'n,,n=,r=abc', // an empty user
      'n,,n=alice,r=abc,m=mandatory-extension', // an extension the server must refuse
      'p=tls-unique,,n=alice,r=abc', // channel binding, which Kafka does not do
      'n,a=bob,n=alice,r=abc', // acting as another user
      'n,,n=alice,n=alice,r=abc', // an attribute twice
    ];
    for (const message of notScram) {
      const { errorCode, client } = await handshake('SCRAM-SHA-512');
      expect(errorCode).toBe(ErrorCode.NONE);
      const r = await client.request(ApiKey.SaslAuthenticate, 1, (w) => w.bytes(Buffer.from(message)));
      expect({ message, errorCode: r.int16() }).toEqual({ message, errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED });
      expect(r.nullableString()).toMatch(/^Authentication failed: /);
      await closes(client);
    }
    await stillServesSasl();
  });

  it('refuses a SCRAM client-final with a foreign nonce or a garbage proof, then closes', async () => {
    for (const final of [
      (nonce: string) => `c=biws,r=not-${nonce}x,p=${randomBytes(64).toString('base64')}`,
      (nonce: string) => `c=biws,r=${nonce},p=${randomBytes(64).toString('base64')}`,
      () => 'c=biws',
    ]) {
      const { client } = await handshake('SCRAM-SHA-512');
      const first = await client.request(ApiKey.SaslAuthenticate, 1, (w) => w.bytes(Buffer.from('n,,n=alice,r=client-nonce')));
      expect(first.int16()).toBe(ErrorCode.NONE);
      first.nullableString();
      const nonce = /^r=([^,]+),/.exec(first.bytes().toString())![1]!;
      const r = await client.request(ApiKey.SaslAuthenticate, 1, (w) => w.bytes(Buffer.from(final(nonce))));
      expect(r.int16()).toBe(ErrorCode.SASL_AUTHENTICATION_FAILED);
      await closes(client);
    }
    await stillServesSasl();
  });

  it('closes on huge lengths in a SASL request, before buffering them', async () => {
    // SaslAuthenticate whose token claims 2 GiB in a 16-byte body.
    const hs = frame(Buffer.concat([header(ApiKey.SaslHandshake, 1, 1), Buffer.from([0, 13]), Buffer.from('SCRAM-SHA-256')]));
    const hugeToken = Buffer.concat([header(ApiKey.SaslAuthenticate, 1, 2), Buffer.from([0x7f, 0xff, 0xff, 0xff, 1, 2])]);
    expect(await sendAndWatch(Buffer.concat([hs, frame(hugeToken)]), 5000, sasl())).toBe('closed');
    // A mechanism name claiming 32767 bytes; then a frame announcing 200 MiB before any authentication.
    expect(await sendAndWatch(frame(Buffer.concat([header(ApiKey.SaslHandshake, 1), Buffer.from([0x7f, 0xff, 65])])), 5000, sasl())).toBe('closed');
    const announce = Buffer.alloc(8);
    announce.writeInt32BE(200 * 1024 * 1024, 0);
    expect(await sendAndWatch(announce, 5000, sasl())).toBe('closed');
    await stillServesSasl();
  });

  it('on SASL_SSL: closes a malformed SASL request inside TLS and handshakes abandoned midway, and an authenticated client keeps working', async () => {
    const address = listener('SASL_SSL');
    const ca = readFileSync(certs.caFile, 'utf8');
    const kafka = kafkaFor({ address: address.address }, { ssl: { ca: [ca] }, sasl: { mechanism: 'scram-sha-512', username: 'alice', password: 'alice-pw' } });
    const producer = kafka.producer();
    await producer.connect();
    const topic = uniqueName('sasl-ssl-alive');
    try {
      await producer.send({ topic, messages: [{ value: 'before' }] });
      // Inside a good TLS session: a handshake whose mechanism promises 50 bytes and brings 3.
      const closedInsideTls = await new Promise<'closed' | 'open'>((resolve) => {
        const socket = tlsConnect({ host: address.host, port: address.port, ca }, () => socket.write(frame(Buffer.concat([header(ApiKey.SaslHandshake, 1), Buffer.from([0, 50, 65, 66, 67])]))));
        const timer = setTimeout(() => (socket.destroy(), resolve('open')), 5000);
        socket.on('error', () => undefined);
        socket.on('close', () => (clearTimeout(timer), resolve('closed')));
      });
      expect(closedInsideTls).toBe('closed');
      // TLS handshakes dropped halfway (the ClientHello sent, the socket gone), many at once.
      await Promise.all(
        Array.from(
          { length: 20 },
          () =>
            new Promise<void>((resolve) => {
              const socket = tlsConnect({ host: address.host, port: address.port, ca });
              socket.on('error', () => undefined);
              socket.on('close', () => resolve());
              setImmediate(() => socket.destroy());
            }),
        ),
      );
      // Plaintext Kafka on the SASL_SSL port.
      expect(await sendAndWatch(frame(Buffer.concat([header(ApiKey.SaslHandshake, 1), Buffer.from([0, 5]), Buffer.from('PLAIN')])), 5000, address.port)).toBe('closed');
      await producer.send({ topic, messages: [{ value: 'after' }] });
    } finally {
      await producer.disconnect();
    }
    await stillServesSasl();
  });
});
