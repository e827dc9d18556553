import { fleetHeartbeat } from './heartbeat';

const oldest = {
  agent: 'a',
  instanceId: 'i',
  host: 'h',
  pid: 7,
  status: 'READY',
  sentAt: 1_000,
  assignedPartitions: 2,
  consumerLag: 4,
  openBreakers: [],
  version: null,
  topics: ['in'],
  counters: { processed: 3 },
};

describe('fleetHeartbeat', () => {
  it('fills the fields an older contract lacks with their defaults', () => {
    expect(fleetHeartbeat(oldest)).toMatchObject({ kind: 'agent', group: 'a', partitions: [], inFlight: null, breakers: {}, latencyP99Ms: null, role: null, fencingToken: null, unknownFields: [] });
  });

  it('reads the current contract, unions as Avro decodes them included', () => {
    const hb = fleetHeartbeat({
      ...oldest,
      kind: 'coordinator',
      group: { string: 'mesh-coordinator' },
      partitions: [{ topic: 'saga.replies', partition: 1, lag: 5 }],
      inFlight: 2,
      breakers: { erp: 'open', ledger: 'closed' },
      latencyP50Ms: { double: 4 },
      latencyP99Ms: 40,
      role: 'active',
      fencingToken: 9n,
    });
    expect(hb).toMatchObject({
      kind: 'coordinator',
      group: 'mesh-coordinator',
      partitions: [{ topic: 'saga.replies', partition: 1, lag: 5 }],
      inFlight: 2,
      openBreakers: ['erp'],
      latencyP50Ms: 4,
      latencyP99Ms: 40,
      role: 'active',
      fencingToken: 9,
    });
  });

  it('shows a heartbeat of a newer contract, listing the fields it does not know', () => {
    expect(fleetHeartbeat({ ...oldest, status: 'DRAINING', gpuUtilisation: 0.5 })).toMatchObject({ agent: 'a', status: 'DRAINING', unknownFields: ['gpuUtilisation'] });
  });

  it('refuses what is not a heartbeat', () => {
    expect(fleetHeartbeat(null)).toBeUndefined();
    expect(fleetHeartbeat({ agent: 'a' })).toBeUndefined();
    expect(fleetHeartbeat([1, 2])).toBeUndefined();
  });
});
