import {
  defineAgent,
  Header,
  PermanentError,
  type Agent,
  type AgentContext,
  type AgentEvent,
  type BreakerOptions,
  type ErrorClassifier,
  type FallbackReason,
  type OutputEvent,
  type RetryPolicy,
} from '@agentmesh/runtime';
import { readCommandEnvelope, wireErrorKind, wireKind, type SagaCommandEnvelope, type SagaReplyRecord } from '../protocol/messages';
import { SAGA_REPLIES_TOPIC } from '../protocol/topics';

/** A saga command as a participant's handler sees it: the saga's data and its envelope. */
export interface SagaCommand<Data> extends SagaCommandEnvelope {
  data: Data;
  event: AgentEvent<Data>;
}

/**
 * Handles one command topic. For an execute command, the fields returned are
 * added to the saga's data (and flow to the later steps); throw
 * PermanentError for a failure that retrying will not fix.
 */
export type SagaCommandHandler<Data> = (command: SagaCommand<Data>, ctx: AgentContext) => Promise<Partial<Data> | void> | Partial<Data> | void;

export interface SagaParticipantDefinition<Data> {
  /** The agent's name: its consumer group and topic prefix. */
  name: string;
  /** A handler per command topic (a step's command or its compensation). */
  on: Record<string, SagaCommandHandler<Data>>;
  /**
   * The participant's own retries of a transient failure before it answers FAILED. Default: none (one attempt):
   * the coordinator owns step retries, so one policy, the saga's, decides.
   */
  retry?: Partial<RetryPolicy>;
  timeoutMs?: number;
  concurrency?: number;
  classify?: ErrorClassifier;
  breakers?: Record<string, BreakerOptions>;
}

function reply(envelope: SagaCommandEnvelope, fields: Pick<SagaReplyRecord, 'outcome' | 'data' | 'errorKind' | 'error'>): OutputEvent<SagaReplyRecord> {
  return {
    topic: SAGA_REPLIES_TOPIC,
    key: envelope.sagaId,
    value: { sagaId: envelope.sagaId, sagaType: envelope.sagaType, step: envelope.step, kind: wireKind(envelope.kind), attempt: envelope.attempt, repliedAt: Date.now(), ...fields },
    headers: { [Header.sagaId]: envelope.sagaId, [Header.sagaStep]: envelope.step, ...(envelope.coordinator !== undefined ? { [Header.sagaCoordinator]: envelope.coordinator } : {}) },
  };
}

/** An execute command read after the coordinator's deadline for it: not run (the coordinator has moved on). */
export class CommandExpiredError extends Error {
  // Classified as a timeout by the runtime, so the reply says TIMEOUT and the coordinator may retry the step.
  override readonly name = 'TimeoutError';
  constructor(readonly lateByMs: number) {
    super(`the coordinator's deadline for this command passed ${lateByMs} ms before it was read; not run`);
  }
}

/**
 * ctx with a signal that also aborts at the command's deadline: work past it is work the coordinator no
 * longer waits for. Made when the handler first reads it (most never do).
 */
function withCommandDeadline(ctx: AgentContext, deadlineAt: number): AgentContext {
  if (!(deadlineAt > 0) || deadlineAt <= Date.now()) return ctx;
  let signal: AbortSignal | undefined;
  const combined = () => (signal ??= AbortSignal.any([ctx.signal, AbortSignal.timeout(Math.max(0, deadlineAt - Date.now()))]));
  return Object.create(ctx, { signal: { get: combined, enumerable: true } }) as AgentContext;
}

function envelopeOf(event: AgentEvent<unknown>): SagaCommandEnvelope {
  const envelope = readCommandEnvelope(event.headers);
  if (!envelope) throw new PermanentError(`${event.topic}@${event.offset} is not a saga command: it lacks the mesh-saga-* headers`);
  return envelope;
}

/**
 * A saga participant: an ordinary agent that runs the handler of the command's
 * topic and answers on saga.replies, SUCCEEDED (with the saga's data, added
 * to) or FAILED (with the error and its kind). Its effects are once per
 * command: the runtime's idempotency store drops a command re-sent with the
 * same event id (a coordinator crash), and outputs keep derived ids.
 */
export function sagaParticipant<Data extends object = Record<string, unknown>>(def: SagaParticipantDefinition<Data>): Agent<Data, SagaReplyRecord> {
  const topics = Object.keys(def.on ?? {});
  return defineAgent<Data, SagaReplyRecord>({
    name: def.name,
    consumes: topics,
    produces: [SAGA_REPLIES_TOPIC],
    // A participant that gives up answers FAILED (its fallback) instead of dead-lettering: the saga must hear of it.
    critical: false,
    retry: { maxAttempts: 1, ...def.retry },
    timeoutMs: def.timeoutMs,
    concurrency: def.concurrency,
    classify: def.classify,
    breakers: def.breakers,
    async handle(event, ctx) {
      const envelope = envelopeOf(event);
      const handler = def.on[event.topic];
      if (!handler) throw new PermanentError(`participant '${def.name}' has no handler for ${event.topic}`);
      const lateByMs = envelope.deadlineAt > 0 ? Date.now() - envelope.deadlineAt : 0;
      // A compensation is run however late (undoing is owed); a step the coordinator gave up on is not started.
      if (envelope.kind === 'execute' && lateByMs > 0) throw new CommandExpiredError(lateByMs);
      const added = await handler({ ...envelope, data: event.value, event }, withCommandDeadline(ctx, envelope.deadlineAt));
      let data: Buffer | null = null;
      if (envelope.kind === 'execute' && added && Object.keys(added).length > 0) {
        data = await ctx.encode(event.topic, { ...event.value, ...added });
      }
      return [reply(envelope, { outcome: 'SUCCEEDED', data, errorKind: null, error: null })];
    },
    fallback(event: AgentEvent<Data>, why: FallbackReason) {
      const envelope = envelopeOf(event);
      const message = why.error instanceof Error ? `${why.error.name}: ${why.error.message}` : String(why.error);
      const kind = why.kind === 'permanent' || why.kind === 'invalid-input' || why.kind === 'invalid-output' ? 'permanent' : why.kind === 'timeout' ? 'timeout' : 'transient';
      return [reply(envelope, { outcome: 'FAILED', data: null, errorKind: wireErrorKind(kind), error: message.slice(0, 2000) })];
    },
  });
}
