import { abortableDelay, FailureConfigError, FailureEnv, parseRate, seededUniform } from '../invoice/failure-injection';

/**
 * Injected faults of the welcome email, so the demo and the tests can turn
 * sagas back. Two ways, as the invoice agents' faults are: by account id
 * (deterministic, for tests: an account whose id ends in `-fail` bounces for
 * good, one ending in `-hang` never gets an answer from the provider), and
 * by rate (for the demo: a reproducible draw per saga and attempt, so a retry
 * draws again and a hang can clear).
 */

export type EmailFault = 'none' | 'fail' | 'hang';

export interface EmailFaultConfig {
  /** Mixed into every draw. */
  seed: string;
  /** Chance per attempt that the provider refuses the address for good (PermanentError: compensated, not retried). */
  failRate: number;
  /** Chance per attempt that the provider does not answer before the step's deadline. */
  hangRate: number;
}

export const NO_EMAIL_FAULTS: EmailFaultConfig = Object.freeze({ seed: 'agentmesh', failRate: 0, hangRate: 0 });

export const EmailFaultEnv = {
  failRate: 'MESH_SIGNUP_EMAIL_FAIL_RATE',
  hangRate: 'MESH_SIGNUP_EMAIL_HANG_RATE',
  seed: FailureEnv.seed,
} as const;

/** Account id endings that force a fault whatever the rates. */
export const FAULT_SUFFIXES = { fail: '-fail', hang: '-hang' } as const;

/** The rate a variable sets; absent or empty means 0. */
function rateOf(variable: string, text: string | undefined): number {
  return text === undefined || text.trim() === '' ? 0 : parseRate(variable, text);
}

/** The email faults from MESH_SIGNUP_EMAIL_FAIL_RATE, MESH_SIGNUP_EMAIL_HANG_RATE and MESH_FAIL_SEED; absent means 0. */
export function emailFaultsFromEnv(env: NodeJS.ProcessEnv = process.env): EmailFaultConfig {
  const failRate = rateOf(EmailFaultEnv.failRate, env[EmailFaultEnv.failRate]);
  const hangRate = rateOf(EmailFaultEnv.hangRate, env[EmailFaultEnv.hangRate]);
  if (failRate + hangRate > 1 + 1e-9) throw new FailureConfigError(`${EmailFaultEnv.failRate} + ${EmailFaultEnv.hangRate} = ${failRate + hangRate}, more than 1`);
  const seed = env[EmailFaultEnv.seed]?.trim();
  return { seed: seed ? seed : NO_EMAIL_FAULTS.seed, failRate, hangRate };
}

/** The fault forced by the account id, if any. */
export function faultOfAccount(accountId: string): EmailFault {
  if (accountId.endsWith(FAULT_SUFFIXES.fail)) return 'fail';
  if (accountId.endsWith(FAULT_SUFFIXES.hang)) return 'hang';
  return 'none';
}

/** Which fault this send of the welcome email suffers: the account's, else a draw on (seed, saga, attempt). */
export function decideEmailFault(config: EmailFaultConfig, accountId: string, sagaId: string, attempt: number): EmailFault {
  const forced = faultOfAccount(accountId);
  if (forced !== 'none') return forced;
  if (config.failRate + config.hangRate <= 0) return 'none';
  const draw = seededUniform(config.seed, 'send-welcome-email', sagaId, attempt);
  if (draw < config.failRate) return 'fail';
  if (draw < config.failRate + config.hangRate) return 'hang';
  return 'none';
}

/** How far past the command's deadline a hung send gives up by itself (bounded, so it never holds the participant long). */
export const HANG_OVERRUN_MS = 50;

/**
 * How long a hung send waits: until just past the coordinator's deadline for
 * the command (so the coordinator times the step out), or `fallbackMs` when
 * the command carries no deadline.
 */
export function hangDurationMs(deadlineAt: number, now: number, fallbackMs: number, overrunMs: number = HANG_OVERRUN_MS): number {
  if (!(deadlineAt > 0)) return fallbackMs;
  return Math.max(0, deadlineAt - now) + overrunMs;
}

/** The provider never answered; thrown once a hung send gives up (its reply reaches the coordinator late, and is ignored). */
export class EmailProviderTimeoutError extends Error {
  override readonly name = 'EmailProviderTimeoutError';
}

/** Waits `ms` (or until `signal` aborts), then rejects: a call that hangs past its deadline. */
export async function hang(ms: number, signal: AbortSignal, what: string): Promise<never> {
  await abortableDelay(ms, signal);
  throw new EmailProviderTimeoutError(`${what}: no answer from the email provider within ${ms} ms`);
}
