import { isSpanContextValid, ROOT_CONTEXT, trace, type Context, type TextMapGetter, type TextMapSetter } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { Header } from '../events/headers';
import { parseTraceparent } from './traceparent';

/** Kafka record headers as strings, the carrier of the W3C trace context between hops. */
export type StringHeaders = Record<string, string>;

const w3cPropagator = new W3CTraceContextPropagator();

const headerSetter: TextMapSetter<StringHeaders> = {
  set(carrier, key, value) {
    carrier[key] = value;
  },
};

const headerGetter: TextMapGetter<Readonly<StringHeaders>> = {
  keys(carrier) {
    return Object.keys(carrier);
  },
  get(carrier, key) {
    const exact = carrier[key];
    if (exact !== undefined) return exact;
    // Kafka header names are case-sensitive, but a foreign producer may have written `Traceparent`.
    const wanted = key.toLowerCase();
    for (const [name, value] of Object.entries(carrier)) if (name.toLowerCase() === wanted) return value;
    return undefined;
  },
};

/**
 * Writes `traceparent` (and `tracestate` when there is one) for the span in `ctx` into `headers`,
 * replacing any carried over from an earlier hop. Leaves `headers` alone when `ctx` holds no span.
 * Returns `headers` for chaining.
 */
export function injectTraceHeaders(ctx: Context, headers: StringHeaders): StringHeaders {
  const spanContext = trace.getSpanContext(ctx);
  if (!spanContext || !isSpanContextValid(spanContext)) return headers;
  delete headers[Header.traceparent];
  delete headers[Header.tracestate];
  w3cPropagator.inject(ctx, headers, headerSetter);
  return headers;
}

/**
 * The remote span context carried by `headers`, on top of `base` (the root context by default, so
 * a consumer loop's own context never becomes an event's parent by accident).
 */
export function extractTraceContext(headers: Readonly<StringHeaders>, base: Context = ROOT_CONTEXT): Context {
  return w3cPropagator.extract(base, headers, headerGetter);
}

/** The trace id in a `traceparent` header value, or undefined when absent or malformed. */
export function traceIdFromTraceparent(traceparent: string | undefined): string | undefined {
  // Lenient about case, as a foreign producer may not be.
  return parseTraceparent(traceparent?.toLowerCase())?.traceId;
}
