import { context, ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { Header } from '../src/events/headers';
import { startObservabilityServer, type ObservabilityServer } from '../src/observability/http-server';
import { createLogger, eventLogFields, redactUrl } from '../src/observability/logger';
import { extractTraceContext, injectTraceHeaders } from '../src/observability/propagation';
import { PrometheusWorkerMetrics } from '../src/observability/prometheus-metrics';
import type { ReadinessChecks } from '../src/observability/readiness';
import { endSpan, startConsumeSpan, startHandleSpan, startProduceSpan } from '../src/observability/spans';
import { setupTracing, type Tracing } from '../src/observability/tracing-setup';

// ------------------------------------------------------------------------------------------------
// Prometheus text parsing, enough for our own exposition.
// ------------------------------------------------------------------------------------------------
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) throw new Error(`unparseable exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]!] = pair[2]!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

function sampleValue(samples: Sample[], name: string, labels: Record<string, string>): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

// ------------------------------------------------------------------------------------------------
describe('observability HTTP server', () => {
  let metrics: PrometheusWorkerMetrics;
  let server: ObservabilityServer;
  const dependency = { groupJoined: true, redisUp: true };

  beforeAll(async () => {
    metrics = new PrometheusWorkerMetrics();
    const checks: ReadinessChecks = {
      group: () => (dependency.groupJoined ? { ok: true } : { ok: false, detail: 'not joined' }),
      redis: async () => {
        if (!dependency.redisUp) throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
        return true;
      },
      brokers: async () => ({ ok: true }),
    };
    server = await startObservabilityServer({ registry: metrics.registry, readiness: checks });
  });

  afterAll(async () => {
    await server.stop();
  });

  it('binds loopback on a free port by default', () => {
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
  });

  it('exposes the worker counters on /metrics in Prometheus text format', async () => {
    metrics.eventOutcome('ocr', 'processed');
    metrics.eventOutcome('ocr', 'processed', 2);
    metrics.eventOutcome('ocr', 'retried');
    metrics.handlerDuration('ocr', 0.2, true);
    metrics.handlerDuration('ocr', 3, false);
    metrics.retryScheduled('ocr', 1);
    metrics.retryScheduled('ocr', 1);
    metrics.deadLettered('ocr', 'invalid-input');
    metrics.breakerState('ocr', 'llm', 'open');
    metrics.consumerLag('ocr', 'invoices.received', 3, 42);

    const response = await fetch(`${server.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const samples = parseExposition(await response.text());

    expect(sampleValue(samples, 'mesh_events_total', { agent: 'ocr', outcome: 'processed' })).toBe(3);
    expect(sampleValue(samples, 'mesh_events_total', { agent: 'ocr', outcome: 'retried' })).toBe(1);
    expect(sampleValue(samples, 'mesh_handler_duration_seconds_count', { agent: 'ocr', result: 'ok' })).toBe(1);
    expect(sampleValue(samples, 'mesh_handler_duration_seconds_count', { agent: 'ocr', result: 'error' })).toBe(1);
    expect(sampleValue(samples, 'mesh_handler_duration_seconds_bucket', { agent: 'ocr', result: 'ok', le: '0.25' })).toBe(1);
    expect(sampleValue(samples, 'mesh_handler_duration_seconds_bucket', { agent: 'ocr', result: 'ok', le: '0.1' })).toBe(0);
    expect(sampleValue(samples, 'mesh_retries_total', { agent: 'ocr', tier: '1' })).toBe(2);
    expect(sampleValue(samples, 'mesh_dlq_writes_total', { agent: 'ocr', kind: 'invalid-input' })).toBe(1);
    expect(sampleValue(samples, 'mesh_breaker_state', { agent: 'ocr', breaker: 'llm' })).toBe(2);
    expect(sampleValue(samples, 'mesh_consumer_lag', { agent: 'ocr', topic: 'invoices.received', partition: '3' })).toBe(42);
    // Default process metrics are collected into the same dedicated registry.
    expect(samples.some((s) => s.name === 'process_cpu_user_seconds_total')).toBe(true);
  });

  it('keeps two workers in one process apart (dedicated registries)', async () => {
    const other = new PrometheusWorkerMetrics();
    other.eventOutcome('validation', 'duplicate');
    const otherSamples = parseExposition(await other.exposition());
    expect(sampleValue(otherSamples, 'mesh_events_total', { agent: 'validation', outcome: 'duplicate' })).toBe(1);
    expect(sampleValue(otherSamples, 'mesh_events_total', { agent: 'ocr' })).toBeUndefined();
  });

  it('answers /health with 200 while alive', async () => {
    const response = await fetch(`${server.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('answers /ready 200 when every check passes and 503 with per-check detail otherwise', async () => {
    const ready = await fetch(`${server.url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true, checks: { group: { ok: true }, redis: { ok: true }, brokers: { ok: true } } });

    dependency.groupJoined = false;
    dependency.redisUp = false;
    try {
      const notReady = await fetch(`${server.url}/ready`);
      expect(notReady.status).toBe(503);
      expect(await notReady.json()).toEqual({
        ready: false,
        checks: {
          group: { ok: false, detail: 'not joined' },
          redis: { ok: false, detail: 'connect ECONNREFUSED 127.0.0.1:6379' },
          brokers: { ok: true },
        },
      });
    } finally {
      dependency.groupJoined = true;
      dependency.redisUp = true;
    }
  });

  it('answers 404 for unknown paths and 405 for other methods, and keeps serving', async () => {
    expect((await fetch(`${server.url}/nope`)).status).toBe(404);
    expect((await fetch(`${server.url}/`)).status).toBe(404);
    const post = await fetch(`${server.url}/metrics`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET');
    expect((await fetch(`${server.url}/ready`, { method: 'DELETE' })).status).toBe(405);
    // A query string does not change the route.
    expect((await fetch(`${server.url}/health?verbose=1`)).status).toBe(200);
  });

  it('survives malformed HTTP', async () => {
    const { connect } = await import('node:net');
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(server.port, '127.0.0.1', () => socket.write('NOT HTTP AT ALL\r\n\r\n'));
      let data = '';
      socket.on('data', (chunk) => (data += chunk.toString()));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });
});

