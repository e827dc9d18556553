import { Header } from '@agentmesh/runtime';
import { UsageError } from '../../options';
import { describeFilter, matchesFilter, parseSince, parseWhere } from './filters';
import { deadLetter } from '../../../test/support/dead-letters';

const now = Date.parse('2025-06-01T12:00:00Z');

describe('parseWhere', () => {
  it('reads field=value', () => {
    expect(parseWhere('error-kind=transient')).toEqual({ field: 'error-kind', value: 'transient' });
    expect(parseWhere('error-message= took too long ')).toEqual({ field: 'error-message', value: 'took too long' });
    expect(parseWhere('key=a=b')).toEqual({ field: 'key', value: 'a=b' });
  });

  it.each([
    ['transient', /not a filter; write it as field=value/],
    ['=x', /not a filter/],
    ['colour=red', /unknown field 'colour' \(fields: error-kind, error-class/],
    ['error-kind=flaky', /unknown error kind \(kinds: transient, permanent, timeout, invalid-input, invalid-output\)/],
    ['error-class=', /needs a value/],
  ])('refuses %s with a UsageError', (text, message) => {
    expect(() => parseWhere(text)).toThrow(UsageError);
    expect(() => parseWhere(text)).toThrow(message);
  });
});

describe('parseSince', () => {
  it('reads durations back from now', () => {
    expect(parseSince('2h', now)).toBe(now - 2 * 3_600_000);
    expect(parseSince('1h30m', now)).toBe(now - 90 * 60_000);
    expect(parseSince('7d', now)).toBe(now - 7 * 86_400_000);
    expect(parseSince('500ms', now)).toBe(now - 500);
  });

  it('reads ISO times', () => {
    expect(parseSince('2025-05-31T08:00:00Z', now)).toBe(Date.parse('2025-05-31T08:00:00Z'));
    expect(parseSince('2025-05-31', now)).toBe(Date.parse('2025-05-31'));
    expect(parseSince('2025-05-31T08:00:00+02:00', now)).toBe(Date.parse('2025-05-31T06:00:00Z'));
  });

  it.each(['yesterday', '2 hours', '1', 'h', '2025-13-45', ''])('refuses %p', (text) => {
    expect(() => parseSince(text, now)).toThrow(UsageError);
  });
});

describe('matchesFilter', () => {
  const letter = deadLetter(); // transient TimeoutError, key order-1, dead-lettered at `now`

  it('takes everything without clauses', () => {
    expect(matchesFilter(letter, { where: [] })).toBe(true);
  });

  it('needs every field to hold, any of the values of one field', () => {
    const kinds = [parseWhere('error-kind=permanent'), parseWhere('error-kind=transient')];
    expect(matchesFilter(letter, { where: kinds })).toBe(true);
    expect(matchesFilter(letter, { where: [...kinds, parseWhere('error-class=TimeoutError')] })).toBe(true);
    expect(matchesFilter(letter, { where: [...kinds, parseWhere('error-class=TypeError')] })).toBe(false);
    expect(matchesFilter(letter, { where: [parseWhere('error-kind=permanent')] })).toBe(false);
  });

  it('matches error messages by substring and the rest exactly', () => {
    expect(matchesFilter(letter, { where: [parseWhere('error-message=did not answer')] })).toBe(true);
    expect(matchesFilter(letter, { where: [parseWhere('error-class=Timeout')] })).toBe(false);
    expect(matchesFilter(letter, { where: [parseWhere('origin-topic=orders'), parseWhere('key=order-1'), parseWhere('event-id=event-1')] })).toBe(true);
  });

  it('never matches a key filter on a record without a key', () => {
    expect(matchesFilter(deadLetter({ key: null }), { where: [parseWhere('key=order-1')] })).toBe(false);
  });

  it('filters by when the record was dead-lettered', () => {
    expect(matchesFilter(letter, { where: [], sinceMs: now })).toBe(true);
    expect(matchesFilter(letter, { where: [], sinceMs: now + 1 })).toBe(false);
  });

  it('describes itself in one line', () => {
    expect(describeFilter({ where: [] })).toBe('every dead letter');
    expect(describeFilter({ where: [parseWhere('error-kind=transient')], sinceMs: now })).toBe('error-kind=transient, since 2025-06-01T12:00:00.000Z');
  });

  it('reads records without an envelope as kind unknown', () => {
    const bare = deadLetter({}, { [Header.agent]: '' });
    expect(bare.kind).toBe('unknown');
    expect(matchesFilter(bare, { where: [parseWhere('error-kind=transient')] })).toBe(false);
  });
});
