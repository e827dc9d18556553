import type { Headers } from '@agentmesh/runtime';

/** Retry of a step (or of a compensation): fixed delays with jitter, bounded by maxAttempts. */
export interface SagaRetryPolicy {
  /** One delay per retry; the last is reused. */
  delaysMs: number[];
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** Spread of each delay, 0..1: 0.5 draws from [0.5d, 1.5d]. */
  jitter: number;
}

/** What a wait step does when its deadline passes with no signal. */
export type SagaWaitTimeout = 'compensate' | { continueWith?: Record<string, unknown> };

/** A step that waits for a signal (an approval or a rejection) from outside, up to a durable deadline. */
export interface SagaWaitDefinition {
  /** How long the saga waits for the signal (hours or days are fine: the deadline lives in Redis). */
  timeoutMs: number;
  /** At the deadline: compensate (as if rejected), or go on as if approved, with `continueWith` merged into the data. */
  onTimeout: SagaWaitTimeout;
}

/** One step of a saga: a command to a participant, and how to undo it; or a wait for a signal. */
export interface SagaStepDefinition {
  /** Unique within the saga; carried in `mesh-saga-step`. */
  name: string;
  /**
   * Topic the step's command goes to (its contract is the saga's data). On a wait step it is optional: a
   * notification sent once when the wait begins (so a person or an agent learns an approval is asked for), with
   * no reply expected.
   */
  command?: string;
  /** Makes the step a wait for `mesh saga signal` / `signalSaga`: no retries, no compensation, no reply. */
  wait?: SagaWaitDefinition;
  /** Topic the step's compensation goes to; omit for steps with nothing to undo. */
  compensation?: string;
  /** How long the coordinator waits for the step's reply before treating it as failed. Default 30 s. */
  timeoutMs?: number;
  /** Retries of the step before the saga compensates (before the pivot) or goes stuck (after it). Default 3 attempts. */
  retry?: Partial<SagaRetryPolicy>;
  /** Retries of the step's compensation before the saga stops in `compensation_failed`. Default: the saga's. */
  compensationRetry?: Partial<SagaRetryPolicy>;
  /** How long the coordinator waits for a compensation's reply. Default: timeoutMs. */
  compensationTimeoutMs?: number;
  /** The go/no-go step: once it has succeeded the saga only goes forward (later failures are retried, never compensated). */
  pivot?: boolean;
}

/** The trigger record a saga starts from, decoded. */
export interface SagaTrigger<T = unknown> {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: T;
  headers: Headers;
  eventId: string;
}

export interface SagaDefinition<Trigger = unknown, Data = unknown> {
  /** Saga type: names it in state, logs, metrics and `mesh saga ls`. */
  name: string;
  /** Topic whose records start a saga each. */
  trigger: string;
  steps: SagaStepDefinition[];
  /** The saga's id for a trigger; default derived from the trigger's event id (a redelivered trigger starts no second saga). */
  sagaId?(trigger: SagaTrigger<Trigger>): string;
  /** The saga's first data, sent with the first command; default the trigger's value. */
  start?(trigger: SagaTrigger<Trigger>): Data;
  /** Default compensation retry of every step. Default: 8 attempts, 0.2 s doubling to 30 s. */
  compensationRetry?: Partial<SagaRetryPolicy>;
}

/** A step with every default filled in. */
export interface SagaStep {
  readonly name: string;
  readonly index: number;
  /** Undefined only on a wait step without a notification. */
  readonly command: string | undefined;
  /** Set on a wait step. */
  readonly wait: Readonly<{ timeoutMs: number; onTimeout: SagaWaitTimeout }> | undefined;
  readonly compensation: string | undefined;
  readonly timeoutMs: number;
  readonly retry: SagaRetryPolicy;
  readonly compensationRetry: SagaRetryPolicy;
  readonly compensationTimeoutMs: number;
  readonly pivot: boolean;
}

/** A checked saga definition (what `defineSaga` returns). */
export interface Saga<Trigger = unknown, Data = unknown> {
  readonly name: string;
  readonly trigger: string;
  readonly steps: readonly SagaStep[];
  // Method syntax on purpose: a Saga<MyTrigger> must be usable where a Saga<unknown> is listed.
  sagaId?(trigger: SagaTrigger<Trigger>): string;
  start?(trigger: SagaTrigger<Trigger>): Data;
}
