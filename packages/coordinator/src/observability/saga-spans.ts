import { SpanKind, SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import { Header, type Headers } from '@agentmesh/runtime';
import { extractTraceContext, injectTraceHeaders } from '@agentmesh/runtime/internal';
import type { CommandKind, SagaState } from '../saga/state';

export const SagaAttribute = {
  sagaId: 'mesh.saga.id',
  sagaType: 'mesh.saga.type',
  step: 'mesh.saga.step',
  kind: 'mesh.saga.kind',
  attempt: 'mesh.saga.attempt',
  outcome: 'mesh.saga.outcome',
} as const;

const MAX_OPEN_SPANS = 50_000;

function contextOf(traceparent: string | undefined) {
  return extractTraceContext(traceparent ? { [Header.traceparent]: traceparent } : {});
}

/**
 * The saga's root span, a child of the trigger's trace: returns its
 * traceparent, which every command of the saga carries (under a step span).
 * The span ends at once: whichever instance finishes the saga may not be the
 * one that started it, so the whole saga is a later span of its own.
 */
export function startSagaTrace(tracer: Tracer, sagaType: string, sagaId: string, triggerHeaders: Readonly<Headers>, now: number): string | undefined {
  const parent = extractTraceContext(triggerHeaders);
  const span = tracer.startSpan(`saga ${sagaType}`, { kind: SpanKind.INTERNAL, startTime: now, attributes: { [SagaAttribute.sagaId]: sagaId, [SagaAttribute.sagaType]: sagaType } }, parent);
  const headers = injectTraceHeaders(trace.setSpan(parent, span), {});
  span.end(now);
  return headers[Header.traceparent];
}

/**
 * Spans per command (step or compensation), children of the saga's root: opened
 * when the command is sent, closed when its reply or deadline comes. A command
 * sent by another instance (before a takeover) gets its span after the fact.
 */
export class SagaSpans {
  private readonly open = new Map<string, Span>();

  constructor(private readonly tracer: Tracer) {}

  /** Opens the command's span and returns the traceparent the command carries. */
  commandSent(state: SagaState, step: string, kind: CommandKind, attempt: number, eventId: string, now: number): string | undefined {
    const parent = contextOf(state.traceparent);
    const span = this.tracer.startSpan(
      `saga.${kind === 'execute' ? 'step' : 'compensate'} ${step}`,
      {
        kind: SpanKind.PRODUCER,
        startTime: now,
        attributes: { [SagaAttribute.sagaId]: state.id, [SagaAttribute.sagaType]: state.type, [SagaAttribute.step]: step, [SagaAttribute.kind]: kind, [SagaAttribute.attempt]: attempt },
      },
      parent,
    );
    this.open.get(eventId)?.end(now);
    this.open.delete(eventId);
    this.open.set(eventId, span);
    // A command whose reply another instance handled (after a rebalance) never ends here: bound what is kept.
    if (this.open.size > MAX_OPEN_SPANS) {
      const [oldestId, oldest] = this.open.entries().next().value as [string, Span];
      oldest.setAttribute(SagaAttribute.outcome, 'handed-over');
      oldest.end(now);
      this.open.delete(oldestId);
    }
    return injectTraceHeaders(trace.setSpan(parent, span), {})[Header.traceparent];
  }

  commandEnded(state: SagaState, step: string, kind: CommandKind, attempt: number, eventId: string, sentAt: number, outcome: string, now: number): void {
    let span = this.open.get(eventId);
    this.open.delete(eventId);
    if (!span) {
      span = this.tracer.startSpan(
        `saga.${kind === 'execute' ? 'step' : 'compensate'} ${step}`,
        {
          kind: SpanKind.PRODUCER,
          startTime: sentAt,
          attributes: { [SagaAttribute.sagaId]: state.id, [SagaAttribute.sagaType]: state.type, [SagaAttribute.step]: step, [SagaAttribute.kind]: kind, [SagaAttribute.attempt]: attempt },
        },
        contextOf(state.traceparent),
      );
    }
    span.setAttribute(SagaAttribute.outcome, outcome);
    if (outcome !== 'succeeded') span.setStatus({ code: SpanStatusCode.ERROR, message: `${kind} ${outcome}` });
    span.end(now);
  }

  /** The whole saga, from trigger to its end, as one span under the root. */
  sagaEnded(state: SagaState, outcome: string, now: number): void {
    const span = this.tracer.startSpan(
      `saga ${state.type} ${outcome}`,
      { kind: SpanKind.INTERNAL, startTime: state.startedAt, attributes: { [SagaAttribute.sagaId]: state.id, [SagaAttribute.sagaType]: state.type, [SagaAttribute.outcome]: outcome } },
      contextOf(state.traceparent),
    );
    if (outcome !== 'completed') span.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
    span.end(now);
  }

  /** Ends spans of commands still awaited (the process is stopping; another instance will finish them). */
  closeAll(now: number): void {
    for (const span of this.open.values()) {
      span.setAttribute(SagaAttribute.outcome, 'handed-over');
      span.end(now);
    }
    this.open.clear();
  }
}
