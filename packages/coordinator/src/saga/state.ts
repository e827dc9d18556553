/**
 * A saga instance's state, the inputs that move it and the effects a move asks
 * for. The state is plain JSON (it lives in Redis and in every saga.events
 * record); the decisions over it are pure functions in transition.ts.
 */

/**
 * running: going forward; waiting: at a wait step, for a signal or its deadline; compensating: undoing completed
 * steps, newest first. The rest are ends or waits for an operator.
 */
export type SagaStatus = 'running' | 'waiting' | 'compensating' | 'completed' | 'compensated' | 'compensation_failed' | 'forward_failed';

export const SAGA_STATUSES: readonly SagaStatus[] = ['running', 'waiting', 'compensating', 'completed', 'compensated', 'compensation_failed', 'forward_failed'];
/** Statuses in which the coordinator still acts on the saga by itself. */
export const ACTIVE_STATUSES: readonly SagaStatus[] = ['running', 'waiting', 'compensating'];
/** Statuses that wait for an operator (`mesh saga resume`). */
export const STUCK_STATUSES: readonly SagaStatus[] = ['compensation_failed', 'forward_failed'];
/** Statuses a saga never leaves. */
export const FINAL_STATUSES: readonly SagaStatus[] = ['completed', 'compensated'];

export type CommandKind = 'execute' | 'compensate';

/** How a participant's failure is to be taken: `permanent` is never retried before the pivot. */
export type StepErrorKind = 'transient' | 'permanent' | 'timeout';

export type StepStatus =
  | 'pending'
  | 'running'
  /** A wait step waiting for its signal or its deadline. */
  | 'waiting'
  | 'succeeded'
  | 'failed'
  /** Its last attempt timed out: it may have taken effect, so it is compensated like a success. */
  | 'timed_out'
  | 'compensating'
  | 'compensated'
  | 'compensation_failed'
  /** Nothing to undo (no compensation topic), or never ran. */
  | 'not_compensated';

export interface StepState {
  name: string;
  status: StepStatus;
  /** Execute attempts sent so far. */
  attempts: number;
  /** Compensate attempts sent so far. */
  compensationAttempts: number;
  /**
   * Attempts before an operator's resume: the retry budget counts from here, while attempt numbers
   * keep rising (a resumed command must not reuse an earlier attempt's event id, which participants
   * have already seen).
   */
  attemptsBeforeResume?: number;
  compensationAttemptsBeforeResume?: number;
  /** An attempt may have had its effect (it succeeded, or timed out): compensation must cover it. */
  mayHaveTakenEffect: boolean;
  /**
   * The execution successes taken into account (applied, or late and compensated for): attempt and reply
   * mesh-event-id. The same reply read again is a duplicate and changes nothing.
   */
  successes?: { attempt: number; eventId?: string }[];
  lastError?: string;
}

/** The command the saga is waiting on. */
export interface InFlightCommand {
  step: number;
  kind: CommandKind;
  attempt: number;
  /** mesh-event-id of the command: derived from saga, step, kind and attempt, so a re-send is the same event. */
  eventId: string;
  sentAt: number;
  deadlineAt: number;
}

/** The saga's data in the encoding of the topic it was last written for (Avro through the registry, or JSON). */
export interface EncodedData {
  topic: string;
  /** base64 */
  bytes: string;
}

/** One line of a saga's story; the same entries go to saga.events. */
export interface TimelineEntry {
  at: number;
  type: SagaEventType;
  step?: string;
  kind?: CommandKind;
  attempt?: number;
  detail?: string;
}

export type SagaEventType =
  | 'STARTED'
  | 'STEP_STARTED'
  | 'STEP_SUCCEEDED'
  | 'STEP_FAILED'
  | 'STEP_TIMED_OUT'
  | 'STEP_RETRY_SCHEDULED'
  | 'COMPENSATING'
  | 'COMPENSATION_STARTED'
  | 'STEP_COMPENSATED'
  | 'COMPENSATION_FAILED'
  | 'COMPENSATION_RETRY_SCHEDULED'
  | 'COMPLETED'
  | 'COMPENSATED'
  | 'STUCK'
  | 'RESUMED'
  | 'REPLY_IGNORED'
  | 'WAITING'
  | 'SIGNAL_APPLIED'
  | 'SIGNAL_IGNORED'
  | 'WAIT_TIMED_OUT';

