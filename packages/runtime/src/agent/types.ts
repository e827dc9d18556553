import type { Span } from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { CheckpointHandle } from '../checkpoint/handle';
import type { Headers } from '../events/headers';
import type { AgentStateHandle } from '../state/handle';
import type { ErrorClassifier, FailureKind } from '../failure/classify';
import type { RetryPolicy } from '../failure/decide';

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
  /** Encodes a value with a topic's contract (Avro through the registry, or JSON), for a payload carried inside another record. */
  encode(topic: string, value: unknown): Promise<Buffer>;
}

/** Why a non-critical agent fell back. */
export interface FallbackReason {
  kind: FailureKind;
  reason: 'permanent' | 'exhausted';
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
  classify?: ErrorClassifier;
  breakers?: Record<string, BreakerOptions>;
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
  readonly classify: ErrorClassifier | undefined;
  readonly breakers: Readonly<Record<string, BreakerOptions>>;
  readonly handle: AgentDefinition<In, Out>['handle'];
  readonly fallback: AgentDefinition<In, Out>['fallback'];
}
