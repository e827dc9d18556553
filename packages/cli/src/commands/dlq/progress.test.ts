import { ProgressReporter, renderProgressLine, type ProgressStream } from './progress';

function stream(isTTY: boolean): ProgressStream & { text: string } {
  const s = { isTTY, columns: 120, text: '', write: (t: string) => (s.text += t) };
  return s;
}

const counts = (scanned: number) => ({ scanned, total: 200, replayed: scanned - 10 > 0 ? scanned - 10 : 0, skipped: Math.min(scanned, 10) });

describe('replay progress', () => {
  it('draws a bar', () => {
    expect(renderProgressLine(counts(100))).toBe('[###############---------------] 100/200 read, 90 replayed, 10 skipped');
    expect(renderProgressLine({ scanned: 0, total: 0, replayed: 0, skipped: 0 })).toMatch(/^\[#{30}\]/);
  });

  it('redraws in place on a terminal, at most every interval, and ends the line', () => {
    let now = 0;
    const tty = stream(true);
    const progress = new ProgressReporter(tty, { clock: () => now });
    progress.update(counts(10));
    now += 50;
    progress.update(counts(20)); // too soon
    now += 100;
    progress.update(counts(30));
    progress.finish(counts(200));
    const frames = tty.text.split('\r').filter(Boolean);
    expect(frames).toHaveLength(3);
    expect(frames[1]).toContain(' 30/200 read');
    expect(tty.text.endsWith('200/200 read, 190 replayed, 10 skipped\x1b[K\n')).toBe(true);
  });

  it('prints plain counter lines when stderr is not a terminal', () => {
    let now = 0;
    const pipe = stream(false);
    const progress = new ProgressReporter(pipe, { clock: () => now });
    progress.update(counts(10));
    now += 1_000;
    progress.update(counts(20)); // within 2 s: skipped
    now += 1_500;
    progress.update(counts(30));
    progress.finish(counts(200));
    expect(pipe.text).toBe(
      ['replay progress: 10/200 read, 0 replayed, 10 skipped', 'replay progress: 30/200 read, 20 replayed, 10 skipped', 'replay progress: 200/200 read, 190 replayed, 10 skipped', ''].join('\n'),
    );
    expect(pipe.text).not.toContain('\r');
  });
});
