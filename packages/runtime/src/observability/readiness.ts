/** Readiness: is this process fit to take traffic (joined its group, dependencies reachable)? */

export interface ReadinessCheckResult {
  ok: boolean;
  /** Why it is not ok (or a note when it is), shown verbatim by /ready. */
  detail?: string;
}

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, ReadinessCheckResult>;
}

/** Produces the whole report; `startObservabilityServer` bounds it in time. */
export type ReadinessProbe = () => Promise<ReadinessReport>;

/**
 * One named check. It receives a signal that aborts at its deadline so it can cancel its I/O;
 * returning a boolean is shorthand for `{ ok }`, and throwing counts as failed with the message.
 */
export type ReadinessCheck = (signal: AbortSignal) => Promise<ReadinessCheckResult | boolean> | ReadinessCheckResult | boolean;

export type ReadinessChecks = Record<string, ReadinessCheck>;

/** A check that hangs (a Redis PING into a black hole) counts as failed after this long. */
export const DEFAULT_READINESS_CHECK_TIMEOUT_MS = 2_000;

export class ReadinessTimeoutError extends Error {
  override readonly name = 'ReadinessTimeoutError';
  constructor(readonly timeoutMs: number) {
    super(`timed out after ${timeoutMs} ms`);
  }
}

/**
 * Runs one check under a deadline. Never rejects: every failure mode becomes `{ ok: false }`.
 */
export async function runReadinessCheck(check: ReadinessCheck, timeoutMs = DEFAULT_READINESS_CHECK_TIMEOUT_MS): Promise<ReadinessCheckResult> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new ReadinessTimeoutError(timeoutMs);
      controller.abort(error);
      reject(error);
    }, timeoutMs);
  });
  try {
    const outcome = await Promise.race([Promise.resolve().then(() => check(controller.signal)), deadline]);
    return normaliseResult(outcome);
  } catch (error) {
    return { ok: false, detail: describeError(error) };
  } finally {
    clearTimeout(timer);
  }
}

/** Runs every check concurrently, each bounded by `timeoutMs`, into one report. */
export async function runReadinessChecks(checks: ReadinessChecks, timeoutMs = DEFAULT_READINESS_CHECK_TIMEOUT_MS): Promise<ReadinessReport> {
  const names = Object.keys(checks);
  const results = await Promise.all(names.map((name) => runReadinessCheck(checks[name]!, timeoutMs)));
  const report: ReadinessReport = { ready: true, checks: {} };
  names.forEach((name, i) => {
    const result = results[i]!;
    report.checks[name] = result;
    if (!result.ok) report.ready = false;
  });
  return report;
}

/** A probe over named checks, for `startObservabilityServer({ readiness })`. */
export function readinessFromChecks(checks: ReadinessChecks, timeoutMs = DEFAULT_READINESS_CHECK_TIMEOUT_MS): ReadinessProbe {
  return () => runReadinessChecks(checks, timeoutMs);
}

function normaliseResult(outcome: unknown): ReadinessCheckResult {
  if (typeof outcome === 'boolean') return { ok: outcome };
  if (isCheckResult(outcome)) {
    return outcome.detail === undefined ? { ok: outcome.ok } : { ok: outcome.ok, detail: String(outcome.detail) };
  }
  return { ok: false, detail: 'check returned neither a boolean nor { ok }' };
}

function isCheckResult(value: unknown): value is ReadinessCheckResult {
  return typeof value === 'object' && value !== null && typeof (value as { ok?: unknown }).ok === 'boolean';
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
