import { buildHeartbeat, statusOf, type WorkerSnapshot } from './heartbeat';

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
    });
  });
});
