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

  /** Errors whose call left its breaker open: the failure that opened it, or a failed half-open probe. */
  private readonly tripping = new WeakSet<object>();

  /** The breaker as a handler sees it: calls get the handler's deadline signal. */
  forCall(name: string, signal: AbortSignal): Breaker {
    const { policy } = this.policyFor(name);
    return {
      execute: async (call) => {
        try {
          return await policy.execute(({ signal: s }) => call(s), signal);
        } catch (err) {
          if (typeof err === 'object' && err !== null && policy.state === CircuitState.Open) this.tripping.add(err);
          throw err;
        }
      },
    };
  }

  /**
   * True when `error` is the dependency's fault rather than the event's: the
   * breaker refused the call, or the call's failure left the breaker open.
   * Such an event is held for later instead of burning a retry or a DLQ slot.
   */
  blamesDependency(error: unknown): boolean {
    return isBrokenCircuitError(error) || (typeof error === 'object' && error !== null && this.tripping.has(error));
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
