import type { DlqRecord } from './dead-letter';
import { announcedHeartbeat, HeartbeatCollector, HeartbeatDecoder } from './heartbeats';

const heartbeat = {
  agent: 'billing',
  instanceId: 'i-1',
  host: 'h',
  pid: 7,
  status: 'READY',
  sentAt: 1_000,
  assignedPartitions: 1,
  consumerLag: 0,
  openBreakers: [],
  version: null,
  topics: [],
  counters: {},
};

const record = (value: Buffer | null): DlqRecord => ({ topic: 'mesh.heartbeats', partition: 0, offset: '0', timestamp: '0', key: null, value, headers: {} });

describe('heartbeats as mesh dlq reads them', () => {
  it('take the store a heartbeat announces, and none from a heartbeat that predates the field', () => {
    expect(announcedHeartbeat({ ...heartbeat, idempotencyStore: 'redis:x' })).toEqual({
      agent: 'billing',
      instanceId: 'i-1',
      host: 'h',
      pid: 7,
      status: 'READY',
      sentAt: 1_000,
      idempotencyStore: 'redis:x',
    });
    expect(announcedHeartbeat(heartbeat)?.idempotencyStore).toBeNull();
    expect(announcedHeartbeat({ ...heartbeat, sentAt: 5n })?.sentAt).toBe(5);
    expect(announcedHeartbeat({ ...heartbeat, agent: 3 })).toBeUndefined();
    expect(announcedHeartbeat('READY')).toBeUndefined();
  });

  it('decode JSON heartbeats without a registry, and count what they cannot read', async () => {
    // Nothing listens on this port: an Avro heartbeat makes the decoder ask it, once.
    const collector = new HeartbeatCollector(new HeartbeatDecoder('http://127.0.0.1:9'), new Set(['billing']), false);
    const avro = Buffer.from([0, 0, 0, 0, 1, 2, 3]);
    await collector.add([
      record(Buffer.from(JSON.stringify({ ...heartbeat, idempotencyStore: 'redis:x' }))),
      record(Buffer.from(JSON.stringify({ ...heartbeat, agent: 'ocr' }))),
      record(Buffer.from('not json')),
      record(null),
      record(avro),
      record(avro),
    ]);
    expect([...collector.read.byAgent.keys()]).toEqual(['billing']);
    expect(collector.read.byAgent.get('billing')!.map((h) => h.idempotencyStore)).toEqual(['redis:x']);
    expect(collector.read.undecodable).toBe(4);
    expect(collector.read.undecodableReason).toBe('neither Avro nor JSON');
  });
});
