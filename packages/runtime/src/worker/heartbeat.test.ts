import pino from 'pino';
import type { EventCodec } from '../codec/codec';
import { EncodeError } from '../codec/errors';
import type { BatchProducer } from '../kafka/batch-producer';
import { buildHeartbeat, HeartbeatPublisher, lackedNewerFields, lacksStoreField, statusOf, type HeartbeatRecord, type WorkerSnapshot } from './heartbeat';

const snapshot = (over: Partial<WorkerSnapshot> = {}): WorkerSnapshot => ({
  joined: true,
  stopping: false,
  pausedFor: undefined,
  assignedPartitions: 3,
  lagByPartition: new Map([
    ['in/0', 4],
    ['in/1', 0],
    ['in/2', -1],
  ]),
  openBreakers: [],
  counters: new Map([['processed', 10]]),
  ...over,
});

describe('heartbeats', () => {
  it('report status from the worker state', () => {
    expect(statusOf(snapshot({ joined: false }))).toBe('STARTING');
    expect(statusOf(snapshot())).toBe('READY');
    expect(statusOf(snapshot({ pausedFor: 'redis down' }))).toBe('DEGRADED');
    expect(statusOf(snapshot({ openBreakers: ['erp'] }))).toBe('DEGRADED');
    expect(statusOf(snapshot({ stopping: true }))).toBe('STOPPING');
  });

  it('sum the lag over partitions and carry identity, topics and counters', () => {
    const hb = buildHeartbeat({ agent: 'a', instanceId: 'i', host: 'h', pid: 7, version: '1.2.0', topics: ['in', 'a.retry.0'] }, snapshot(), 1000);
    expect(hb).toEqual({
      agent: 'a',
      instanceId: 'i',
      host: 'h',
      pid: 7,
      status: 'READY',
      sentAt: 1000,
      assignedPartitions: 3,
      consumerLag: 4,
      openBreakers: [],
      version: '1.2.0',
      topics: ['in', 'a.retry.0'],
      counters: { processed: 10 },
      idempotencyStore: null,
      kind: 'agent',
      group: 'a',
      partitions: [
        { topic: 'in', partition: 0, lag: 4 },
        { topic: 'in', partition: 1, lag: 0 },
        { topic: 'in', partition: 2, lag: 0 },
      ],
      inFlight: null,
      breakers: {},
      latencyP50Ms: null,
      latencyP99Ms: null,
      role: null,
      fencingToken: null,
    });
    expect(buildHeartbeat({ agent: 'a', instanceId: 'i', host: 'h', pid: 7, version: null, topics: [] }, snapshot(), 1000, 'redis:1234').idempotencyStore).toBe('redis:1234');
  });

  it('carry what the fleet model needs, and an active-passive side when the worker has one', () => {
    const hb = buildHeartbeat(
      { agent: 'mesh-coordinator', instanceId: 'i', host: 'h', pid: 7, version: null, topics: ['saga.replies'], kind: 'coordinator', group: 'mesh-coordinator' },
      snapshot({ inFlight: 3, breakers: { erp: 'open' }, latency: { p50Ms: 4, p99Ms: 90 }, role: 'standby', fencingToken: 12, lagByPartition: new Map([['saga/replies.x/2', 7]]) }),
      1000,
    );
    expect(hb).toMatchObject({ kind: 'coordinator', group: 'mesh-coordinator', inFlight: 3, breakers: { erp: 'open' }, latencyP50Ms: 4, latencyP99Ms: 90, role: 'standby', fencingToken: 12 });
    expect(hb.partitions).toEqual([{ topic: 'saga/replies.x', partition: 2, lag: 7 }]);
  });
});

