import type { StateVersionInfo } from '@agentmesh/runtime';
import { fallbackNote, formatBytes, keyJson, renderKeysTable, renderShown, renderVersionsTable, shownJson, versionJson } from './render';

const T = Date.UTC(2025, 5, 1, 12, 0, 0);
const sha = (c: string) => c.repeat(64);
const versions: StateVersionInfo[] = [
  { version: 4, savedAt: T + 3000, bytes: 7, sha256: sha('a'), intact: true, restoredFrom: 1 },
  { version: 3, savedAt: T + 2000, bytes: 2048, sha256: sha('b'), intact: false, problem: 'hash-mismatch' },
  { version: 2, savedAt: null, bytes: 3, sha256: null, intact: false, problem: 'unreadable' },
  { version: 1, savedAt: T, bytes: 7, sha256: sha('a'), intact: true },
];

describe('mesh state ls', () => {
  it('lists versions with their integrity, newest first', () => {
    expect(renderVersionsTable(versions).split('\n')).toEqual([
      'VERSION  SAVED AT                  SIZE     SHA-256       INTEGRITY                NOTE',
      '4        2025-06-01T12:00:03.000Z  7 B      aaaaaaaaaaaa  OK                       restored from 1',
      '3        2025-06-01T12:00:02.000Z  2.0 KiB  bbbbbbbbbbbb  CORRUPT (hash-mismatch)',
      '2        -                         3 B      -             CORRUPT (unreadable)',
      '1        2025-06-01T12:00:00.000Z  7 B      aaaaaaaaaaaa  OK',
      '',
    ]);
    expect(versionJson('a', 'k', versions[1]!)).toEqual({
      agent: 'a',
      key: 'k',
      version: 3,
      savedAt: '2025-06-01T12:00:02.000Z',
      bytes: 2048,
      sha256: sha('b'),
      intact: false,
      problem: 'hash-mismatch',
    });
  });

  it('lists keys with their newest version and corrupt count', () => {
    const table = renderKeysTable([
      { key: 'memory', versions },
      { key: 'tally', versions: [versions[3]!] },
    ]);
    expect(table.split('\n').slice(0, 3)).toEqual([
      'KEY     VERSIONS  NEWEST  SAVED AT                  INTEGRITY',
      'memory  4         4       2025-06-01T12:00:03.000Z  2 CORRUPT',
      'tally   1         1       2025-06-01T12:00:00.000Z  OK',
    ]);
    expect(keyJson('a', { key: 'memory', versions })).toEqual({ agent: 'a', key: 'memory', versions: 4, newest: 4, savedAt: '2025-06-01T12:00:03.000Z', corrupt: [3, 2] });
  });

  it('sizes bytes', () => {
    expect([formatBytes(0), formatBytes(1023), formatBytes(1536), formatBytes(3 * 1024 * 1024)]).toEqual(['0 B', '1023 B', '1.5 KiB', '3.0 MiB']);
  });
});

describe('mesh state show', () => {
  const fellBack = { state: { n: 2 }, version: 2, savedAt: T, skipped: [{ version: 3, reason: 'hash-mismatch' as const }] };

  it('says which version it shows and what it fell back past', () => {
    expect(renderShown('a', 'tally', fellBack)).toBe(
      "state 'tally' of agent 'a': version 2, saved at 2025-06-01T12:00:00.000Z\nstate 'tally' fell back to version 2: newer version 3 (hash-mismatch) failed the integrity check\n{\n  \"n\": 2\n}\n",
    );
    expect(shownJson('a', 'tally', fellBack)).toEqual({
      agent: 'a',
      key: 'tally',
      version: 2,
      savedAt: '2025-06-01T12:00:00.000Z',
      fellBackPast: [{ version: 3, reason: 'hash-mismatch' }],
      state: { n: 2 },
    });
  });

  it('says nothing about falling back when it did not', () => {
    expect(fallbackNote('tally', { ...fellBack, skipped: [] })).toBeUndefined();
    expect(renderShown('a', 'tally', { ...fellBack, skipped: [] })).not.toMatch(/fell back/);
  });
});
