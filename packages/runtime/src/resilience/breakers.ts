import { CircuitState, ConsecutiveBreaker, circuitBreaker, handleAll, isBrokenCircuitError, type CircuitBreakerPolicy } from 'cockatiel';
import type { Breaker, BreakerOptions } from '../agent/types';

export type BreakerStateName = 'closed' | 'open' | 'half-open';

export interface BreakerEvents {
  /** A breaker opened: the worker pauses consumption for `retryAfterMs`, then lets a probe through. */
  onOpen(name: string, retryAfterMs: number): void;
  onStateChange(name: string, state: BreakerStateName): void;
}

const DEFAULTS: Required<BreakerOptions> = { consecutiveFailures: 5, halfOpenAfterMs: 10_000 };

function stateName(state: CircuitState): BreakerStateName {
  if (state === CircuitState.Open || state === CircuitState.Isolated) return 'open';
  if (state === CircuitState.HalfOpen) return 'half-open';
  return 'closed';
}

/** True when a call was refused because its breaker is open (not a failure of the event). */
export function isBreakerOpen(error: unknown): boolean {
  return isBrokenCircuitError(error);
}

/**
 * One cockatiel circuit breaker per dependency name, shared by all of a
 * worker's handler calls, so failures of one event open it for the next.
 */
export class BreakerRegistry {
  private readonly policies = new Map<string, { policy: CircuitBreakerPolicy; options: Required<BreakerOptions> }>();

  constructor(
    private readonly configured: Readonly<Record<string, BreakerOptions>>,
    private readonly events: BreakerEvents,
  ) {}

  private policyFor(name: string) {
    let entry = this.policies.get(name);
    if (!entry) {
      const options = { ...DEFAULTS, ...this.configured[name] };
      const policy = circuitBreaker(handleAll, { halfOpenAfter: options.halfOpenAfterMs, breaker: new ConsecutiveBreaker(options.consecutiveFailures) });
      policy.onStateChange((s) => this.events.onStateChange(name, stateName(s)));
      policy.onBreak(() => this.events.onOpen(name, options.halfOpenAfterMs));
      entry = { policy, options };
      this.policies.set(name, entry);
    }
    return entry;
  }

  /** The breaker as a handler sees it: calls get the handler's deadline signal. */
  forCall(name: string, signal: AbortSignal): Breaker {
    const { policy } = this.policyFor(name);
    return { execute: (call) => policy.execute(({ signal: s }) => call(s), signal) };
  }

  /** The first open breaker and how long until it lets a probe through, if any. */
  openBreaker(): { name: string; retryAfterMs: number } | undefined {
    for (const [name, { policy, options }] of this.policies) {
      if (policy.state === CircuitState.Open) return { name, retryAfterMs: options.halfOpenAfterMs };
    }
    return undefined;
  }

  states(): Record<string, BreakerStateName> {
    return Object.fromEntries([...this.policies].map(([name, { policy }]) => [name, stateName(policy.state)]));
  }
}
