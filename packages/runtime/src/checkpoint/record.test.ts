import { encodeCheckpointRecord, pickLatestValid, serializeCheckpointState, sha256Hex, type CheckpointRecord } from './record';
import { CheckpointStateError } from './store';

const version = (n: number, state: unknown) => ({ version: n, record: encodeCheckpointRecord(n, JSON.stringify(state)) });

describe('pickLatestValid', () => {
  it('picks the newest version, whatever order they come in', () => {
    const pick = pickLatestValid([version(2, { step: 2 }), version(3, { step: 3 }), version(1, { step: 1 })]);
    expect(pick).toEqual({ latest: { version: 3, state: { step: 3 } }, skipped: [] });
  });

  it('skips a newest version whose state no longer matches its hash', () => {
    const tampered = JSON.parse(encodeCheckpointRecord(3, JSON.stringify({ step: 3 }))) as CheckpointRecord;
    tampered.state = JSON.stringify({ step: 99 });
    const pick = pickLatestValid([version(1, { step: 1 }), version(2, { step: 2 }), { version: 3, record: JSON.stringify(tampered) }]);
    expect(pick).toEqual({ latest: { version: 2, state: { step: 2 } }, skipped: [{ version: 3, reason: 'hash-mismatch' }] });
  });

  it('skips unreadable text and a record stored under another version', () => {
    const pick = pickLatestValid([
      version(1, 'first'),
      { version: 2, record: encodeCheckpointRecord(1, JSON.stringify('copied')) },
      { version: 3, record: '{"version":3,"sha2' },
      { version: 4, record: '"just a string"' },
    ]);
    expect(pick.latest).toEqual({ version: 1, state: 'first' });
    expect(pick.skipped).toEqual([
      { version: 4, reason: 'unreadable' },
      { version: 3, reason: 'unreadable' },
      { version: 2, reason: 'version-mismatch' },
    ]);
  });

  it('returns nothing when no version is intact, or there are none', () => {
    expect(pickLatestValid([{ version: 1, record: 'garbage' }])).toEqual({ latest: undefined, skipped: [{ version: 1, reason: 'unreadable' }] });
    expect(pickLatestValid([])).toEqual({ latest: undefined, skipped: [] });
  });

  it('keeps falsy states (null, 0, "") as real states', () => {
    expect(pickLatestValid([version(1, null)]).latest).toEqual({ version: 1, state: null });
    expect(pickLatestValid([version(1, 0)]).latest).toEqual({ version: 1, state: 0 });
  });
});

describe('encodeCheckpointRecord', () => {
  it('hashes the exact state text it stores', () => {
    const record = JSON.parse(encodeCheckpointRecord(7, '{"a":1}')) as CheckpointRecord;
    expect(record).toEqual({ version: 7, sha256: sha256Hex('{"a":1}'), state: '{"a":1}' });
    expect(record.sha256).toBe('015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862');
  });
});

describe('serializeCheckpointState', () => {
  it('refuses state with no JSON form, cycles, and oversize state as permanent errors', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => serializeCheckpointState(undefined, 100)).toThrow(CheckpointStateError);
    expect(() => serializeCheckpointState(() => 1, 100)).toThrow(CheckpointStateError);
    expect(() => serializeCheckpointState(cyclic, 100)).toThrow(CheckpointStateError);
    expect(() => serializeCheckpointState(10n, 100)).toThrow(CheckpointStateError);
    expect(() => serializeCheckpointState('x'.repeat(200), 100)).toThrow(/more than the 100 allowed/);
    expect(serializeCheckpointState({ ok: true }, 100)).toBe('{"ok":true}');
  });
});
