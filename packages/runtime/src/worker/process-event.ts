import type { Logger } from 'pino';
import type { Span } from '@opentelemetry/api';
import type { Agent, AgentContext, AgentEvent, Breaker, OutputAlternative, OutputChecks, OutputEvent } from '../agent/types';
import { InvalidOutputsError, OutputTooLargeError, type FailedOutput } from '../failure/errors';
import { firstValidOutputs } from '../validation/output-chain';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeSoon, encodeSoon, type EventCodec } from '../codec/codec';
import { SchemaRegistryAuthError, SchemaRegistryUnavailableError } from '../codec/errors';
import { backoffDelayMs } from '../resilience/backoff';
import { checkpointHandle, type CheckpointHandle } from '../checkpoint/handle';
import { StepJournal } from '../journal/step-journal';
import type { StepOptions } from '../journal/step-options';
import type { StepJournalState } from '../journal/journal-record';
import type { CheckpointStore } from '../checkpoint/store';
import { agentStateHandle, type AgentStateHandle } from '../state/handle';
import type { AgentStateStore } from '../state/store';
import type { WriteFence } from '../activity/fenced-stores';
import { Header, type Headers } from '../events/headers';
import { classifyError } from '../failure/classify';
import { decideFailure } from '../failure/decide';
import { buildFailureHeaders, describeError, type EventOrigin, type FailureRecord } from '../failure/envelope';
import type { Outcome } from '../idempotency/store';
import type { BreakerRegistry } from '../resilience/breakers';
import type { DeadlineQueue, DeadlineSignal } from '../resilience/deadline';
import type { EventOutcomeLabel, WorkerMetrics } from '../observability/metrics';
import { prepareOutputs, type PreparedOutput } from './outputs';
import { dlqTopic, retryTopic } from './topics';
import { recordBytes } from '../kafka/record-size';
import type { EventTrace, EventTracing } from './event-trace';
import type { ChaosFaults } from '../chaos/faults';
import { chaosBreaker } from '../chaos/wrappers';

/** Kafka's default message.max.bytes is 1 MiB per record batch; a record must leave room for the batch's framing. */
export const MAX_OUTPUT_RECORD_BYTES = 1_000_000;

/** A record the worker will produce once the batch is decided. */
export interface OutgoingRecord {
  topic: string;
  key: Buffer | string | null;
  value: Buffer | null;
  headers: Headers;
}

/** What became of one consumed record. */
export type EventResult =
  /**
   * Finished (processed, degraded or dead-lettered): produce `records`, then mark done. `checkpointUsed`: the
   * handler touched ctx.checkpoint in this attempt, so step state may exist to clear (most handlers never do).
   */
  | { kind: 'finished'; outcome: Outcome; records: OutgoingRecord[]; checkpointUsed?: boolean; stepsUsed?: boolean }
  /** Sent to a retry tier: produce `records`, then give up the lease. */
  | { kind: 'retry'; records: OutgoingRecord[] }
  /** Not decided (a breaker is open): leave it unconsumed and pause. */
  | { kind: 'hold'; retryAfterMs: number; reason: string };

/** A consumed record as the worker sees it before decoding. */
export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: string;
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Headers;
  eventId: string;
  attempt: number;
}

export interface EventProcessorDeps {
  agent: Agent;
  codec: EventCodec;
  breakers: BreakerRegistry;
  metrics: WorkerMetrics;
  logger: Logger;
  /** Spans, or the incoming trace passed through (see eventTracing). */
  tracing: EventTracing;
  /** The agent's handler deadlines (timeoutMs), on one timer. */
  deadlines: DeadlineQueue;
  checkpoints: CheckpointStore;
  /** Where ctx.state keeps the agent's versioned state. */
  stateStore: AgentStateStore;
  clock: () => number;
  random: () => number;
  /**
   * A dependency every event needs (the schema registry) is away: consumption pauses for `retryInMs`, and
   * readiness says why, while the event in hand waits for it instead of failing.
   */
  dependencyAway?(reason: string, retryInMs: number): void;
  /** Faults put in force by chaos commands (chaos/), only when chaos is enabled for the worker. */
  chaos?: ChaosFaults;
  /** A one-active agent's lease as its handlers' own stores check it (ctx.fence). */
  writeFence?: WriteFence;
}

