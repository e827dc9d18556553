import { PassThrough } from 'node:stream';
import { lineDue, PROGRESS_LINE_EVERY_MS, startProgress } from './progress';

function fakeStream(isTTY: boolean): { stream: NodeJS.WriteStream; text: () => string } {
  const stream = new PassThrough() as unknown as NodeJS.WriteStream & PassThrough;
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString()));
  Object.assign(stream, { isTTY, columns: 100, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
  return { stream, text: () => text };
}

describe('progress', () => {
  it('is due once a period has passed', () => {
    expect(lineDue(0, PROGRESS_LINE_EVERY_MS - 1, PROGRESS_LINE_EVERY_MS)).toBe(false);
    expect(lineDue(0, PROGRESS_LINE_EVERY_MS, PROGRESS_LINE_EVERY_MS)).toBe(true);
  });

  it('writes a line now and then when stderr is not a terminal', () => {
    let now = 0;
    const { stream, text } = fakeStream(false);
    const progress = startProgress(10, stream, () => now);
    progress.update(3);
    now = PROGRESS_LINE_EVERY_MS;
    progress.update(6);
    progress.update(7);
    progress.stop();
    expect(text()).toBe('publishing: 6 of 10 events\n');
  });

  it('draws a bar on a terminal', () => {
    const { stream, text } = fakeStream(true);
    const progress = startProgress(10, stream);
    progress.update(10);
    progress.stop();
    expect(text()).toContain('10/10 events');
  });
});
