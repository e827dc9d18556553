import { sha256Hex } from '../checkpoint/record';
import { AgentStateValueError } from './errors';
import { checkStateVersion, describeStateVersion, describeStateVersions, encodeStateRecord, newStateVersion, pickNewestIntact, serializeState, type StateRecord } from './record';

const T0 = Date.UTC(2025, 5, 1, 12, 0, 0);

function stored(version: number, state: unknown, savedAt = T0 + version) {
  return { version, record: encodeStateRecord(version, newStateVersion(JSON.stringify(state), savedAt)) };
}

/** The record with its state text changed and its hash left as it was: what bit rot or a stray write does. */
function tampered(version: number, state: unknown, replacement: unknown) {
  const record = JSON.parse(stored(version, state).record) as StateRecord;
  record.state = JSON.stringify(replacement);
  return { version, record: JSON.stringify(record) };
}

describe('encodeStateRecord', () => {
  it('writes version, time, the SHA-256 of the exact state text, and the text', () => {
    const text = encodeStateRecord(4, newStateVersion('{"a":1}', T0));
    expect(text).toBe(`{"version":4,"savedAt":${T0},"sha256":"${sha256Hex('{"a":1}')}","state":"{\\"a\\":1}"}`);
    expect(encodeStateRecord(5, newStateVersion('{"a":1}', T0, 2))).toMatch(/,"restoredFrom":2}$/);
  });
});

describe('checkStateVersion', () => {
  it('returns the state, its exact text and time of an intact version', () => {
    expect(checkStateVersion(stored(2, { n: 2 }))).toEqual({ state: { n: 2 }, stateJson: '{"n":2}', savedAt: T0 + 2 });
  });

  it('names what is wrong with a bad one', () => {
    expect(checkStateVersion(tampered(3, { n: 3 }, { n: 99 }))).toBe('hash-mismatch');
    expect(checkStateVersion({ version: 3, record: stored(2, { n: 2 }).record })).toBe('version-mismatch');
    expect(checkStateVersion({ version: 3, record: '{"version":3,' })).toBe('unreadable');
  });
});

describe('describeStateVersion', () => {
  it('lists an intact version with its size and hash', () => {
    expect(describeStateVersion(stored(1, { n: 1 }))).toEqual({ version: 1, savedAt: T0 + 1, bytes: 7, sha256: sha256Hex('{"n":1}'), intact: true });
    const restored = { version: 6, record: encodeStateRecord(6, newStateVersion('{"n":1}', T0, 1)) };
    expect(describeStateVersion(restored)).toMatchObject({ version: 6, intact: true, restoredFrom: 1 });
  });

  it('marks a corrupt version and keeps what can still be read of it', () => {
    expect(describeStateVersion(tampered(3, { n: 3 }, { n: 1000 }))).toEqual({ version: 3, savedAt: T0 + 3, bytes: 10, sha256: sha256Hex('{"n":3}'), intact: false, problem: 'hash-mismatch' });
    expect(describeStateVersion({ version: 4, record: 'garbage' })).toEqual({ version: 4, savedAt: null, bytes: 7, sha256: null, intact: false, problem: 'unreadable' });
  });

  it('lists versions newest first', () => {
    expect(describeStateVersions([stored(1, 1), stored(3, 3), stored(2, 2)]).map((v) => v.version)).toEqual([3, 2, 1]);
  });
});

describe('pickNewestIntact', () => {
  it('takes the newest version when it is intact', () => {
    expect(pickNewestIntact([stored(2, 'b'), stored(3, 'c'), stored(1, 'a')])).toEqual({ latest: { version: 3, savedAt: T0 + 3, state: 'c' }, skipped: [] });
  });

  it('falls back past corrupt newer versions and says which and why', () => {
    const pick = pickNewestIntact([stored(1, 'a'), stored(2, 'b'), tampered(3, 'c', 'x'), { version: 4, record: '' }]);
    expect(pick).toEqual({
      latest: { version: 2, savedAt: T0 + 2, state: 'b' },
      skipped: [
        { version: 4, reason: 'unreadable' },
        { version: 3, reason: 'hash-mismatch' },
      ],
    });
  });

  it('finds nothing when no version is intact, or there is none', () => {
    expect(pickNewestIntact([tampered(1, 'a', 'b')])).toEqual({ latest: undefined, skipped: [{ version: 1, reason: 'hash-mismatch' }] });
    expect(pickNewestIntact([])).toEqual({ latest: undefined, skipped: [] });
  });
});

describe('serializeState', () => {
  it('refuses state with no JSON form or too large, permanently, naming the key', () => {
    expect(() => serializeState('a', 'k', () => 1, 100)).toThrow(AgentStateValueError);
    expect(() => serializeState('a', 'k', 1n, 100)).toThrow(/^state 'k' of agent 'a' is not JSON-serializable/);
    expect(() => serializeState('a', 'k', 'x'.repeat(200), 100)).toThrow("state 'k' of agent 'a' is 202 bytes, more than the 100 allowed");
    expect(serializeState('a', 'k', { ok: true }, 100)).toBe('{"ok":true}');
  });
});
