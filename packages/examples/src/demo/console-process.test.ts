import { consoleUrlOf } from './console-process';

describe('consoleUrlOf', () => {
  it("reads the URL from `mesh console`'s line and nothing else", () => {
    expect(consoleUrlOf('console on http://127.0.0.1:41234/')).toBe('http://127.0.0.1:41234/');
    expect(consoleUrlOf('console on http://127.0.0.1:41234/\n')).toBe('http://127.0.0.1:41234/');
    expect(consoleUrlOf('{"msg":"console on http://x"}')).toBeUndefined();
    expect(consoleUrlOf('warning: something')).toBeUndefined();
  });
});
