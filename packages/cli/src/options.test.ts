import { InvalidArgumentError } from 'commander';
import { durationMs, parseDuration, parseHttpUrl } from './options';

describe('durationMs', () => {
  it.each([
    ['0s', 0],
    ['30s', 30_000],
    ['10m', 600_000],
    ['2h', 7_200_000],
    ['7d', 604_800_000],
    ['1w', 604_800_000],
    ['500ms', 500],
    ['1h30m', 5_400_000],
    [' 45s ', 45_000],
  ])('reads %p as %d ms', (text, ms) => {
    expect(durationMs(text)).toBe(ms);
  });

  it.each(['', '10', 'm', '10x', '1.5h', '-1h', '10 m', '2 hours', 'h1', '99999999999999999999d'])('refuses %p', (text) => {
    expect(durationMs(text)).toBeUndefined();
  });
});

describe('parseDuration', () => {
  it('is the commander parser of a duration flag', () => {
    expect(parseDuration('7d')).toBe(604_800_000);
    expect(() => parseDuration('7 days')).toThrow(InvalidArgumentError);
    expect(() => parseDuration('7 days')).toThrow("'7 days' is not a duration (a number and a unit: 30s, 10m, 2h, 7d; or 1h30m, 500ms)");
  });
});

describe('parseHttpUrl', () => {
  it('takes http(s) URLs and drops a trailing slash', () => {
    expect(parseHttpUrl('http://127.0.0.1:8081/')).toBe('http://127.0.0.1:8081');
    expect(parseHttpUrl('https://registry.example.com')).toBe('https://registry.example.com');
  });

  it.each(['localhost:8081', 'ftp://x', 'not a url'])('refuses %p', (text) => {
    expect(() => parseHttpUrl(text)).toThrow(InvalidArgumentError);
  });
});
