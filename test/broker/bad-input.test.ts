import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import type { RunningBroker } from '@agentmesh/broker';
import { ApiKey } from '../../packages/broker/src/protocol/api-keys';
import { ErrorCode } from '../../packages/broker/src/protocol/errors';
import { consumeAll, kafkaFor, startTestBroker, uniqueName } from '../support/kafka';
import { RawKafkaClient, RawConnectionClosedError } from './support/raw-client';

// Whatever arrives on the port, the broker answers with the protocol's error or
// closes that one connection, and keeps serving everyone else.

let broker: RunningBroker;

beforeAll(async () => {
  broker = await startTestBroker({ logLevel: 'silent', maxFrameBytes: 1024 * 1024 });
});

afterAll(() => broker.stop());

/** Sends bytes on a fresh socket and resolves when the broker closes it (or after `ms`, with 'open'). */
function sendAndWatch(bytes: Buffer, ms = 5000): Promise<'closed' | 'open'> {
  return new Promise((resolve) => {
    const socket: Socket = connect(broker.port, broker.host, () => socket.write(bytes));
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

  it("answers librdkafka's ApiVersions v3 probe with error 35 and the supported list, and stays open", async () => {
    const raw = await RawKafkaClient.open(broker.host, broker.port);
    try {
      const r = await raw.request(ApiKey.ApiVersions, 3, (w) => {
        w.int8(0); // request header v2 tagged fields (the raw client writes header v1; the broker must not care)
      });
      expect(r.int16()).toBe(ErrorCode.UNSUPPORTED_VERSION);
      const apis = r.array((x) => ({ key: x.int16(), min: x.int16(), max: x.int16() }));
      expect(apis.find((a) => a.key === ApiKey.ApiVersions)).toEqual({ key: 18, min: 0, max: 2 });
      expect(apis.find((a) => a.key === ApiKey.Fetch)).toEqual({ key: 1, min: 0, max: 11 });
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
