import { chaosSummary, parseChaosArgs } from './args';

describe('the chaos script flags', () => {
  it('defaults to seeds 1-5, 300 signups at 20 a second, one round', () => {
    expect(parseChaosArgs([])).toEqual({ seeds: [1, 2, 3, 4, 5], signups: 300, ratePerSecond: 20, rounds: 1, keep: false, verbose: false, help: false });
  });

  it('takes the count and first seed, or one seed to replay, and the run sizes', () => {
    const args = parseChaosArgs(['--seeds', '3', '--first-seed', '10', '--signups', '40', '--rate', '7.5', '--rounds', '2', '--keep', '--verbose']);
    expect(args).toEqual({ seeds: [10, 11, 12], signups: 40, ratePerSecond: 7.5, rounds: 2, keep: true, verbose: true, help: false });
    expect(parseChaosArgs(['--seeds', '20', '--seed', '0']).seeds).toEqual([0]);
    expect(parseChaosArgs(['-h']).help).toBe(true);
  });

  it('refuses bad values and unknown flags, with the usage', () => {
    expect(() => parseChaosArgs(['--seeds', '0'])).toThrow(/--seeds needs a whole number >= 1, got 0\n\nusage:/);
    expect(() => parseChaosArgs(['--signups'])).toThrow(/--signups needs a whole number >= 1, got nothing/);
    expect(() => parseChaosArgs(['--rate', '-1'])).toThrow(/--rate needs a number > 0/);
    expect(() => parseChaosArgs(['--fast'])).toThrow(/unknown argument '--fast'/);
  });

  it('sums up how many seeds passed, naming the failed', () => {
    expect(
      chaosSummary([
        { seed: 1, passed: true },
        { seed: 2, passed: true },
      ]),
    ).toBe('2 of 2 seeds passed');
    expect(
      chaosSummary([
        { seed: 1, passed: true },
        { seed: 2, passed: false },
        { seed: 3, passed: false },
      ]),
    ).toBe('1 of 3 seeds passed (failed: 2, 3)');
  });
});
