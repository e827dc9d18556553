import type { RetryPolicy } from '@agentmesh/runtime';
import { failureConfigFromEnv, type FailureInjectionConfig } from './failure-injection';

/** What an invoice agent can be given instead of its defaults (tests and the demo tune these). */
export interface InvoiceAgentOptions {
  /** Injected faults; default: read from MESH_FAIL_* when the agent is created. */
  failures?: FailureInjectionConfig;
  retry?: Partial<RetryPolicy>;
  timeoutMs?: number;
}

/**
 * Retries sized for a demo that finishes in seconds: a blip, a short outage,
 * a longer one; four deliveries in all. A production agent would wait longer.
 */
export const INVOICE_RETRY_POLICY: RetryPolicy = { delaysMs: [200, 1_000, 3_000], maxAttempts: 4, jitter: 0.2 };

/** The deadline of every handler call: the fakes answer in microseconds, a slow call overruns it. */
export const INVOICE_TIMEOUT_MS = 2_000;

export interface ResolvedInvoiceAgentOptions {
  failures: FailureInjectionConfig;
  retry: RetryPolicy;
  timeoutMs: number;
}

export function resolveOptions(agent: string, options: InvoiceAgentOptions): ResolvedInvoiceAgentOptions {
  return {
    failures: options.failures ?? failureConfigFromEnv(agent),
    retry: { ...INVOICE_RETRY_POLICY, ...options.retry },
    timeoutMs: options.timeoutMs ?? INVOICE_TIMEOUT_MS,
  };
}