describe('readiness bounds', () => {
  it('counts a hanging check as failed once its timeout passes', async () => {
    let hungCheckSignal: AbortSignal | undefined;
    const server = await startObservabilityServer({
      registry: new PrometheusWorkerMetrics({ collectProcessMetrics: false }).registry,
      readinessTimeoutMs: 200,
      readiness: {
        group: () => true,
        redis: (signal) => {
          hungCheckSignal = signal;
          return new Promise<boolean>(() => {}); // never settles, like a PING into a black hole
        },
      },
    });
    try {
      const response = await fetch(`${server.url}/ready`);
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({
        ready: false,
        checks: { group: { ok: true }, redis: { ok: false, detail: 'timed out after 200 ms' } },
      });
      // The check was told to give up, so it can cancel its I/O.
      expect(hungCheckSignal?.aborted).toBe(true);
    } finally {
      await server.stop();
    }
  });

  it('bounds a whole readiness probe that hangs', async () => {
    const server = await startObservabilityServer({
      registry: new PrometheusWorkerMetrics({ collectProcessMetrics: false }).registry,
      readinessTimeoutMs: 100,
      readiness: () => new Promise(() => {}),
    });
    try {
      const response = await fetch(`${server.url}/ready`);
      expect(response.status).toBe(503);
      const body = (await response.json()) as { ready: boolean; checks: Record<string, { ok: boolean; detail?: string }> };
      expect(body.ready).toBe(false);
      expect(body.checks.readiness).toEqual({ ok: false, detail: expect.stringMatching(/^timed out after \d+ ms$/) as unknown as string });
    } finally {
      await server.stop();
    }
  });

  it('reports a probe that rejects as not ready rather than failing the request', async () => {
    const server = await startObservabilityServer({
      registry: new PrometheusWorkerMetrics({ collectProcessMetrics: false }).registry,
      readiness: () => Promise.reject(new Error('coordinator not elected')),
    });
    try {
      const response = await fetch(`${server.url}/ready`);
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ ready: false, checks: { readiness: { ok: false, detail: 'coordinator not elected' } } });
    } finally {
      await server.stop();
    }
  });

  it('is ready whenever alive when no readiness is given, and stop() is idempotent', async () => {
    const server = await startObservabilityServer({ registry: new PrometheusWorkerMetrics({ collectProcessMetrics: false }).registry });
    const response = await fetch(`${server.url}/ready`);
    expect(response.status).toBe(200);
    await Promise.all([server.stop(), server.stop()]);
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();
  });

  it('refuses to start on a port in use with a typed error', async () => {
    const first = await startObservabilityServer({ registry: new PrometheusWorkerMetrics({ collectProcessMetrics: false }).registry });
    try {
      await expect(startObservabilityServer({ port: first.port, registry: new PrometheusWorkerMetrics({ collectProcessMetrics: false }).registry })).rejects.toMatchObject({
        name: 'ObservabilityServerError',
      });
    } finally {
      await first.stop();
    }
  });
});

