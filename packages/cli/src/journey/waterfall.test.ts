import { pipelineRows, sagaRows } from '../../test/support/journeys';
import { buildJourney } from './journey';
import { formatDuration, jaegerTraceUrl, outcomeText, renderWaterfall, timeBar } from './waterfall';

describe('renderWaterfall', () => {
  const journey = buildJourney(pipelineRows(), ['intake', 'audit', 'checker', 'enricher']);
  const text = renderWaterfall(journey, { barWidth: 15, jaegerLink: 'http://jaeger:16686/trace/abc' });
  const lines = text.trimEnd().split('\n');

  it('heads the waterfall with the journey, its trace, its size and the Jaeger link', () => {
    expect(lines[0]).toMatch(/^journey 0b7f2a52-\S+ {2}trace 4bf92f3577b34da6a3ce929d0e0e4736$/);
    expect(lines[1]).toBe('6 records over 140ms from 1970-01-01T00:00:01.000Z: 1 retry, 1 dead-lettered, 1 degraded');
    expect(lines[2]).toBe('jaeger: http://jaeger:16686/trace/abc');
  });

  it('draws one row per record, indented under its cause, with agent, try, outcome and a bar scaled to the journey', () => {
    expect(lines[3]).toBe('');
    const rows = lines.slice(5);
    expect(lines[4]!.split(/\s{2,}/)).toEqual(['START', 'TOPIC', 'AT', 'AGENT', 'TRY', 'OUTCOME', 'TOOK', '0 … 140ms']);
    expect(rows).toHaveLength(6);
    expect(rows[0]!.split(/\s{2,}/)).toEqual(['+0ms', 'orders', '0@0', '-', '-', 'published', '15ms', '██·············']);
    expect(rows[1]!.split(/\s{2,}/)).toEqual(['+10ms', '└ intake.retry.0', '0@0', 'intake', '1', 'retry 0 in 100ms: transient Error: erp timed out', '110ms', '·████████████··']);
    expect(rows[2]).toContain('  └ orders.accepted');
    expect(rows[3]).toMatch(/checker\.dlq\s+0@0\s+checker\s+1\s+dead-lettered after 1 attempt: permanent PermanentError: no customer\s+0ms\s+·{13}█·$/);
    expect(rows[4]).toContain('degraded: permanent: crm down');
    // Columns line up: every bar starts where the heading's last column does.
    const barAt = lines[4]!.indexOf('0 … 140ms');
    for (const r of rows) expect(r.slice(barAt)).toMatch(/^[·█]{15}$/);
  });

  it('says what saga records are', () => {
    const saga = buildJourney(sagaRows(), ['users']);
    expect(saga.hops.map((h) => outcomeText(h))).toEqual([
      'published',
      'saga account-signup command create-user execute',
      'saga reply create-user: FAILED (PERMANENT: email taken)',
      'saga stuck: waits for an operator',
    ]);
    expect(renderWaterfall(saga)).toContain('1 saga command, 1 reply');
  });
});

describe('time helpers', () => {
  it('formats durations for people', () => {
    expect([0, 999, 1_420, 12_500, 123_000].map(formatDuration)).toEqual(['0ms', '999ms', '1.42s', '12.5s', '2m03s']);
  });

  it('places bars within the width, at least one cell each, including a journey of no length', () => {
    expect(timeBar(0, 0, 0, 4)).toBe('█···');
    expect(timeBar(100, 0, 100, 4)).toBe('···█');
    expect(timeBar(0, 100, 100, 4)).toBe('████');
    expect(timeBar(50, 10, 100, 5)).toBe('··█··');
  });

  it("links to the trace's page in Jaeger", () => {
    expect(jaegerTraceUrl('http://127.0.0.1:16686/', 'abc')).toBe('http://127.0.0.1:16686/trace/abc');
  });
});
