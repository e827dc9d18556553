import { defineAgent, Header, setupTracing, type Tracing } from '@agentmesh/runtime';
import { startRootSendSpan, endSpan, traceIdFromTraceparent } from '@agentmesh/runtime/internal';
import { uniqueName } from '../support/kafka';
import { json, runtimeHarness, type RuntimeHarness } from './support';

// One trace follows an event from its publisher through a retry hop to the last agent.

let h: RuntimeHarness;
let tracing: Tracing;
beforeAll(async () => {
  tracing = setupTracing({ serviceName: 'trace-test', exporter: 'memory' });
  h = await runtimeHarness();
});
afterAll(async () => {
  await h.close();
  await tracing.shutdown();
});

it('keeps one trace id from publish, through a retry, to the last agent', async () => {
  const id = uniqueName('tr');
  const [first, second, source, middle, sink] = [`first-${id}`, `second-${id}`, `src-${id}`, `mid-${id}`, `sink-${id}`];
  await h.start(
    defineAgent<{ n: number }>({
      name: first,
      consumes: [source],
      produces: [middle],
      retry: { delaysMs: [100], maxAttempts: 3, jitter: 0 },
      handle: (e) => {
        if (e.attempt === 1) throw new Error('first attempt fails');
        return [{ topic: middle, value: e.value }];
      },
    }),
    { tracer: tracing.tracer },
  );
  await h.start(defineAgent<{ n: number }>({ name: second, consumes: [middle], produces: [sink], handle: (e) => [{ topic: sink, value: e.value }] }), { tracer: tracing.tracer });
  const out = await h.watch([sink]);

  const headers: Record<string, string> = { [Header.eventId]: `evt-${id}` };
  const root = startRootSendSpan(tracing.tracer, { agent: 'test-publisher', topic: source, headers });
  const traceId = traceIdFromTraceparent(headers[Header.traceparent])!;
  expect(traceId).toMatch(/^[0-9a-f]{32}$/);
  const producer = h.kafka.producer();
  await producer.connect();
  await producer.send({ topic: source, messages: [{ key: 'k', value: json({ n: 1 }), headers }] });
  await producer.disconnect();
  endSpan(root.span);

  const [final] = await out.until((s) => s.length >= 1, 'the last agent output');
  expect(traceIdFromTraceparent(final!.headers[Header.traceparent])).toBe(traceId);

  await tracing.forceFlush();
  const spans = tracing.memoryExporter!.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
  const names = spans.map((s) => s.name);
  expect(names).toEqual(expect.arrayContaining([`process ${source}`, `process ${first}.retry.0`, `process ${middle}`, `handle ${first}`, `handle ${second}`, `send ${first}.retry.0`, `send ${sink}`]));
  // The retry hop is a child of the send span that wrote the retry record.
  const retrySend = spans.find((s) => s.name === `send ${first}.retry.0`)!;
  const retryConsume = spans.find((s) => s.name === `process ${first}.retry.0`)!;
  expect(retryConsume.parentSpanContext?.spanId ?? (retryConsume as unknown as { parentSpanId?: string }).parentSpanId).toBe(retrySend.spanContext().spanId);
});