/** Waits between tries of an output's encoding while the schema registry is away. */
const REGISTRY_WAIT_MS = [250, 500, 1_000, 2_000, 5_000];
/** How long consumption pauses when an input cannot be decoded because the registry is away. */
const REGISTRY_HOLD_MS = 2_000;

/**
 * Decides one event: decode, call the handler with a deadline, and turn the
 * result (or the failure) into the records to produce. It produces nothing
 * itself, so a whole batch is written in one round trip.
 */
export function processEvent(rec: ConsumedRecord, deps: EventProcessorDeps, journal?: StepJournalState): Promise<EventResult> {
  const eventTrace = deps.tracing(rec);
  return eventTrace.within(() => decide(rec, eventTrace, deps, journal));
}

function outcomeLabel(result: EventResult): EventOutcomeLabel | undefined {
  if (result.kind === 'finished') return result.outcome;
  return result.kind === 'retry' ? 'retried' : undefined;
}

// The hot path awaits only what must be waited for (the handler; a codec still fetching a schema):
// every await is a promise and a turn of the microtask queue per event.
async function decide(rec: ConsumedRecord, eventTrace: EventTrace, deps: EventProcessorDeps, journal: StepJournalState | undefined): Promise<EventResult> {
  const { agent, codec } = deps;
  const ctx = new EventContext(rec, deps, eventTrace, journal);
  let event: AgentEvent | undefined;
  const started = deps.clock();
  let handled = false;
  let result: EventResult;
  try {
    let value = decodeSoon(codec, rec.topic, rec.value);
    if (value instanceof Promise) value = await value;
    event = {
      topic: rec.topic,
      partition: rec.partition,
      offset: rec.offset,
      key: rec.key === null ? null : rec.key.toString(),
      value,
      headers: rec.headers,
      eventId: rec.eventId,
      correlationId: rec.headers[Header.correlationId] ?? rec.eventId,
      attempt: rec.attempt,
      timestamp: Number(rec.timestamp),
    };
    const current = event;
    const outputs = (await eventTrace.aroundHandler(() => deps.deadlines.run((deadline) => ctx.call(current, deadline)))) ?? [];
    deps.metrics.handlerDuration(agent.name, (deps.clock() - started) / 1000, true);
    handled = true;
    // The handler has run: outputs wait for the registry rather than the event being failed (and run again).
    let records = agent.outputs ? await checkedOutputs(current, outputs, agent.outputs, ctx, deps) : encodeOrWaitForRegistry(event, outputs, deps, ctx.logger);
    if (records instanceof Promise) records = await records;
    if (deps.logger.isLevelEnabled('debug')) ctx.logger.debug({ outputs: records.length }, 'processed');
    result = { kind: 'finished', outcome: 'processed', records, checkpointUsed: ctx.checkpointUsed, stepsUsed: ctx.stepsUsed };
  } catch (error) {
    // A handler call that failed counts as one; an output that failed after it (too large, say) does not again.
    if (event && !handled) deps.metrics.handlerDuration(agent.name, (deps.clock() - started) / 1000, false);
    result = await failed(rec, event, error, ctx, deps, handled);
  }
  // Every record this event causes continues its trace.
  if (result.kind !== 'hold') for (const r of result.records) eventTrace.stamp(r.headers, r.topic, r.key);
  eventTrace.end(outcomeLabel(result));
  return result;
}

