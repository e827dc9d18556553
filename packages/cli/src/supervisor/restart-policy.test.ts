import { crashesInARow, decideRestart, DEFAULT_RESTART_POLICY, type Crash, type RestartPolicy } from './restart-policy';

const policy: RestartPolicy = { firstDelayMs: 1_000, maxDelayMs: 30_000, stableAfterMs: 60_000, crashLoopCrashes: 5 };

/** Crashes of runs that each lasted `upMs`, restarted after `gapMs`, the first starting at `from`. */
function crashes(count: number, upMs: number, gapMs = 1_000, from = 0): Crash[] {
  const out: Crash[] = [];
  let at = from;
  for (let i = 0; i < count; i++) {
    out.push({ startedAt: at, crashedAt: at + upMs });
    at += upMs + gapMs;
  }
  return out;
}

describe('decideRestart', () => {
  it('restarts after the first delay, doubling per crash in a row', () => {
    const delays = [1, 2, 3, 4].map((n) => decideRestart(crashes(n, 500), policy));
    expect(delays).toEqual([
      { action: 'restart', delayMs: 1_000, crashesInARow: 1 },
      { action: 'restart', delayMs: 2_000, crashesInARow: 2 },
      { action: 'restart', delayMs: 4_000, crashesInARow: 3 },
      { action: 'restart', delayMs: 8_000, crashesInARow: 4 },
    ]);
  });

  it('never waits longer than the cap', () => {
    const patient = { ...policy, crashLoopCrashes: 100 };
    expect(decideRestart(crashes(6, 500), patient)).toMatchObject({ action: 'restart', delayMs: 30_000 });
    expect(decideRestart(crashes(99, 500), patient)).toMatchObject({ action: 'restart', delayMs: 30_000 });
  });

  it('gives up on the fifth crash in a row with a one-line reason', () => {
    const history = crashes(5, 200, 1_000, 10_000);
    const decision = decideRestart(history, policy);
    expect(decision).toEqual({ action: 'give-up', crashesInARow: 5, reason: 'crash loop: 5 crashes in a row within 4.8 s, never up 60 s in between' });
  });

  it('gives up on crashes that the back-off spaced beyond a minute, as long as none followed a stable run', () => {
    // Up 50 s each time: five crashes take minutes, but the replica never got healthy.
    expect(decideRestart(crashes(5, 50_000, 30_000), policy)).toMatchObject({ action: 'give-up', crashesInARow: 5 });
  });

  it('starts over after a run that stayed up long enough: first delay again, and the count from one', () => {
    const history = [...crashes(4, 500), ...crashes(1, 60_000, 0, 100_000)];
    expect(decideRestart(history, policy)).toEqual({ action: 'restart', delayMs: 1_000, crashesInARow: 1 });
  });

  it('counts the crash that ended a stable run as the first of the new run of crashes', () => {
    const stable = crashes(1, 120_000);
    const after = crashes(3, 500, 1_000, 200_000);
    expect(decideRestart([...stable, ...after], policy)).toEqual({ action: 'restart', delayMs: 8_000, crashesInARow: 4 });
    expect(decideRestart([...stable, ...crashes(4, 500, 1_000, 200_000)], policy)).toMatchObject({ action: 'give-up', crashesInARow: 5 });
  });

  it('has a crash loop of 5 and a back-off of 1 s to 30 s by default', () => {
    expect(DEFAULT_RESTART_POLICY).toEqual({ firstDelayMs: 1_000, maxDelayMs: 30_000, stableAfterMs: 60_000, crashLoopCrashes: 5 });
    expect(decideRestart(crashes(1, 10))).toMatchObject({ action: 'restart', delayMs: 1_000 });
    expect(decideRestart(crashes(5, 10))).toMatchObject({ action: 'give-up' });
  });

  it('treats an empty history as before a first crash', () => {
    expect(decideRestart([], policy)).toEqual({ action: 'restart', delayMs: 1_000, crashesInARow: 0 });
  });
});

describe('crashesInARow', () => {
  it('keeps only the crashes since the last stable run, that run’s crash first', () => {
    const history = [...crashes(3, 500), { startedAt: 10_000, crashedAt: 80_000 }, ...crashes(2, 500, 1_000, 90_000)];
    expect(crashesInARow(history, policy)).toEqual(history.slice(3));
  });
});
