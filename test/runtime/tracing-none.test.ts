import { defineAgent, Header, setupTracing, type Tracing } from '@agentmesh/runtime';
import { traceIdFromTraceparent } from '@agentmesh/runtime/internal';
import { startTestMesh, type TestMesh } from '@agentmesh/testing';
import { uniqueName } from '../support/kafka';
import { TEST_REDIS_URL } from '../support/redis';

// With no exporter, a worker makes no spans: it passes the incoming traceparent on unchanged, as W3C
// asks of a participant that does not trace, so a downstream process that does export links its spans
// to the last span that was exported. An event with no trace starts one.

let mesh: TestMesh;
let tracing: Tracing;
beforeAll(async () => {
  tracing = setupTracing({ serviceName: 'trace-none-test', exporter: 'none', registerGlobal: false });
  mesh = await startTestMesh({ redis: TEST_REDIS_URL, contracts: false, defaultPartitions: 3 });
});
afterAll(async () => {
  await mesh.stop();
  await tracing.shutdown();
});

it('passes the incoming traceparent and tracestate on unchanged without an exporter', async () => {
  const id = uniqueName('trn');
  const [source, sink] = [`src-${id}`, `sink-${id}`];
  let recording: boolean | undefined;
  await mesh.run(
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

  const sampledTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
  const unsampledTrace = '0af7651916cd43dd8448eb211c80319c';
  await mesh.publish(source, { n: 1 }, { key: 'a', eventId: `a-${id}`, headers: { [Header.traceparent]: `00-${sampledTrace}-00f067aa0ba902b7-01`, [Header.tracestate]: 'vendor=abc' } });
  await mesh.publish(source, { n: 2 }, { key: 'b', eventId: `b-${id}`, headers: { [Header.traceparent]: `00-${unsampledTrace}-00f067aa0ba902b7-00` } });
  await mesh.publish(source, { n: 3 }, { key: 'c', eventId: `c-${id}` });

  const records = await mesh.outputs(sink).waitForCount(3, undefined, { timeoutMs: 30_000 });
  const byKey = new Map(records.map((r) => [String(r.key), r.headers[Header.traceparent]]));
  expect(byKey.get('a')).toBe(`00-${sampledTrace}-00f067aa0ba902b7-01`);
  expect(records.find((r) => String(r.key) === 'a')?.headers[Header.tracestate]).toBe('vendor=abc');
  expect(byKey.get('b')).toBe(`00-${unsampledTrace}-00f067aa0ba902b7-00`);
  // An event with no trace starts one, as the publisher's side would have.
  const fresh = traceIdFromTraceparent(byKey.get('c'));
  expect(fresh).toMatch(/^[0-9a-f]{32}$/);
  expect(byKey.get('c')).toMatch(/-01$/);
  expect(recording).toBe(false);
});