async function failed(rec: ConsumedRecord, event: AgentEvent | undefined, error: unknown, ctx: EventContext, deps: EventProcessorDeps, handled: boolean): Promise<EventResult> {
  if (deps.breakers.blamesDependency(error)) {
    const open = deps.breakers.openBreaker();
    return { kind: 'hold', retryAfterMs: open?.retryAfterMs ?? 1_000, reason: `breaker '${open?.name ?? '?'}' is open` };
  }
  // The registry is away, not the event at fault: it waits, unconsumed, without a retry counted against it.
  // Refused credentials (SchemaRegistryAuthError) wait the same way, their message naming the configuration at fault.
  if (!handled && error instanceof SchemaRegistryUnavailableError)
    return { kind: 'hold', retryAfterMs: REGISTRY_HOLD_MS, reason: error instanceof SchemaRegistryAuthError ? error.message : `schema registry unreachable: ${error.message}` };
  const result = await failureResult(rec, event, error, deps, ctx.logger);
  return result.kind === 'finished' ? { ...result, checkpointUsed: ctx.checkpointUsed, stepsUsed: ctx.stepsUsed } : result;
}

/**
 * The handler's ctx: one object per event whose costly parts (the event's child logger, the
 * deadline's AbortSignal, the checkpoint handle, the span) are made only when the handler reads them.
 */
class EventContext implements AgentContext {
  readonly agent: string;
  readonly eventId: string;
  readonly attempt: number;
  /** The handler touched ctx.checkpoint in this attempt, so step state may exist to clear. */
  checkpointUsed = false;
  private deadline: DeadlineSignal | undefined;
  private child: Logger | undefined;
  // In an object of its own: a participant's ctx derived from this one (Object.create) shares it.
  private readonly steps: { journal?: StepJournal } = {};

  constructor(
    private readonly rec: ConsumedRecord,
    private readonly deps: EventProcessorDeps,
    private readonly eventTrace: EventTrace,
    /** The event's step journal, read by the worker with its batch's; else ctx.step reads it. */
    private readonly prefetchedJournal: StepJournalState | undefined,
  ) {
    this.agent = deps.agent.name;
    this.eventId = rec.eventId;
    this.attempt = rec.attempt;
  }

  /** An alternative of the agent's output chain, under a deadline of its own. */
  async callAlternative(alternative: OutputAlternative, event: AgentEvent, failed: readonly FailedOutput[], deadline: DeadlineSignal): Promise<OutputEvent[]> {
    this.deadline = deadline;
    return (await alternative.handle(event, this, failed)) ?? [];
  }

  call(event: AgentEvent, deadline: DeadlineSignal): ReturnType<Agent['handle']> {
    this.deadline = deadline;
    const fault = this.deps.chaos?.beforeCall({ kind: 'handler' }, deadline.signal);
    return fault ? fault.then(() => this.deps.agent.handle(event, this)) : this.deps.agent.handle(event, this);
  }

  get signal(): AbortSignal {
    if (!this.deadline) throw new Error('ctx.signal is only available while the handler runs');
    return this.deadline.signal;
  }

  // Most events log nothing: the pino child with the event's ids is made only when one does.
  get logger(): Logger {
    const { rec } = this;
    this.child ??= this.deps.logger.child({ eventId: rec.eventId, topic: rec.topic, partition: rec.partition, offset: rec.offset, attempt: rec.attempt, ...this.eventTrace.logFields });
    return this.child;
  }

  get span(): Span {
    return this.eventTrace.handlerSpan;
  }

  get checkpoint(): CheckpointHandle {
    this.checkpointUsed = true;
    return checkpointHandle(this.deps.checkpoints, this.agent, this.eventId, this.logger);
  }

  /** The handler asked for a journaled step in this attempt, so a journal may exist to clear. */
  get stepsUsed(): boolean {
    return this.steps.journal?.used ?? false;
  }

  step<T>(name: string, fn: (signal: AbortSignal) => Promise<T> | T, options?: StepOptions): Promise<T> {
    this.steps.journal ??= new StepJournal({
      store: this.deps.checkpoints,
      agent: this.agent,
      eventId: this.eventId,
      logger: () => this.logger,
      signal: () => this.signal,
      random: this.deps.random,
      prefetched: this.prefetchedJournal,
    });
    return this.steps.journal.run(name, fn, options);
  }

