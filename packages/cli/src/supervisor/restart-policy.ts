/** When a supervised replica that crashed is started again, and when the supervisor stops trying. */
export interface RestartPolicy {
  /** The wait after the first crash of a run of crashes. */
  firstDelayMs: number;
  /** The longest wait, however often it crashes. */
  maxDelayMs: number;
  /** A replica up at least this long was healthy: its next crash starts a new run of crashes (first delay again). */
  stableAfterMs: number;
  /** This many crashes in a row, none after a stable run, are a crash loop: the supervisor gives the replica up. */
  crashLoopCrashes: number;
}

/** 1 s doubling to 30 s; up 60 s counts as healthy; 5 crashes in a row without a healthy run is a crash loop. */
export const DEFAULT_RESTART_POLICY: Readonly<RestartPolicy> = { firstDelayMs: 1_000, maxDelayMs: 30_000, stableAfterMs: 60_000, crashLoopCrashes: 5 };

/** One crash of a replica: when the run that crashed had started, and when it ended. */
export interface Crash {
  startedAt: number;
  crashedAt: number;
}

export type RestartDecision =
  /** Start the replica again after `delayMs`; `crashesInARow` counts this crash. */
  | { action: 'restart'; delayMs: number; crashesInARow: number }
  /** A crash loop: do not start it again; `reason` says why in one line. */
  | { action: 'give-up'; crashesInARow: number; reason: string };

/** The crashes since the replica last stayed up `stableAfterMs`: the crash that ended that run first (it starts the run of crashes). */
export function crashesInARow(crashes: readonly Crash[], policy: Readonly<RestartPolicy> = DEFAULT_RESTART_POLICY): readonly Crash[] {
  let from = 0;
  for (let i = crashes.length - 1; i >= 0; i--) {
    if (crashes[i]!.crashedAt - crashes[i]!.startedAt >= policy.stableAfterMs) {
      from = i;
      break;
    }
  }
  return crashes.slice(from);
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

/**
 * What to do about a replica that has just crashed, given its crashes (oldest first, the latest
 * last): restart it after a back-off that doubles per crash in a row (from `firstDelayMs` to
 * `maxDelayMs`), or give it up once `crashLoopCrashes` crashes came in a row with no run of
 * `stableAfterMs` between them.
 *
 * A count of crashes in a row, rather than of crashes within a time window: the back-off spaces
 * the crashes out, so a replica that crashes some seconds after every start would never put five
 * crashes into a minute, and would be restarted forever.
 */
export function decideRestart(crashes: readonly Crash[], policy: Readonly<RestartPolicy> = DEFAULT_RESTART_POLICY): RestartDecision {
  const run = crashesInARow(crashes, policy);
  const n = run.length;
  if (n === 0) return { action: 'restart', delayMs: policy.firstDelayMs, crashesInARow: 0 };
  if (n >= policy.crashLoopCrashes) {
    const span = run[n - 1]!.crashedAt - run[0]!.crashedAt;
    return { action: 'give-up', crashesInARow: n, reason: `crash loop: ${n} crashes in a row within ${seconds(span)}, never up ${seconds(policy.stableAfterMs)} in between` };
  }
  const delayMs = Math.min(policy.firstDelayMs * 2 ** Math.min(n - 1, 30), policy.maxDelayMs);
  return { action: 'restart', delayMs, crashesInARow: n };
}
