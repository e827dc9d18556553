import { createHash } from 'node:crypto';
import { PermanentError, type AgentContext } from '@agentmesh/runtime';

/**
 * Injected faults for the invoice agents, so the demo and the tests can show
 * what the mesh absorbs. Whether a call fails is a pure function of
 * (seed, agent, event id, attempt): a run is reproducible, and a retry of the
 * same event (a new attempt) draws again, so it can succeed.
 */

/** Probabilities in [0, 1] per handler call; their sum is at most 1. */
export interface FailureRates {
  /** A plain Error: the mesh retries it. */
  transient: number;
  /** A PermanentError: straight to the DLQ (or the fallback of a non-critical agent). */
  permanent: number;
  /** The call outlasts the agent's timeoutMs: aborted by the mesh, then retried. */
  slow: number;
}

export interface FailureInjectionConfig {
  /** Mixed into every draw; change it for another, equally reproducible, pattern of faults. */
  seed: string;
  rates: FailureRates;
}

export type InjectedFault = 'none' | 'transient' | 'permanent' | 'slow';

export const NO_FAILURES: FailureRates = Object.freeze({ transient: 0, permanent: 0, slow: 0 });
export const DEFAULT_FAILURE_SEED = 'agentmesh';

/** Environment variables read by failureConfigFromEnv; `<VAR>_<AGENT>` overrides the mesh-wide value for one agent. */
export const FailureEnv = {
  transient: 'MESH_FAIL_TRANSIENT',
  permanent: 'MESH_FAIL_PERMANENT',
  slow: 'MESH_FAIL_SLOW',
  seed: 'MESH_FAIL_SEED',
} as const;

const RATE_KINDS = ['transient', 'permanent', 'slow'] as const;

/** A failure-rate variable that is not a probability, or rates that add up to more than 1. */
export class FailureConfigError extends Error {
  override readonly name = 'FailureConfigError';
}

/** `po-matching` -> `PO_MATCHING`: the suffix of the agent's override variables. */
export function agentEnvSuffix(agent: string): string {
  return agent.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
}

/** The name of the variable that sets `kind` for `agent` alone. */
export function agentFailureVariable(kind: keyof FailureRates, agent: string): string {
  return `${FailureEnv[kind]}_${agentEnvSuffix(agent)}`;
}

/** The probability a variable holds (`text`, its value); throws FailureConfigError when it is not one. */
export function parseRate(variable: string, text: string): number {
  const value = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new FailureConfigError(`${variable}='${text}' is not a probability between 0 and 1`);
  }
  return value;
}

/** Checks that rates are probabilities that together leave room for success. */
export function assertValidRates(rates: FailureRates, where: string): void {
  for (const kind of RATE_KINDS) {
    const rate = rates[kind];
    if (!Number.isFinite(rate) || rate < 0 || rate > 1) throw new FailureConfigError(`${where}: ${kind} rate ${rate} is not between 0 and 1`);
  }
  const total = rates.transient + rates.permanent + rates.slow;
  // A small tolerance so 0.1 + 0.2 + 0.7 is accepted.
  if (total > 1 + 1e-9) throw new FailureConfigError(`${where}: transient + permanent + slow = ${total}, more than 1`);
}

/**
 * The failure rates of one agent from the environment: the agent's own
 * variable (MESH_FAIL_TRANSIENT_OCR) wins over the mesh-wide one
 * (MESH_FAIL_TRANSIENT); absent means 0.
 */
export function failureConfigFromEnv(agent: string, env: NodeJS.ProcessEnv = process.env): FailureInjectionConfig {
  const rates: FailureRates = { ...NO_FAILURES };
  for (const kind of RATE_KINDS) {
    const own = agentFailureVariable(kind, agent);
    const ownValue = env[own];
    const sharedValue = env[FailureEnv[kind]];
    if (ownValue !== undefined && ownValue.trim() !== '') rates[kind] = parseRate(own, ownValue);
    else if (sharedValue !== undefined && sharedValue.trim() !== '') rates[kind] = parseRate(FailureEnv[kind], sharedValue);
  }
  assertValidRates(rates, `failure rates of agent '${agent}'`);
  const seed = env[FailureEnv.seed]?.trim();
  return { seed: seed ? seed : DEFAULT_FAILURE_SEED, rates };
}

/** A uniform draw in [0, 1) from a SHA-256 of the parts: same parts, same number, on every machine. */
export function seededUniform(...parts: readonly (string | number)[]): number {
  const digest = createHash('sha256').update(parts.join('\u0000')).digest();
  // 48 bits fit a double exactly.
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

/** Which fault (if any) this call of `agent` on `eventId` at `attempt` suffers. */
export function decideFault(config: FailureInjectionConfig, agent: string, eventId: string, attempt: number): InjectedFault {
  const { transient, permanent, slow } = config.rates;
  if (transient + permanent + slow <= 0) return 'none';
  const draw = seededUniform(config.seed, agent, eventId, attempt);
  if (draw < permanent) return 'permanent';
  if (draw < permanent + transient) return 'transient';
  if (draw < permanent + transient + slow) return 'slow';
  return 'none';
}

/** The share of events that get through every agent on the first try: what a chain without retries delivers. */
export function successRateWithoutRetries(ratesByAgent: readonly FailureRates[]): number {
  return ratesByAgent.reduce((product, r) => product * Math.max(0, 1 - r.transient - r.permanent - r.slow), 1);
}

/** An injected transient fault: a plain Error, so the mesh classifies it as transient and retries. */
export class InjectedTransientError extends Error {
  override readonly name = 'InjectedTransientError';
}

/** An injected permanent fault. */
export class InjectedPermanentError extends PermanentError {
  override readonly name: string = 'InjectedPermanentError';
}

export interface FaultSite {
  agent: string;
  /** The agent's deadline; a slow call outlasts it. */
  timeoutMs: number;
  /**
   * The handler's ctx (event id, attempt, and the signal the mesh aborts at the deadline). The
   * signal is read only by a slow call: the mesh makes one only for handlers that ask.
   */
  ctx: Pick<AgentContext, 'eventId' | 'attempt' | 'signal'>;
}

/** How much longer than the deadline a slow call would take if nothing aborted it. */
const SLOW_CALL_OVERRUN = 1.5;

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    // The signal's reason is whatever abort() was given (an AbortError by default), as timers/promises rejects.
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- see above
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- see above
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Acts out the fault decided for this call: throws for transient and
 * permanent faults; for a slow call, hangs past the deadline (the mesh aborts
 * it) and, should nothing abort it, fails like a timed-out dependency would.
 */
export async function actOutFault(fault: InjectedFault, site: FaultSite): Promise<void> {
  const where = `${site.agent} on event ${site.ctx.eventId}, attempt ${site.ctx.attempt}`;
  switch (fault) {
    case 'none':
      return;
    case 'transient':
      throw new InjectedTransientError(`injected transient failure (${where})`);
    case 'permanent':
      throw new InjectedPermanentError(`injected permanent failure (${where})`);
    case 'slow':
      await abortableDelay(Math.ceil(site.timeoutMs * SLOW_CALL_OVERRUN), site.ctx.signal);
      throw new InjectedTransientError(`injected slow call outlasted ${site.timeoutMs} ms without being aborted (${where})`);
  }
}

/** Decides and acts out the fault of one handler call. */
export function injectFailure(config: FailureInjectionConfig, site: FaultSite): Promise<void> {
  return actOutFault(decideFault(config, site.agent, site.ctx.eventId, site.ctx.attempt), site);
}