describe('HeartbeatPublisher', () => {
  const identity = { agent: 'a', instanceId: 'i', host: 'h', pid: 7, version: null, topics: [] };

  /** Publishes `count` heartbeats and the stopping one through a codec that can refuse the store field, as a registry with the older contract does. */
  async function publish(count: number, options: { refuseStoreField?: () => boolean; storeIdentity?: () => Promise<string>; clock?: () => number }) {
    const encoded: Array<Partial<HeartbeatRecord>> = [];
    const warnings: string[] = [];
    const codec: EventCodec = {
      encode: async (topic, value) => {
        const heartbeat = value as Partial<HeartbeatRecord>;
        if (options.refuseStoreField?.() && 'idempotencyStore' in heartbeat) {
          throw new EncodeError(topic, [{ field: 'idempotencyStore', expected: 'no such field', got: 'a string', message: "field 'idempotencyStore' is not in schema AgentHeartbeat" }]);
        }
        encoded.push(heartbeat);
        return Buffer.from(JSON.stringify(value));
      },
      decode: async () => undefined,
    };
    const producer = { send: async () => undefined } as unknown as BatchProducer;
    const logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push((JSON.parse(line) as { msg: string }).msg) });
    const publisher = new HeartbeatPublisher({
      identity,
      everyMs: 60_000,
      codec,
      producer,
      logger,
      clock: options.clock ?? (() => 1),
      snapshot,
      ...(options.storeIdentity ? { storeIdentity: options.storeIdentity } : {}),
    });
    jest.useFakeTimers();
    try {
      publisher.start();
      await jest.advanceTimersByTimeAsync(0);
      // One heartbeat at a time: each is encoded and sent before the next is due.
      for (let i = 1; i < count; i++) await jest.advanceTimersByTimeAsync(60_000);
      await publisher.stop();
    } finally {
      jest.useRealTimers();
    }
    return { encoded, warnings };
  }

  it("announce the store's identity, asked for each heartbeat, and keep the last one while the store is away", async () => {
    const answers = ['redis:one', new Error('redis down'), 'redis:two'];
    const { encoded } = await publish(2, {
      storeIdentity: async () => {
        const next = answers.shift();
        if (next instanceof Error) throw next;
        return next ?? 'redis:two';
      },
    });
    expect(encoded.map((h) => h.idempotencyStore)).toEqual(['redis:one', 'redis:one', 'redis:two']);
  });

  it('go out without the store field, saying so once, when the registered contract predates it', async () => {
    const { encoded, warnings } = await publish(3, { refuseStoreField: () => true, storeIdentity: async () => 'redis:one' });
    expect(encoded).toHaveLength(4);
    for (const h of encoded) expect(h).not.toHaveProperty('idempotencyStore');
    expect(warnings).toEqual([expect.stringMatching(/predates 'idempotencyStore'.*mesh dlq replay/)]);
  });

  it('try the full shape again a minute later, once the contracts may have been registered', async () => {
    let now = 0;
    let calls = 0;
    // Refused on the first heartbeat only; the clock moves 30 s per heartbeat.
    const { encoded } = await publish(4, { refuseStoreField: () => calls++ === 0, storeIdentity: async () => 'redis:one', clock: () => (now += 10_000) });
    expect(encoded.map((h) => h.idempotencyStore ?? '-')).toEqual(['-', '-', '-', 'redis:one', 'redis:one']);
  });

  it('go out without whichever newer fields an older registered contract lacks, keeping the store field it has', async () => {
    const encoded: Array<Record<string, unknown>> = [];
    const warnings: string[] = [];
    const newer = ['kind', 'group', 'partitions', 'inFlight', 'breakers', 'latencyP50Ms', 'latencyP99Ms', 'role', 'fencingToken'];
    const codec: EventCodec = {
      encode: async (topic, value) => {
        const extra = newer.filter((f) => f in (value as object));
        if (extra.length > 0)
          throw new EncodeError(
            topic,
            extra.map((field) => ({ field, expected: 'no such field', got: 'x', message: `field '${field}' is not in schema AgentHeartbeat` })),
          );
        encoded.push(value as Record<string, unknown>);
        return Buffer.from('{}');
      },
      decode: async () => undefined,
    };
    const logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push((JSON.parse(line) as { msg: string }).msg) });
    const publisher = new HeartbeatPublisher({
      identity,
      everyMs: 60_000,
      codec,
      producer: { send: async () => undefined } as unknown as BatchProducer,
      logger,
      clock: () => 1,
      snapshot,
      storeIdentity: async () => 'redis:one',
    });
    publisher.start();
    await publisher.stop();
    expect(encoded.length).toBeGreaterThan(0);
    for (const h of encoded) {
      expect(h.idempotencyStore).toBe('redis:one');
      for (const f of newer) expect(h).not.toHaveProperty(f);
    }
    expect(warnings).toEqual([expect.stringMatching(/older than this agent.*mesh status/)]);
    expect(lackedNewerFields(new EncodeError('mesh.heartbeats', [{ field: 'pid', expected: 'x', got: 'y', message: 'z' }]))).toBeUndefined();
  });

  it('tell a refused store field from other encoding problems', () => {
    const problem = (field: string) => ({ field, expected: 'x', got: 'y', message: 'z' });
    expect(lacksStoreField(new EncodeError('mesh.heartbeats', [problem('idempotencyStore')]))).toBe(true);
    expect(lacksStoreField(new EncodeError('mesh.heartbeats', [problem('idempotencyStore'), problem('pid')]))).toBe(false);
    expect(lacksStoreField(new Error('registry down'))).toBe(false);
  });
});