// ------------------------------------------------------------------------------------------------
describe('trace context through Kafka headers', () => {
  let tracing: Tracing;

  beforeEach(() => {
    tracing = setupTracing({ serviceName: 'observability-test', exporter: 'memory', registerGlobal: false });
  });

  afterEach(async () => {
    await tracing.shutdown();
  });

  function finished(): ReadableSpan[] {
    return tracing.memoryExporter!.getFinishedSpans();
  }

  it('round-trips: inject → extract → child span has the same trace id and the right parent', () => {
    const publish = tracing.tracer.startSpan('publish', { kind: SpanKind.PRODUCER }, ROOT_CONTEXT);
    const headers = injectTraceHeaders(trace.setSpan(ROOT_CONTEXT, publish), { [Header.eventId]: 'e-1' });
    expect(headers.traceparent).toMatch(/^00-[\da-f]{32}-[\da-f]{16}-01$/);

    const extracted = trace.getSpanContext(extractTraceContext(headers));
    expect(extracted).toMatchObject({ traceId: publish.spanContext().traceId, spanId: publish.spanContext().spanId, isRemote: true });

    const child = tracing.tracer.startSpan('child', {}, extractTraceContext(headers));
    child.end();
    publish.end();
    const childSpan = finished().find((s) => s.name === 'child')!;
    expect(childSpan.spanContext().traceId).toBe(publish.spanContext().traceId);
    expect(childSpan.parentSpanContext?.spanId).toBe(publish.spanContext().spanId);
  });

  it('carries tracestate and replaces a stale context from an earlier hop', () => {
    const incoming = {
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      tracestate: 'vendor=opaque',
    };
    const consumed = startConsumeSpan(tracing.tracer, { agent: 'a', topic: 't', partition: 0, offset: '0', headers: incoming });
    const outgoing: Record<string, string> = { ...incoming };
    injectTraceHeaders(consumed.context, outgoing);
    expect(outgoing.traceparent).toBe(`00-0af7651916cd43dd8448eb211c80319c-${consumed.span.spanContext().spanId}-01`);
    expect(outgoing.tracestate).toBe('vendor=opaque');
    consumed.span.end();

    // A context without a span leaves the headers alone.
    const untouched = { traceparent: incoming.traceparent };
    injectTraceHeaders(ROOT_CONTEXT, untouched);
    expect(untouched).toEqual({ traceparent: incoming.traceparent });
  });

  it('follows one event across agents and a retry hop in a single trace, with messaging attributes', () => {
    // Publisher.
    const publish = tracing.tracer.startSpan('publish', { kind: SpanKind.PRODUCER }, ROOT_CONTEXT);
    const received = injectTraceHeaders(trace.setSpan(ROOT_CONTEXT, publish), {
      [Header.eventId]: 'evt-1',
      [Header.correlationId]: 'corr-1',
    });
    publish.end();

    // Agent ocr, attempt 1, fails and sends to its retry topic.
    const consume1 = startConsumeSpan(tracing.tracer, {
      agent: 'ocr',
      topic: 'invoices.received',
      partition: 2,
      offset: '17',
      eventId: 'evt-1',
      headers: received,
      attempt: 1,
      key: 'inv-9',
    });
    const handle1 = startHandleSpan(tracing.tracer, consume1.context, { agent: 'ocr', eventId: 'evt-1', attempt: 1 });
    endSpan(handle1.span, { error: new Error('upstream 503') });
    const retryHeaders: Record<string, string> = { ...received, [Header.attempt]: '1' };
    const toRetry = startProduceSpan(tracing.tracer, consume1.context, { agent: 'ocr', topic: 'ocr.retry.1', eventId: 'evt-1', headers: retryHeaders });
    endSpan(toRetry.span);
    endSpan(consume1.span, { outcome: 'retried' });

    // Agent ocr, attempt 2, from the retry topic; succeeds and produces an output.
    const consume2 = startConsumeSpan(tracing.tracer, {
      agent: 'ocr',
      topic: 'ocr.retry.1',
      partition: 2,
      offset: '3',
      eventId: 'evt-1',
      headers: retryHeaders,
      attempt: 2,
    });
    const handle2 = startHandleSpan(tracing.tracer, consume2.context, { agent: 'ocr', eventId: 'evt-1', attempt: 2 });
    endSpan(handle2.span);
    const outputHeaders: Record<string, string> = { [Header.eventId]: 'evt-2', [Header.correlationId]: 'corr-1' };
    const output = startProduceSpan(tracing.tracer, handle2.context, { agent: 'ocr', topic: 'invoices.extracted', eventId: 'evt-2', headers: outputHeaders });
    endSpan(output.span);
    endSpan(consume2.span, { outcome: 'processed' });

    // Agent validation consumes the output.
    const consume3 = startConsumeSpan(tracing.tracer, {
      agent: 'validation',
      topic: 'invoices.extracted',
      partition: 0,
      offset: '0',
      headers: outputHeaders,
      attempt: 1,
    });
    endSpan(consume3.span, { outcome: 'processed' });

    const spans = finished();
    expect(spans).toHaveLength(8);
    expect(new Set(spans.map((s) => s.spanContext().traceId))).toEqual(new Set([publish.spanContext().traceId]));

    const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
    const parentName = (span: ReadableSpan) => byId.get(span.parentSpanContext?.spanId ?? '')?.name;
    const consumeSpans = spans.filter((s) => s.kind === SpanKind.CONSUMER);
    expect(consumeSpans.map((s) => [s.name, parentName(s)])).toEqual([
      ['process invoices.received', 'publish'],
      ['process ocr.retry.1', 'send ocr.retry.1'],
      ['process invoices.extracted', 'send invoices.extracted'],
    ]);

    expect(consumeSpans[0]!.attributes).toEqual({
      'messaging.system': 'kafka',
      'messaging.operation.type': 'process',
      'messaging.operation.name': 'process',
      'messaging.destination.name': 'invoices.received',
      'messaging.destination.partition.id': '2',
      'messaging.consumer.group.name': 'ocr',
      'messaging.kafka.consumer.group': 'ocr',
      'messaging.kafka.offset': 17,
      'messaging.kafka.message.key': 'inv-9',
      'messaging.message.id': 'evt-1',
      'mesh.agent': 'ocr',
      'mesh.attempt': 1,
      'mesh.correlation_id': 'corr-1',
      'mesh.outcome': 'retried',
    });
    expect(consumeSpans[1]!.attributes['mesh.attempt']).toBe(2);

    const failedHandle = spans.find((s) => s.name === 'handle ocr' && s.attributes['mesh.attempt'] === 1)!;
    expect(failedHandle.status).toEqual({ code: 2, message: 'upstream 503' });
    expect(failedHandle.attributes['error.type']).toBe('Error');
    expect(failedHandle.events.map((e) => e.name)).toEqual(['exception']);

    const send = spans.find((s) => s.name === 'send invoices.extracted')!;
    expect(send.kind).toBe(SpanKind.PRODUCER);
    expect(send.attributes).toMatchObject({
      'messaging.system': 'kafka',
      'messaging.operation.type': 'send',
      'messaging.destination.name': 'invoices.extracted',
      'messaging.message.id': 'evt-2',
      'mesh.agent': 'ocr',
    });
    expect(parentName(send)).toBe('handle ocr');
    expect(send.resource.attributes['service.name']).toBe('observability-test');
  });
});

