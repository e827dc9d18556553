import { context as otelContext, INVALID_SPAN_CONTEXT, trace, type Context, type Span, type Tracer } from '@opentelemetry/api';
import { Header, type Headers } from '../events/headers';
import type { EventOutcomeLabel } from '../observability/metrics';
import { endSpan, startConsumeSpan, startHandleSpan, startProduceSpan } from '../observability/spans';
import { isRecording } from '../observability/tracing-setup';
import { newTraceparent, parseTraceparent, type Traceparent } from '../observability/traceparent';

/** What the worker needs of a record to trace it. */
export interface TracedRecord {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  headers: Headers;
  eventId: string;
  attempt: number;
}

/**
 * How the worker traces one event: around its processing, around the handler call, and onto every
 * record the event causes. Two kinds, chosen once per worker by `eventTracing`.
 */
export interface EventTrace {
  /** Runs the event's processing (decode, handler, failure handling) inside its trace. */
  within<T>(run: () => Promise<T>): Promise<T>;
  /** Runs the handler call, with the handle span active when spans are recorded. */
  aroundHandler<T>(run: () => Promise<T>): Promise<T>;
  /** The span handed to the handler as ctx.span. */
  readonly handlerSpan: Span;
  /** Writes the trace context onto a record this event causes (a send span when recording). */
  stamp(headers: Headers, topic: string, key: Buffer | string | null): void;
  end(outcome: EventOutcomeLabel | undefined): void;
  /** Trace fields the event's log lines need besides what the logger finds in the active span. */
  readonly logFields: { traceId?: string };
}

export type EventTracing = (record: TracedRecord) => EventTrace;

/**
 * Recording spans when `isRecording(tracer)` (an exporter is configured); otherwise no spans at all:
 * the incoming trace context is passed through as W3C asks of a participant that does not trace, so
 * the same traceparent goes onward and the next process that does export links to the last span
 * anyone exported. Spans, contexts and ids per event are a cost worth paying only when kept.
 */
export function eventTracing(tracer: Tracer, agent: string): EventTracing {
  if (!isRecording(tracer)) return (record) => new PassThroughTrace(record.headers);
  return (record) => new RecordingTrace(tracer, agent, record);
}

class PassThroughTrace implements EventTrace {
  private readonly traceparent: Traceparent;
  private readonly tracestate: string | undefined;
  private span: Span | undefined;

  constructor(headers: Headers) {
    // An event that comes with no (valid) trace starts one, as a tracing publisher would have.
    const incoming = parseTraceparent(headers[Header.traceparent] ?? findHeader(headers, Header.traceparent));
    this.traceparent = incoming ?? newTraceparent();
    this.tracestate = incoming ? headers[Header.tracestate] : undefined;
  }

  within<T>(run: () => Promise<T>): Promise<T> {
    return run();
  }

  aroundHandler<T>(run: () => Promise<T>): Promise<T> {
    return run();
  }

  get handlerSpan(): Span {
    this.span ??= trace.wrapSpanContext(this.traceparent.spanContext ?? INVALID_SPAN_CONTEXT);
    return this.span;
  }

  stamp(headers: Headers): void {
    headers[Header.traceparent] = this.traceparent.header;
    if (this.tracestate !== undefined) headers[Header.tracestate] = this.tracestate;
    else delete headers[Header.tracestate];
  }

  end(): void {
    // Nothing was started.
  }

  get logFields(): { traceId?: string } {
    return { traceId: this.traceparent.traceId };
  }
}

class RecordingTrace implements EventTrace {
  private readonly consume: { span: Span; context: Context };
  private readonly eventId: string;
  private readonly attempt: number;
  private handle: { span: Span; context: Context } | undefined;
  // The logger's mixin reads the ids of the active (recording) span.
  readonly logFields = {};

  constructor(
    private readonly tracer: Tracer,
    private readonly agent: string,
    record: TracedRecord,
  ) {
    this.consume = startConsumeSpan(tracer, {
      agent,
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
      eventId: record.eventId,
      headers: record.headers,
      attempt: record.attempt,
      key: record.key?.toString() ?? null,
    });
    this.eventId = record.eventId;
    this.attempt = record.attempt;
  }

  within<T>(run: () => Promise<T>): Promise<T> {
    return otelContext.with(this.consume.context, run);
  }

  async aroundHandler<T>(run: () => Promise<T>): Promise<T> {
    const handle = startHandleSpan(this.tracer, this.consume.context, { agent: this.agent, eventId: this.eventId, attempt: this.attempt });
    this.handle = handle;
    try {
      const result = await otelContext.with(handle.context, run);
      endSpan(handle.span);
      return result;
    } catch (error) {
      endSpan(handle.span, { error });
      throw error;
    }
  }

  get handlerSpan(): Span {
    return this.handle?.span ?? trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
  }

  stamp(headers: Headers, topic: string, key: Buffer | string | null): void {
    // The next hop's consume span becomes a child of this send span through the headers.
    const send = startProduceSpan(this.tracer, this.consume.context, { agent: this.agent, topic, eventId: headers[Header.eventId], key: key?.toString() ?? null, headers });
    send.span.end();
  }

  end(outcome: EventOutcomeLabel | undefined): void {
    endSpan(this.consume.span, outcome ? { outcome } : {});
  }
}

/** A header by case-insensitive name: a foreign producer may have written `Traceparent`. */
function findHeader(headers: Headers, name: string): string | undefined {
  for (const key in headers) if (key.length === name.length && key.toLowerCase() === name) return headers[key];
  return undefined;
}
