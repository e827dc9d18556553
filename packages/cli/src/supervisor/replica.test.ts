import { isReplicaReadyMessage, replicaFromEnv } from './replica';

describe('replicaFromEnv', () => {
  it('reads the replica number and restart count a supervisor set', () => {
    expect(replicaFromEnv({ MESH_REPLICA: '1', MESH_RESTARTS: '3' })).toEqual({ replica: 1, restarts: 3 });
    expect(replicaFromEnv({ MESH_REPLICA: '0' })).toEqual({ replica: 0, restarts: 0 });
  });

  it('is undefined without a supervisor, and takes a bad restart count as none', () => {
    expect(replicaFromEnv({})).toBeUndefined();
    expect(replicaFromEnv({ MESH_REPLICA: 'x', MESH_RESTARTS: '2' })).toBeUndefined();
    expect(replicaFromEnv({ MESH_REPLICA: '2', MESH_RESTARTS: '-1' })).toEqual({ replica: 2, restarts: 0 });
  });
});

describe('isReplicaReadyMessage', () => {
  it('knows the ready message and nothing else', () => {
    expect(isReplicaReadyMessage({ kind: 'mesh-replica-ready', agent: 'a', observabilityUrl: 'http://127.0.0.1:1' })).toBe(true);
    expect(isReplicaReadyMessage({ kind: 'mesh-replica-ready', agent: 'a' })).toBe(true);
    expect(isReplicaReadyMessage({ kind: 'other', agent: 'a' })).toBe(false);
    expect(isReplicaReadyMessage({ kind: 'mesh-replica-ready', agent: 1 })).toBe(false);
    expect(isReplicaReadyMessage('ready')).toBe(false);
    expect(isReplicaReadyMessage(null)).toBe(false);
  });
});