  get state(): AgentStateHandle {
    return agentStateHandle(this.deps.stateStore, this.agent, this.logger);
  }

  get fence(): WriteFence | undefined {
    return this.deps.writeFence;
  }

  breaker(name: string): Breaker {
    const breaker = this.deps.breakers.forCall(name, this.signal);
    return this.deps.chaos ? chaosBreaker(breaker, name, this.deps.chaos) : breaker;
  }

  encode(topic: string, value: unknown): Promise<Buffer> {
    return this.deps.codec.encode(topic, value);
  }
}

/** The handler's outputs if they pass the agent's declared checks, else the first alternative's that do (validation/output-chain.ts). */
function checkedOutputs(event: AgentEvent, outputs: readonly OutputEvent[], checks: OutputChecks, ctx: EventContext, deps: EventProcessorDeps): Promise<OutgoingRecord[]> {
  return firstValidOutputs(outputs, checks, event, {
    encode: async (candidate) => encodeOrWaitForRegistry(event, candidate, deps, ctx.logger),
    run: (alternative, failed) => deps.deadlines.run((deadline) => ctx.callAlternative(alternative, event, failed, deadline)),
    count: (by, result) => deps.metrics.outputAttempt(deps.agent.name, by, result),
  });
}

/** The outputs encoded: at once when the codec can, else (a schema still to fetch) from the first that cannot. */
function encodeOutputs(event: AgentEvent, outputs: readonly OutputEvent[], deps: EventProcessorDeps, extra?: Headers): OutgoingRecord[] | Promise<OutgoingRecord[]> {
  const prepared = prepareOutputs(event, outputs, deps.agent.name, extra);
  const records = new Array<OutgoingRecord>(prepared.length);
  const { codec } = deps;
  for (let i = 0; i < prepared.length; i++) {
    const o = prepared[i]!;
    const value = encodeSoon(codec, o.topic, o.value);
    if (value instanceof Promise) return encodeRest(prepared, records, i, value, codec);
    records[i] = checkedRecord(o, value);
  }
  return records;
}

async function encodeRest(prepared: readonly PreparedOutput[], records: OutgoingRecord[], from: number, first: Promise<Buffer>, codec: EventCodec): Promise<OutgoingRecord[]> {
  records[from] = checkedRecord(prepared[from]!, await first);
  for (let i = from + 1; i < prepared.length; i++) records[i] = checkedRecord(prepared[i]!, await codec.encode(prepared[i]!.topic, prepared[i]!.value));
  return records;
}

/**
 * The outputs encoded (at once when the codec can), or, while the schema registry is away, once it answers
 * again; any other encoding failure is thrown.
 */
function encodeOrWaitForRegistry(event: AgentEvent, outputs: readonly OutputEvent[], deps: EventProcessorDeps, log: Logger, extra?: Headers): OutgoingRecord[] | Promise<OutgoingRecord[]> {
  const waitIfAway = (error: unknown): Promise<OutgoingRecord[]> => {
    if (!(error instanceof SchemaRegistryUnavailableError)) throw error;
    return encodeOnceRegistryAnswers(event, outputs, deps, log, error, extra);
  };
  try {
    const records = encodeOutputs(event, outputs, deps, extra);
    return records instanceof Promise ? records.catch(waitIfAway) : records;
  } catch (error) {
    return waitIfAway(error);
  }
}

/** Encodes outputs once the schema registry answers again, pausing consumption meanwhile. */
async function encodeOnceRegistryAnswers(
  event: AgentEvent,
  outputs: readonly OutputEvent[],
  deps: EventProcessorDeps,
  log: Logger,
  first: SchemaRegistryUnavailableError,
  extra?: Headers,
): Promise<OutgoingRecord[]> {
  let error = first;
  for (let attempt = 1; ; attempt++) {
    const waitMs = backoffDelayMs(REGISTRY_WAIT_MS, attempt, 0.2, deps.random());
    deps.dependencyAway?.(`schema registry unreachable: ${error.message}`, waitMs);
    if (attempt === 1) log.warn({ error: error.message }, 'schema registry unreachable: the outputs wait for it');
    await sleep(waitMs);
    try {
      const records = await encodeOutputs(event, outputs, deps, extra);
      log.info({ attempts: attempt + 1 }, 'schema registry answers again: outputs encoded');
      return records;
    } catch (next) {
      if (!(next instanceof SchemaRegistryUnavailableError)) throw next;
      error = next;
    }
  }
}

