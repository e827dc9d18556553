import type { Span } from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { CheckpointHandle } from '../checkpoint/handle';
import type { StepOptions } from '../journal/step-options';
import type { Headers } from '../events/headers';
import type { AgentStateHandle } from '../state/handle';
import type { ErrorClassifier, FailureKind } from '../failure/classify';
import type { FailedOutput } from '../failure/errors';
import type { RetryPolicy } from '../failure/decide';
import type { WriteFence } from '../activity/fenced-stores';

/** How an agent's instances share its work: all active, or one active and the others standing by. */
export type AgentInstances = 'all-active' | 'one-active';

/** One consumed event, decoded, with the mesh's metadata. */
export interface AgentEvent<V = unknown> {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: V;
  headers: Headers;
  eventId: string;
  correlationId: string;
  /** The delivery this is: 1 the first time, 2 on the first retry, ... */
  attempt: number;
  /** The record's timestamp (ms). */
  timestamp: number;
}

/** An event a handler asks the mesh to produce. Ids, correlation and trace headers are added for it. */
export interface OutputEvent<V = unknown> {
  topic: string;
  key?: string | null;
  value: V;
  headers?: Headers;
}

/** A dependency guarded by a circuit breaker; while open, the agent pauses instead of failing events. */
export interface Breaker {
  execute<T>(call: (signal: AbortSignal) => Promise<T>): Promise<T>;
}

export interface BreakerOptions {
  /** Consecutive failures that open the breaker. Default 5. */
  consecutiveFailures?: number;
  /** How long it stays open before a probe (half-open). Default 10 s. */
  halfOpenAfterMs?: number;
}

export interface AgentContext {
  readonly agent: string;
  readonly eventId: string;
  readonly attempt: number;
  /** Aborts at the handler's deadline (timeoutMs); pass it to every call. */
  readonly signal: AbortSignal;
  readonly logger: Logger;
  readonly span: Span;
  /** Step state of long handlers: a retry of this event resumes from the last save. */
  readonly checkpoint: CheckpointHandle;
  /** The agent's versioned state, per key, kept across events: `await ctx.state.load(key)`, `await ctx.state.save(key, value)`. */
  readonly state: AgentStateHandle;
  breaker(name: string): Breaker;
  /**
   * Runs `fn` once per event, across retries and crashes: its result is journaled (Redis under `mesh run`, with the
   * checkpoint store's versions and integrity) before the handler goes on, and a later attempt of the event gets the
   * journaled result back instead of running `fn` again. For costly or effectful work (an LLM call, a payment):
   * `const draft = await ctx.step('draft', (signal) => llm.complete(prompt, { signal }))`. Each step of a handler
   * call needs its own name; the result must be JSON. Options: the step's own timeout and tries.
   */
  step<T>(name: string, fn: (signal: AbortSignal) => Promise<T> | T, options?: StepOptions): Promise<T>;
  /** Encodes a value with a topic's contract (Avro through the registry, or JSON), for a payload carried inside another record. */
  encode(topic: string, value: unknown): Promise<Buffer>;
  /**
   * A one-active agent's write fence (absent for all-active agents), for stores of the handler's own: check
   * `assertLive()` before a write and carry `fence()` into it, so a write of an instance that lost its lease is
   * refused with FencedError, as the mesh's checkpoint and state stores refuse it. The LangGraph checkpointer
   * takes it as `configurable.mesh_fence`.
   */
  readonly fence?: WriteFence;
}

/** One alternative of an agent's output chain: another prompt, another model, a deterministic path. */
export interface OutputAlternative<In = unknown, Out = unknown> {
  /** Names it in metrics (`by`) and in the failure history. */
  name: string;
  /** The event, and every candidate that failed before this one (the handler's first), with why. */
  handle(event: AgentEvent<In>, ctx: AgentContext, failed: readonly FailedOutput[]): Promise<OutputEvent<Out>[] | void> | OutputEvent<Out>[] | void;
}

/**
 * How an agent's outputs are checked before they are sent, and what runs when they fail: an LLM's answer
 * that breaks its contract or a rule is not retried blindly, the next alternative answers instead.
 */
export interface OutputChecks<In = unknown, Out = unknown> {
  /** Beyond each output topic's contract (always checked): true when the outputs are fit to send, else why not. */
  validate?(outputs: readonly OutputEvent<Out>[], event: AgentEvent<In>): true | string | Promise<true | string>;
  /** Tried in order once the handler's outputs (and each earlier alternative's) failed; all failing: DLQ as invalid-output. */
  alternatives?: readonly OutputAlternative<In, Out>[];
}

/** Why a non-critical agent fell back. */
export interface FallbackReason {
  kind: FailureKind;
  reason: 'permanent' | 'invalid-output' | 'exhausted';
  error: unknown;
}

export interface AgentDefinition<In = unknown, Out = unknown> {
  /** Consumer group id and topic prefix: `<name>.retry.<n>`, `<name>.dlq`. */
  name: string;
  consumes: string[];
  produces: string[];
  /** false together with `fallback`: degrade instead of dead-lettering. Default true. */
  critical?: boolean;
  retry?: Partial<RetryPolicy>;
  /** Deadline of every handler call. Default 30 s. */
  timeoutMs?: number;
  /** Handler calls in flight per partition (different keys only; one key is always in order). Default 8. */
  concurrency?: number;
  /**
   * 'key': while an event of a key is in retry, later events of that key wait behind it (durably, in Redis
   * under mesh run) and are released in order. Default 'none': a failing event never delays the others.
   */
  ordering?: 'none' | 'key';
  /**
   * 'one-active' (active-passive): one instance consumes at a time, holding a fenced lease in Redis; the
   * others are hot standbys, and one takes over within the lease's TTL when the active one dies. Every
   * output and checkpoint or state write of the active instance is fenced, so two are never active at once.
   * For stateful work that must not run side by side. Default 'all-active': every instance takes a share of
   * the partitions.
   */
  instances?: AgentInstances;
  classify?: ErrorClassifier;
  breakers?: Record<string, BreakerOptions>;
  /** Checks of the outputs before they are sent, and the alternatives that answer when they fail. */
  outputs?: OutputChecks<In, Out>;
  handle(event: AgentEvent<In>, ctx: AgentContext): Promise<OutputEvent<Out>[] | void> | OutputEvent<Out>[] | void;
  fallback?(event: AgentEvent<In>, why: FallbackReason): Promise<OutputEvent<Out>[]> | OutputEvent<Out>[];
}

/** A checked definition with every default filled in. */
export interface Agent<In = unknown, Out = unknown> {
  readonly name: string;
  readonly consumes: readonly string[];
  readonly produces: readonly string[];
  readonly critical: boolean;
  readonly retry: RetryPolicy;
  readonly timeoutMs: number;
  readonly concurrency: number;
  readonly ordering: 'none' | 'key';
  readonly instances: AgentInstances;
  readonly classify: ErrorClassifier | undefined;
  readonly breakers: Readonly<Record<string, BreakerOptions>>;
  readonly outputs: OutputChecks<In, Out> | undefined;
  readonly handle: AgentDefinition<In, Out>['handle'];
  readonly fallback: AgentDefinition<In, Out>['fallback'];
}
