import { decodeRecord, encodeKey, encodeValue, type StoreRecord } from './records';
import { RegistryState } from './state';

const schemaRecord = (subject: string, version: number, id: number, schema: string, deleted = false): StoreRecord => ({
  kind: 'schema',
  subject,
  version,
  value: { subject, version, id, schema, deleted },
});

describe('records', () => {
  test("keys and values use Confluent's layout and round-trip", () => {
    const record = schemaRecord('orders-value', 2, 7, '"string"');
    expect(encodeKey(record)).toBe('{"keytype":"SCHEMA","subject":"orders-value","version":2,"magic":1}');
    expect(JSON.parse(encodeValue(record) as string)).toEqual({ subject: 'orders-value', version: 2, id: 7, schema: '"string"', deleted: false });
    expect(decodeRecord(encodeKey(record), encodeValue(record))).toEqual(record);
    const config: StoreRecord = { kind: 'config', subject: 'orders-value', value: { compatibilityLevel: 'FULL' } };
    expect(encodeKey(config)).toBe('{"keytype":"CONFIG","subject":"orders-value","magic":0}');
    expect(decodeRecord(encodeKey(config), encodeValue(config))).toEqual(config);
    expect(decodeRecord(encodeKey(record), null)).toEqual({ ...record, value: null });
  });

  test('foreign or garbled records are skipped, not fatal', () => {
    expect(decodeRecord('{"keytype":"NOOP","magic":0}', null)).toBeUndefined();
    expect(decodeRecord('not json', '{}')).toBeUndefined();
  });
});

describe('RegistryState', () => {
  test('soft delete keeps the id; tombstones release it', () => {
    const state = new RegistryState();
    expect(state.apply(schemaRecord('a', 1, 1, 'S1'))).toBe(true);
    expect(state.apply(schemaRecord('b', 1, 1, 'S1'))).toBe(true);
    expect(state.apply(schemaRecord('a', 1, 1, 'S1', true))).toBe(true);
    expect(state.subjectNames(false)).toEqual(['b']);
    expect(state.subjectNames(true)).toEqual(['a', 'b']);
    expect(state.apply({ kind: 'schema', subject: 'a', version: 1, value: null })).toBe(true);
    expect(state.schemaById(1)).toBe('S1');
    state.apply({ kind: 'schema', subject: 'b', version: 1, value: null });
    expect(state.schemaById(1)).toBeUndefined();
    expect(state.highestId()).toBe(1); // ids are not reused within a process
  });

  test('the earlier of two racing writers wins; contradicting records are refused', () => {
    const state = new RegistryState();
    expect(state.apply(schemaRecord('a', 1, 5, 'X'))).toBe(true);
    expect(state.apply(schemaRecord('a', 1, 6, 'Y'))).toBe(false); // same subject/version, other schema
    expect(state.apply(schemaRecord('b', 1, 5, 'Y'))).toBe(false); // id 5 already means X
    expect(state.apply(schemaRecord('c', 1, 6, 'X'))).toBe(false); // X already has id 5
    expect(state.version('a', 1)?.schema).toBe('X');
    expect(state.currentRecordFor(schemaRecord('b', 1, 5, 'Y'))).toEqual({ kind: 'schema', subject: 'b', version: 1, value: null });
  });

  test('config: subject level, global level, default BACKWARD', () => {
    const state = new RegistryState();
    expect(state.globalLevel()).toBe('BACKWARD');
    state.apply({ kind: 'config', subject: null, value: { compatibilityLevel: 'FULL' } });
    state.apply({ kind: 'config', subject: 'a', value: { compatibilityLevel: 'NONE' } });
    expect([state.globalLevel(), state.subjectLevel('a'), state.subjectLevel('b')]).toEqual(['FULL', 'NONE', undefined]);
    state.apply({ kind: 'config', subject: 'a', value: null });
    expect(state.subjectLevel('a')).toBeUndefined();
  });
});
