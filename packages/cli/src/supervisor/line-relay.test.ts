import { PassThrough } from 'node:stream';
import { labelLine, LineSplitter, relayLines } from './line-relay';

describe('labelLine', () => {
  it('adds the replica to a JSON object line, which stays JSON', () => {
    const line = labelLine('{"level":"info","msg":"joined group"}', 2);
    expect(line).toBe('{"replica":2,"level":"info","msg":"joined group"}');
    expect(JSON.parse(line)).toEqual({ replica: 2, level: 'info', msg: 'joined group' });
  });

  it.each(['received SIGTERM, stopping', '', '{}', '{not json', '[1,2]'])('prefixes any other line (%p)', (line) => {
    expect(labelLine(line, 0)).toBe(`[replica 0] ${line}`);
  });
});

describe('LineSplitter', () => {
  it('cuts lines whatever the chunk boundaries, and keeps a last line without newline for the end', () => {
    const s = new LineSplitter();
    expect(s.push('ab')).toEqual([]);
    expect(s.push('c\nde')).toEqual(['abc']);
    expect(s.push('f\r\ng\n\nh')).toEqual(['def', 'g', '']);
    expect(s.end()).toEqual(['h']);
    expect(s.end()).toEqual([]);
  });

  it('does not split a UTF-8 character cut between chunks', () => {
    const bytes = Buffer.from('clé\n');
    const s = new LineSplitter();
    expect(s.push(bytes.subarray(0, 3))).toEqual([]);
    expect(s.push(bytes.subarray(3))).toEqual(['clé']);
  });
});

describe('relayLines', () => {
  it('writes each line labelled and tells the listener the line as it came', async () => {
    const from = new PassThrough();
    const written: string[] = [];
    const seen: string[] = [];
    relayLines(
      from,
      1,
      (t) => written.push(t),
      (l) => seen.push(l),
    );
    from.write('one\n{"msg":"two"}\nthr');
    from.end('ee');
    await new Promise((r) => from.once('end', r));
    expect(written.join('')).toBe('[replica 1] one\n{"replica":1,"msg":"two"}\n[replica 1] three\n');
    expect(seen).toEqual(['one', '{"msg":"two"}', 'three']);
  });
});
