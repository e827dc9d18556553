import { defineAgent, Header, setupTracing, traceIdFromTraceparent, type Tracing } from '@agentmesh/runtime';
import { uniqueName } from '../support/kafka';
import { json, runtimeHarness, type RuntimeHarness } from './support';

// With no exporter, spans record nothing, but a worker still carries the incoming trace (and its
// sampled flag) to its outputs, so a downstream process that does export sees one trace.

let h: RuntimeHarness;
let tracing: Tracing;
beforeAll(async () => {
  tracing = setupTracing({ serviceName: 'trace-none-test', exporter: 'none', registerGlobal: false });
  h = await runtimeHarness();
});
afterAll(async () => {
  await h.close();
  await tracing.shutdown();
});

it('propagates the incoming trace id and sampled flag to outputs without an exporter', async () => {
  const id = uniqueName('trn');
  const [source, sink] = [`src-${id}`, `sink-${id}`];
  let recording: boolean | undefined;
  await h.start(
    defineAgent<{ n: number }>({
      name: `relay-${id}`,
      consumes: [source],
      produces: [sink],
      handle: (e, ctx) => {
        recording = ctx.span.isRecording();
        return [{ topic: sink, value: e.value }];
      },
    }),
    { tracer: tracing.tracer },
  );
  const out = await h.watch([sink]);

  const sampledTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
  const unsampledTrace = '0af7651916cd43dd8448eb211c80319c';
  const producer = h.kafka.producer();
  await producer.connect();
  await producer.send({
    topic: source,
    messages: [
      { key: 'a', value: json({ n: 1 }), headers: { [Header.eventId]: `a-${id}`, [Header.traceparent]: `00-${sampledTrace}-00f067aa0ba902b7-01` } },
      { key: 'b', value: json({ n: 2 }), headers: { [Header.eventId]: `b-${id}`, [Header.traceparent]: `00-${unsampledTrace}-00f067aa0ba902b7-00` } },
      { key: 'c', value: json({ n: 3 }), headers: { [Header.eventId]: `c-${id}` } },
    ],
  });
  await producer.disconnect();

  const records = await out.until((s) => s.length >= 3, 'the three outputs');
  const byKey = new Map(records.map((r) => [String(r.key), r.headers[Header.traceparent]]));
  expect(byKey.get('a')).toMatch(new RegExp(`^00-${sampledTrace}-[0-9a-f]{16}-01$`));
  expect(byKey.get('a')).not.toContain('00f067aa0ba902b7');
  expect(byKey.get('b')).toMatch(new RegExp(`^00-${unsampledTrace}-[0-9a-f]{16}-00$`));
  // An event with no trace starts one, as the publisher's side would have.
  const fresh = traceIdFromTraceparent(byKey.get('c'));
  expect(fresh).toMatch(/^[0-9a-f]{32}$/);
  expect(byKey.get('c')).toMatch(/-01$/);
  expect(recording).toBe(false);
});
