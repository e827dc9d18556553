import { decodeCheckpointRecord, decodeWriteRecord, encodeRecord, type CheckpointBody, type WriteBody } from './record';

const identity = { threadId: 't-1', namespace: '', checkpointId: 'c-1' };
const body: CheckpointBody = { identity, parentCheckpointId: null, checkpoint: { type: 'json', base64: 'e30=' }, metadata: { type: 'json', base64: 'e30=' } };

describe('checkpoint records', () => {
  it('round-trips a body under its own identity', () => {
    expect(decodeCheckpointRecord(encodeRecord(body), identity)).toEqual({ ok: true, body });
  });

  it('rejects a body changed after it was hashed', () => {
    const tampered = encodeRecord(body).replace('e30=', 'e31=');
    expect(decodeCheckpointRecord(tampered, identity)).toEqual({ ok: false, reason: 'hash-mismatch' });
  });

  it('rejects an intact record copied under another checkpoint id or thread', () => {
    const text = encodeRecord(body);
    expect(decodeCheckpointRecord(text, { ...identity, checkpointId: 'c-2' })).toEqual({ ok: false, reason: 'identity-mismatch' });
    expect(decodeCheckpointRecord(text, { ...identity, threadId: 't-2' })).toEqual({ ok: false, reason: 'identity-mismatch' });
  });

  it('calls text that is not a record unreadable', () => {
    expect(decodeCheckpointRecord('{"sha256":', identity)).toEqual({ ok: false, reason: 'unreadable' });
    expect(decodeCheckpointRecord('42', identity)).toEqual({ ok: false, reason: 'unreadable' });
    const wrongShape = encodeRecord({ ...body, checkpoint: 'plain' } as unknown as CheckpointBody);
    expect(decodeCheckpointRecord(wrongShape, identity)).toEqual({ ok: false, reason: 'unreadable' });
  });
});

describe('pending write records', () => {
  const writeIdentity = { ...identity, write: 'task-a,0' };
  const write: WriteBody = { identity: writeIdentity, taskId: 'task-a', channel: 'out', taskPath: '', value: { type: 'json', base64: 'MQ==' } };

  it('round-trips, and belongs to one write of one checkpoint', () => {
    const text = encodeRecord(write);
    expect(decodeWriteRecord(text, writeIdentity)).toEqual({ ok: true, body: write });
    expect(decodeWriteRecord(text, { ...writeIdentity, write: 'task-a,1' })).toEqual({ ok: false, reason: 'identity-mismatch' });
    expect(decodeWriteRecord(text, identity)).toEqual({ ok: false, reason: 'identity-mismatch' });
  });
});