describe('setupTracing defaults', () => {
  it("defaults to 'none' without an OTLP endpoint, still producing valid trace ids", async () => {
    const tracing = setupTracing({ serviceName: 'x', registerGlobal: false, env: {} });
    try {
      expect(tracing.exporter).toBe('none');
      expect(tracing.memoryExporter).toBeUndefined();
      const span = tracing.tracer.startSpan('s');
      expect(injectTraceHeaders(trace.setSpan(ROOT_CONTEXT, span), {}).traceparent).toMatch(/^00-[\da-f]{32}-/);
      span.end();
    } finally {
      await tracing.shutdown();
    }
  });

  it("chooses 'otlp' when OTEL_EXPORTER_OTLP_ENDPOINT is set, sending to /v1/traces", async () => {
    const tracing = setupTracing({ serviceName: 'x', registerGlobal: false, env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1/' } });
    try {
      expect(tracing.exporter).toBe('otlp');
      expect(tracing.otlpTracesUrl).toBe('http://127.0.0.1:1/v1/traces');
    } finally {
      await tracing.shutdown(); // nothing buffered, so no network attempt
    }
  });

  it('registers globals when asked, so logs inside an active span carry its trace id', async () => {
    const tracing = setupTracing({ serviceName: 'x', exporter: 'memory' });
    const lines: string[] = [];
    const logger = createLogger({ name: 'worker', level: 'info', destination: { write: (line: string) => lines.push(line) } });
    try {
      const span = tracing.tracer.startSpan('handle');
      context.with(trace.setSpan(context.active(), span), () => logger.info('inside'));
      span.end();
      logger.info('outside');
      const [inside, outside] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(inside).toMatchObject({ traceId: span.spanContext().traceId, spanId: span.spanContext().spanId });
      expect(outside).not.toHaveProperty('traceId');
    } finally {
      await tracing.shutdown();
    }
    expect(trace.getActiveSpan()).toBeUndefined();
  });
});

// ------------------------------------------------------------------------------------------------
describe('logger', () => {
  function capturedLogger(agent = 'ocr') {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({
      name: 'worker',
      agent,
      instance: 'ocr-1',
      level: 'debug',
      destination: { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
    });
    return { logger, lines };
  }

  it('writes JSON lines with the base fields', () => {
    const { logger, lines } = capturedLogger();
    logger.debug({ decision: 'retry' }, 'scheduled retry');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'debug', name: 'worker', agent: 'ocr', instance: 'ocr-1', pid: process.pid, decision: 'retry', msg: 'scheduled retry' });
    expect(typeof lines[0]!.time).toBe('string');
  });

  it('redacts passwords, tokens, authorization headers and credentials in URLs', () => {
    const { logger, lines } = capturedLogger();
    logger.info(
      {
        password: 'hunter2',
        config: { password: 'hunter3', token: 'tok-123', user: 'svc' },
        headers: { authorization: 'Bearer abc' },
        request: { headers: { authorization: 'Bearer def' } },
        redisUrl: 'redis://mesh:s3cret@redis.internal:6379/0',
        options: { redisUrl: 'rediss://:only-pass@redis.internal:6380' },
      },
      'starting',
    );
    const serialised = JSON.stringify(lines[0]);
    for (const secret of ['hunter2', 'hunter3', 'tok-123', 'Bearer', 's3cret', 'only-pass']) expect(serialised).not.toContain(secret);
    expect(lines[0]).toMatchObject({
      password: '[Redacted]',
      config: { password: '[Redacted]', token: '[Redacted]', user: 'svc' },
      headers: { authorization: '[Redacted]' },
      request: { headers: { authorization: '[Redacted]' } },
      redisUrl: 'redis://mesh:***@redis.internal:6379/0',
      options: { redisUrl: 'rediss://:***@redis.internal:6380' },
    });
  });

  it('redactUrl hides only the password', () => {
    expect(redactUrl('redis://user:pass@host:6379')).toBe('redis://user:***@host:6379');
    expect(redactUrl('redis://host:6379')).toBe('redis://host:6379');
  });

  it('eventLogFields gives the ids of one decision line', () => {
    const { logger, lines } = capturedLogger();
    const event = {
      topic: 'invoices.received',
      partition: 1,
      offset: '99',
      eventId: 'evt-1',
      correlationId: 'corr-1',
      headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
    };
    logger.info({ ...eventLogFields(event), decision: 'processed' }, 'processed');
    expect(lines[0]).toMatchObject({
      eventId: 'evt-1',
      correlationId: 'corr-1',
      traceId: '0af7651916cd43dd8448eb211c80319c',
      topic: 'invoices.received',
      partition: 1,
      offset: '99',
      decision: 'processed',
    });
  });
});