export interface SagaState {
  id: string;
  /** The saga definition's name. */
  type: string;
  /** Bumped by every write; writes are compare-and-set on it. */
  version: number;
  status: SagaStatus;
  /** Partition of saga.replies the saga's replies land on; its owner drives the saga. */
  homePartition: number;
  startedAt: number;
  updatedAt: number;
  finishedAt?: number;
  trigger: { topic: string; partition: number; offset: string; eventId: string };
  correlationId: string;
  /** W3C traceparent of the saga's root span: every command carries it (or a child of it). */
  traceparent?: string;
  data: EncodedData;
  steps: StepState[];
  /** The command awaited, if any. */
  inFlight: InFlightCommand | null;
  /** When the coordinator must look at the saga again (start, retry back-off, deadline); null when it waits on nobody. */
  wakeAt: number | null;
  /** The wait step the saga is at (status `waiting`): since when, and when its declared timeout outcome is taken. */
  waiting?: WaitingOn;
  /** Signals recorded by the signal intake, not yet looked at by the owner (applied or ignored on its next look). */
  pendingSignals?: SagaSignal[];
  /** Ids of the signals looked at (the newest few): the same signal again changes nothing. */
  seenSignals?: string[];
  /**
   * Fields merged into the saga's data by signals (and timeout defaults) since a participant last returned the
   * data: the next commands carry the data with these on top. Plain JSON, so merging stays a pure decision.
   */
  dataPatch?: Record<string, unknown>;
  /** Set by `mesh saga resume`; consumed by the owner's next look. */
  resumeRequestedAt?: number;
  /** Index of the step whose failure turned the saga back, when it did. */
  failedStep?: number;
  /** Whether the pivot step has succeeded (from then on the saga only goes forward). */
  pivotPassed: boolean;
  timeline: TimelineEntry[];
  /** Timeline entries dropped to keep the state bounded (the oldest after the first few). */
  timelineDropped?: number;
}

/** The wait step a saga is at. */
export interface WaitingOn {
  step: number;
  since: number;
  deadlineAt: number;
}

/** An approval or a rejection of a wait step, from saga.signals (`mesh saga signal`, `signalSaga`). */
export interface SagaSignal {
  /** The signal record's mesh-event-id: the same signal read (or sent) twice is one signal. */
  id: string;
  step: string;
  decision: 'approve' | 'reject';
  /** Merged into the saga's data when the signal is applied. */
  value?: Record<string, unknown>;
  reason?: string;
  /** When it reached Kafka: a signal that arrived after the wait's deadline is late. */
  at: number;
  /**
   * Set when it is recorded: the start of the wait on its step the saga was at then, if any. The owner applies
   * it only to that same wait, so what a signal does never depends on when the owner gets to look at it.
   */
  waitBegunAt?: number;
}

/** A participant's answer, decoded from saga.replies. */
export interface ReplyInput {
  type: 'reply';
  step: string;
  kind: CommandKind;
  attempt: number;
  outcome: 'succeeded' | 'failed';
  /** The saga's data after the step (when the participant added to it), in the command topic's encoding. */
  data?: EncodedData;
  errorKind?: StepErrorKind;
  error?: string;
  /** The reply record's mesh-event-id: a participant that handles a command twice sends the same one. */
  eventId?: string;
  /**
   * When the reply reached Kafka (its timestamp on saga.replies, the broker's append time there): whether the
   * step replied in time is judged by it, not by when the coordinator got round to reading it. Absent: now.
   */
  repliedAt?: number;
}

/** The owner looks at the saga: a timer fell due, or it was just created, or an operator asked to resume. */
export interface TickInput {
  type: 'tick';
  /**
   * Every reply that reached the saga's home partition before this time has been applied. A deadline counts
   * as passed only once this is past it too: a reply that arrived in time but is not yet read (a failover, a
   * rebalance, a store outage) must not be taken for a timeout. Absent: now.
   */
  repliesReadThrough?: number;
}

export type SagaInput = ReplyInput | TickInput;

/** Send a command (execute or compensate) to a step's topic. */
export interface CommandEffect {
  type: 'command';
  step: number;
  kind: CommandKind;
  topic: string;
  attempt: number;
  eventId: string;
  deadlineAt: number;
}

export interface FinishedEffect {
  type: 'finished';
  outcome: 'completed' | 'compensated';
  durationMs: number;
}

export interface StuckEffect {
  type: 'stuck';
  status: 'compensation_failed' | 'forward_failed';
  step: number;
  reason: string;
}

/** A reply that changed nothing: late (an attempt given up on), duplicate, or naming no step we know. */
export interface ReplyIgnoredEffect {
  type: 'reply-ignored';
  why: 'late' | 'duplicate' | 'unknown-step' | 'not-waiting';
}

/** What became of a signal the owner looked at. */
export interface SignalEffect {
  type: 'signal';
  outcome: 'applied' | 'late' | 'not-waiting';
  step: string;
}

/** A command's outcome is known (reply or deadline): its span can end. */
export interface CommandEndedEffect {
  type: 'command-ended';
  step: number;
  kind: CommandKind;
  attempt: number;
  outcome: 'succeeded' | 'failed' | 'timed_out';
  sentAt: number;
}

export type SagaEffect = CommandEffect | FinishedEffect | StuckEffect | ReplyIgnoredEffect | CommandEndedEffect | SignalEffect;

export interface TransitionResult {
  state: SagaState;
  effects: SagaEffect[];
  /** New timeline entries (also in state.timeline): they go to saga.events. */
  events: TimelineEntry[];
  /** false: nothing to write (a timer that fell due early, say). */
  changed: boolean;
}
