import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastLines, logErrors, tailLogs } from './logs';

describe('the logs of a run', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'saga-faults-logs-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the last lines of a text, counting the others', () => {
    expect(lastLines('a\nb\nc\n', 2)).toEqual({ tail: 'b\nc', dropped: 1 });
    expect(lastLines('a\nb', 5)).toEqual({ tail: 'a\nb', dropped: 0 });
    expect(lastLines('', 5)).toEqual({ tail: '', dropped: 0 });
  });

  it('prints the tail of every log under its path', () => {
    writeFileSync(join(dir, 'b.log'), '1\n2\n3\n');
    writeFileSync(join(dir, 'a.log'), '');
    writeFileSync(join(dir, 'notes.txt'), 'not a log');
    expect(tailLogs(dir, 2)).toBe(`==> ${join(dir, 'a.log')} <==\n(empty)\n\n==> ${join(dir, 'b.log')} (last 2 lines; 1 before them) <==\n2\n3\n`);
    expect(tailLogs(join(dir, 'none'), 2)).toMatch(/no log directory/);
  });

  it('gathers the distinct error and fatal messages of JSON log lines', () => {
    const line = (level: string | number, msg: string) => JSON.stringify({ level, time: 't', msg });
    writeFileSync(
      join(dir, 'coordinator-1.1.log'),
      [line('info', 'ready'), line('error', 'could not claim partitions'), line('error', 'could not claim partitions'), line(60, 'gave up'), 'coordinator ready: ...', '{not json'].join('\n'),
    );
    writeFileSync(join(dir, 'signup-users.1.log'), `${line('warn', 'redis unreachable')}\n`);
    expect(logErrors(dir)).toEqual(['coordinator-1.1.log: error: could not claim partitions (x2)', 'coordinator-1.1.log: 60: gave up']);
  });
});