function checkedRecord(output: PreparedOutput, value: Buffer): OutgoingRecord {
  const record = { topic: output.topic, key: output.key, value, headers: output.headers };
  // Refused here, as this event's own permanent failure, rather than by the broker for the whole batch.
  const bytes = recordBytes(record);
  if (bytes > MAX_OUTPUT_RECORD_BYTES) throw new OutputTooLargeError(output.topic, bytes, MAX_OUTPUT_RECORD_BYTES);
  return record;
}

/** One history entry per candidate output that failed the agent's checks, with what it answered. */
function candidateRecords(error: InvalidOutputsError, attempt: number, agent: string, at: number): FailureRecord[] {
  return error.failures.map((f) => ({
    attempt,
    at,
    kind: 'invalid-output',
    errorClass: 'InvalidOutput',
    message: f.problem.slice(0, 500),
    agent,
    by: f.by,
    ...(f.output !== undefined ? { output: f.output } : {}),
  }));
}

async function failureResult(rec: ConsumedRecord, event: AgentEvent | undefined, error: unknown, deps: EventProcessorDeps, log: Logger): Promise<EventResult> {
  const { agent } = deps;
  const kind = classifyError(error, agent.classify);
  const canDegrade = !agent.critical && agent.fallback !== undefined && event !== undefined;
  const decision = decideFailure({ kind, attempt: rec.attempt, policy: agent.retry, canDegrade, random: deps.random() });
  const now = deps.clock();
  const described = describeError(error);
  const consumedFrom: EventOrigin = { topic: rec.topic, partition: rec.partition, offset: rec.offset, timestamp: rec.timestamp };
  const candidates = error instanceof InvalidOutputsError ? candidateRecords(error, rec.attempt, agent.name, now) : undefined;
  const base = { incoming: rec.headers, agent: agent.name, attempt: rec.attempt, kind, error: described, consumedFrom, now, ...(candidates ? { candidates } : {}) };

  if (decision.action === 'retry') {
    const dueAt = now + decision.delayMs;
    deps.metrics.retryScheduled(agent.name, decision.tier);
    log.info({ kind, tier: decision.tier, dueAt, error: described.message }, 'retry scheduled');
    return { kind: 'retry', records: [{ topic: retryTopic(agent.name, decision.tier), key: rec.key, value: rec.value, headers: buildFailureHeaders({ ...base, dueAt }) }] };
  }

  const failureHeaders = buildFailureHeaders(base);
  if (decision.action === 'degrade' && event && agent.fallback) {
    try {
      const outputs = await agent.fallback(event, { kind, reason: decision.reason, error });
      const degradedHeaders = { [Header.degraded]: 'true', [Header.degradedReason]: `${decision.reason}: ${described.message}`.slice(0, 500) };
      const records = await encodeOrWaitForRegistry(event, outputs, deps, log, degradedHeaders);
      log.warn({ kind, reason: decision.reason, error: described.message, outputs: records.length }, 'degraded: fallback output emitted');
      return { kind: 'finished', outcome: 'degraded', records };
    } catch (fallbackError) {
      // A failing fallback must not lose the event: it goes to the DLQ with both stories.
      log.error({ error: describeError(fallbackError).message }, 'fallback failed; dead-lettering');
    }
  }
  const reason = decision.reason;
  deps.metrics.deadLettered(agent.name, kind);
  log.warn({ kind, reason, error: described.message }, 'dead-lettered');
  return { kind: 'finished', outcome: 'dead-lettered', records: [{ topic: dlqTopic(agent.name), key: rec.key, value: rec.value, headers: failureHeaders }] };
}
