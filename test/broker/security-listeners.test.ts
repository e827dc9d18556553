import { createServer, type Server } from 'node:net';
import { BrokerConfigError, BrokerListenError, ListenerConfigError, UsersFileError, type RunningBroker } from '@agentmesh/broker';
import { ApiKey } from '../../packages/broker/src/protocol/api-keys';
import { ErrorCode } from '../../packages/broker/src/protocol/errors';
import { kafkaFor, startTestBroker, uniqueName } from '../support/kafka';
import { RawKafkaClient } from './support/raw-client';

// Listeners as Kafka configures them: several side by side, each advertising what clients should dial
// (Docker port mappings, Kubernetes services), a settable node id, and one-line refusals of bad settings.

async function advertisedBy(
  host: string,
  port: number,
): Promise<{ brokers: Array<{ id: number; host: string; port: number }>; controller: number; coordinator: { id: number; host: string; port: number } }> {
  const raw = await RawKafkaClient.open(host, port);
  try {
    const meta = await raw.request(ApiKey.Metadata, 1, (w) => w.int32(0));
    const brokers = meta.array((b) => {
      const entry = { id: b.int32(), host: b.string(), port: b.int32() };
      b.nullableString();
      return entry;
    });
    const controller = meta.int32();
    const fc = await raw.request(ApiKey.FindCoordinator, 1, (w) => w.string('some-group').int8(0));
    fc.int32();
    expect(fc.int16()).toBe(ErrorCode.NONE);
    fc.nullableString();
    return { brokers, controller, coordinator: { id: fc.int32(), host: fc.string(), port: fc.int32() } };
  } finally {
    raw.destroy();
  }
}

describe('listeners and advertised listeners', () => {
  let broker: RunningBroker;

  beforeAll(async () => {
    broker = await startTestBroker({
      listeners: 'PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0',
      advertisedListeners: 'PLAINTEXT://kafka.internal:19092',
      nodeId: 7,
      sasl: { users: [{ name: 'u', password: 'p' }] },
      logLevel: 'silent',
    });
  });
  afterAll(() => broker?.stop());

  it('tells clients of an advertised listener the advertised address and the node id', async () => {
    const plaintext = broker.listeners[0]!;
    expect(await advertisedBy(plaintext.host, plaintext.port)).toEqual({
      brokers: [{ id: 7, host: 'kafka.internal', port: 19092 }],
      controller: 7,
      coordinator: { id: 7, host: 'kafka.internal', port: 19092 },
    });
  });

  it('tells clients of a listener without an advertised entry the address they reached', async () => {
    const sasl = broker.listeners[1]!;
    const kafka = kafkaFor({ address: sasl.address }, { sasl: { mechanism: 'plain', username: 'u', password: 'p' } });
    const admin = kafka.admin();
    await admin.connect();
    try {
      const cluster = await admin.describeCluster();
      expect(cluster.brokers).toEqual([{ nodeId: 7, host: sasl.host, port: sasl.port }]);
      expect(cluster.controller).toBe(7);
      const topic = uniqueName('listeners');
      await admin.createTopics({ topics: [{ topic }] });
      expect(await admin.listTopics()).toContain(topic);
    } finally {
      await admin.disconnect();
    }
  });
});

describe('security settings the broker refuses, in one line', () => {
  it('refuses a TLS listener without certificates, a missing users file, and bad listener text', async () => {
    await expect(startTestBroker({ listeners: 'SSL://127.0.0.1:0' })).rejects.toThrow(
      new BrokerConfigError('listener SSL needs a TLS certificate and key (tls.certFile and tls.keyFile; mesh broker: --ssl-cert-file and --ssl-key-file)'),
    );
    await expect(startTestBroker({ listeners: 'SSL://127.0.0.1:0', tls: { certFile: '/nonexistent/cert.pem', keyFile: '/nonexistent/key.pem' } })).rejects.toThrow(
      new BrokerConfigError('TLS certificate file /nonexistent/cert.pem does not exist'),
    );
    await expect(startTestBroker({ listeners: 'SASL_PLAINTEXT://127.0.0.1:0', sasl: { usersFile: '/nonexistent/users.json' } })).rejects.toThrow(
      new UsersFileError('SASL users file /nonexistent/users.json does not exist'),
    );
    await expect(startTestBroker({ listeners: 'PLAINTEXT//127.0.0.1:9092' })).rejects.toBeInstanceOf(ListenerConfigError);
    await expect(startTestBroker({ listeners: 'PLAINTEXT://127.0.0.1:0', advertisedListeners: 'SSL://x:1' })).rejects.toThrow(/advertised listener SSL has no listener of that name/);
  });

  it('names the listener whose port is taken, and releases the ones already bound', async () => {
    const squatter: Server = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const taken = (squatter.address() as { port: number }).port;
    try {
      const err = await startTestBroker({ listeners: `PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:${taken}` }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BrokerListenError);
      expect((err as Error).message).toBe(`broker cannot listen (SASL_PLAINTEXT): port ${taken} on 127.0.0.1 is already in use`);
    } finally {
      squatter.close();
    }
  });
});
