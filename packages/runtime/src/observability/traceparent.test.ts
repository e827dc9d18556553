import { TraceFlags } from '@opentelemetry/api';
import { newTraceparent, parseTraceparent } from './traceparent';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';

describe('parseTraceparent', () => {
  it('keeps a canonical value as it came and reads its ids and sampled flag', () => {
    const value = `00-${TRACE}-${SPAN}-01`;
    const parsed = parseTraceparent(value);
    expect(parsed?.header).toBe(value);
    expect(parsed).toMatchObject({ traceId: TRACE, spanId: SPAN, sampled: true });
    expect(parsed?.spanContext).toEqual({ traceId: TRACE, spanId: SPAN, traceFlags: TraceFlags.SAMPLED, isRemote: true });
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-00`)?.sampled).toBe(false);
  });

  it('rewrites a future version as version 00 with its first four fields', () => {
    expect(parseTraceparent(`cc-${TRACE}-${SPAN}-03-extra`)?.header).toBe(`00-${TRACE}-${SPAN}-01`);
  });

  it('reads the sampled flag from the lowest bit of any flags byte', () => {
    for (const [flags, sampled] of [
      ['0b', true],
      ['fe', false],
      ['ff', true],
      ['0a', false],
      ['09', true],
    ] as const) {
      expect([flags, parseTraceparent(`cc-${TRACE}-${SPAN}-${flags}`)?.header]).toEqual([flags, `00-${TRACE}-${SPAN}-${sampled ? '01' : '00'}`]);
    }
  });

  it.each([
    ['absent', undefined],
    ['empty', ''],
    ['version ff', `ff-${TRACE}-${SPAN}-01`],
    ['version 00 with a fifth field', `00-${TRACE}-${SPAN}-01-x`],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-${SPAN}-01`],
    ['an all-zero parent id', `00-${TRACE}-${'0'.repeat(16)}-01`],
    ['uppercase hex', `00-${TRACE.toUpperCase()}-${SPAN}-01`],
    ['a short trace id', `00-${TRACE.slice(1)}-${SPAN}-01`],
    ['a non-ASCII char among the hex', `00-${TRACE.slice(1)}\u0130-${SPAN}-01`],
    ['a dash out of place', `00-${TRACE}${SPAN}--01`],
  ])('refuses %s', (_, value) => {
    expect(parseTraceparent(value)).toBeUndefined();
  });

  it('tolerates surrounding whitespace', () => {
    expect(parseTraceparent(` 00-${TRACE}-${SPAN}-01 `)?.header).toBe(`00-${TRACE}-${SPAN}-01`);
  });
});

describe('newTraceparent', () => {
  it('starts a sampled trace that parses back to itself', () => {
    const fresh = newTraceparent();
    expect(parseTraceparent(fresh.header)).toMatchObject({ header: fresh.header, traceId: fresh.traceId, spanId: fresh.spanId, sampled: true });
    expect(newTraceparent().traceId).not.toBe(fresh.traceId);
  });
});
