import type { Logger } from 'pino';
import { context as otelContext, type Context, type Tracer } from '@opentelemetry/api';
import type { Agent, AgentEvent, OutputEvent } from '../agent/types';
import type { EventCodec } from '../codec/codec';
import { checkpointHandle } from '../checkpoint/handle';
import type { CheckpointStore } from '../checkpoint/store';
import { Header, type Headers } from '../events/headers';
import { classifyError } from '../failure/classify';
import { decideFailure } from '../failure/decide';
import { buildFailureHeaders, describeError, type EventOrigin } from '../failure/envelope';
import type { Outcome } from '../idempotency/store';
import type { BreakerRegistry } from '../resilience/breakers';
import { withDeadline } from '../resilience/deadline';
import type { EventOutcomeLabel, WorkerMetrics } from '../observability/metrics';
import { endSpan, startConsumeSpan, startHandleSpan, startProduceSpan } from '../observability/tracing';
import { prepareOutputs } from './outputs';
import { dlqTopic, retryTopic } from './topics';

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
  | { kind: 'finished'; outcome: Outcome; records: OutgoingRecord[]; checkpointUsed?: boolean }
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
  tracer: Tracer;
  checkpoints: CheckpointStore;
  clock: () => number;
  random: () => number;
}

/**
 * Decides one event: decode, call the handler with a deadline, and turn the
 * result (or the failure) into the records to produce. It produces nothing
 * itself, so a whole batch is written in one round trip.
 */
export async function processEvent(rec: ConsumedRecord, deps: EventProcessorDeps): Promise<EventResult> {
  const consume = startConsumeSpan(deps.tracer, {
    agent: deps.agent.name,
    topic: rec.topic,
    partition: rec.partition,
    offset: rec.offset,
    eventId: rec.eventId,
    headers: rec.headers,
    attempt: rec.attempt,
    key: rec.key?.toString() ?? null,
  });
  const result = await otelContext.with(consume.context, () => decide(rec, consume.context, deps));
  // Every record this event causes continues its trace: the next hop's consume span is a child of our send span.
  if (result.kind !== 'hold') {
    for (const r of result.records) {
      const send = startProduceSpan(deps.tracer, consume.context, { agent: deps.agent.name, topic: r.topic, eventId: r.headers[Header.eventId], key: r.key?.toString() ?? null, headers: r.headers });
      send.span.end();
    }
  }
  endSpan(consume.span, { outcome: outcomeLabel(result) });
  return result;
}

function outcomeLabel(result: EventResult): EventOutcomeLabel | undefined {
  if (result.kind === 'finished') return result.outcome;
  return result.kind === 'retry' ? 'retried' : undefined;
}

async function decide(rec: ConsumedRecord, traceContext: Context, deps: EventProcessorDeps): Promise<EventResult> {
  const { agent, codec } = deps;
  // The event's child logger is made only when something is logged: most events log nothing,
  // and a pino child per event was ~15% of the mesh's CPU in the pipeline benchmark.
  let child: Logger | undefined;
  let checkpointUsed = false;
  const log = (): Logger => (child ??= deps.logger.child({ eventId: rec.eventId, topic: rec.topic, partition: rec.partition, offset: rec.offset, attempt: rec.attempt }));
  let event: AgentEvent | undefined;
  const started = deps.clock();
  try {
    const value = await codec.decode(rec.topic, rec.value);
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
    const handleSpan = startHandleSpan(deps.tracer, traceContext, { agent: agent.name, eventId: rec.eventId, attempt: rec.attempt });
    let outputs: readonly OutputEvent[];
    try {
      outputs = await otelContext.with(handleSpan.context, () =>
        withDeadline(agent.timeoutMs, async (signal) => {
          const result = await agent.handle(current, {
            agent: agent.name,
            eventId: rec.eventId,
            attempt: rec.attempt,
            signal,
            get logger() {
              return log();
            },
            span: handleSpan.span,
            get checkpoint() {
              checkpointUsed = true;
              return checkpointHandle(deps.checkpoints, agent.name, rec.eventId, log());
            },
            breaker: (name) => deps.breakers.forCall(name, signal),
            encode: (topic, value) => codec.encode(topic, value),
          });
          return result ?? [];
        }),
      );
      endSpan(handleSpan.span);
    } catch (err) {
      endSpan(handleSpan.span, { error: err });
      throw err;
    }
    deps.metrics.handlerDuration(agent.name, (deps.clock() - started) / 1000, true);
    const records = await encodeOutputs(event, outputs, deps, {});
    if (deps.logger.isLevelEnabled('debug')) log().debug({ outputs: records.length }, 'processed');
    return { kind: 'finished', outcome: 'processed', records, checkpointUsed };
  } catch (error) {
    if (event) deps.metrics.handlerDuration(agent.name, (deps.clock() - started) / 1000, false);
    if (deps.breakers.blamesDependency(error)) {
      const open = deps.breakers.openBreaker();
      return { kind: 'hold', retryAfterMs: open?.retryAfterMs ?? 1_000, reason: `breaker '${open?.name ?? '?'}' is open` };
    }
    const result = await failureResult(rec, event, error, deps, log());
    return result.kind === 'finished' ? { ...result, checkpointUsed } : result;
  }
}

async function encodeOutputs(event: AgentEvent, outputs: readonly OutputEvent[], deps: EventProcessorDeps, extra: Headers): Promise<OutgoingRecord[]> {
  const prepared = prepareOutputs(event, outputs, deps.agent.name, extra);
  return Promise.all(prepared.map(async (o) => ({ topic: o.topic, key: o.key, value: await deps.codec.encode(o.topic, o.value), headers: o.headers })));
}

async function failureResult(rec: ConsumedRecord, event: AgentEvent | undefined, error: unknown, deps: EventProcessorDeps, log: Logger): Promise<EventResult> {
  const { agent } = deps;
  const kind = classifyError(error, agent.classify);
  const canDegrade = !agent.critical && agent.fallback !== undefined && event !== undefined;
  const decision = decideFailure({ kind, attempt: rec.attempt, policy: agent.retry, canDegrade, random: deps.random() });
  const now = deps.clock();
  const described = describeError(error);
  const consumedFrom: EventOrigin = { topic: rec.topic, partition: rec.partition, offset: rec.offset, timestamp: rec.timestamp };
  const base = { incoming: rec.headers, agent: agent.name, attempt: rec.attempt, kind, error: described, consumedFrom, now };

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
      const records = await encodeOutputs(event, outputs, deps, { [Header.degraded]: 'true', [Header.degradedReason]: `${decision.reason}: ${described.message}`.slice(0, 500) });
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
