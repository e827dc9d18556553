import { Header, setupTracing, type Tracing } from '@agentmesh/runtime';
import { endSpan, startRootSendSpan, traceIdFromTraceparent } from '@agentmesh/runtime/internal';
import { defineSaga, SAGA_REPLIES_TOPIC } from './imports';
import { eventually } from '../support/kafka';
import { fileHarness, fail, Ledger, ledgerParticipant, names, sagaIdFromTrigger, sagaIn, steps } from './support';

// One trace from the trigger's publisher, through the saga's root span and its step spans, to the
// participants' handle spans.

type ReadableSpan = ReturnType<NonNullable<Tracing['memoryExporter']>['getFinishedSpans']>[number];

let tracing: Tracing;
beforeAll(() => {
  tracing = setupTracing({ serviceName: 'saga-trace-test', exporter: 'memory' });
});
const h = fileHarness({ releaseAfter: 'all' });
afterAll(async () => {
  await tracing.shutdown();
});

const parentOf = (s: ReadableSpan): string | undefined => s.parentSpanContext?.spanId ?? (s as unknown as { parentSpanId?: string }).parentSpanId;

it('keeps the trigger’s trace id through the saga root, its step and compensation spans and the participants’ spans', async () => {
  const n = names('trace');
  const saga = defineSaga({ name: n.name, trigger: n.trigger, sagaId: sagaIdFromTrigger, steps: steps(n, ['a', 'b', 'c'], { c: { retry: { maxAttempts: 1 } } }) });
  const ledger = new Ledger();
  await h.worker(
    ledgerParticipant(n.agent, saga, ledger, (cmd) => (cmd.step === 'c' && cmd.data.failC ? fail.permanent('no') : undefined)),
    { tracer: tracing.tracer },
  );
  const store = h.store();
  await h.coordinator({ sagas: [saga], store, tracer: tracing.tracer });

  const publish = async (id: string, failC: boolean) => {
    const headers: Record<string, string> = { [Header.eventId]: `trigger-${id}` };
    const root = startRootSendSpan(tracing.tracer, { agent: 'test-publisher', topic: n.trigger, headers });
    await h.produce(n.trigger, [{ key: id, value: JSON.stringify({ id, failC }), headers }]);
    endSpan(root.span);
    return { traceId: traceIdFromTraceparent(headers[Header.traceparent])!, sendSpanId: root.span.spanContext().spanId };
  };
  const [ok, undone] = [`${n.name}-ok`, `${n.name}-undone`];
  const okTrace = await publish(ok, false);
  const undoneTrace = await publish(undone, true);
  expect(okTrace.traceId).toMatch(/^[0-9a-f]{32}$/);
  expect(undoneTrace.traceId).not.toBe(okTrace.traceId);

  const okState = await sagaIn(store, ok, ['completed', 'compensated']);
  const undoneState = await sagaIn(store, undone, ['completed', 'compensated']);
  expect([okState.status, undoneState.status]).toEqual(['completed', 'compensated']);
  // The saga carries its root span's context, in the trigger's trace.
  expect(traceIdFromTraceparent(okState.traceparent)).toBe(okTrace.traceId);

  // Spans end as replies are handled (the participant's after it answers): wait for the count expected.
  const spansOf = (traceId: string, atLeast: number) =>
    eventually(async () => {
      await tracing.forceFlush();
      const spans = tracing.memoryExporter!.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
      return spans.length >= atLeast ? spans : undefined;
    }, `${atLeast} spans in trace ${traceId}`);
  const byName = (spans: ReadableSpan[], name: string) => spans.filter((s) => s.name === name);

  // The completed saga: send -> saga root -> step spans -> the participant's process and handle spans.
  const okSpans = await spansOf(okTrace.traceId, 12);
  const names_ = okSpans.map((s) => s.name);
  expect(names_).toEqual(
    expect.arrayContaining([
      `send ${n.trigger}`,
      `saga ${n.name}`,
      'saga.step a',
      'saga.step b',
      'saga.step c',
      `saga ${n.name} completed`,
      `process ${n.t('a')}`,
      `handle ${n.agent}`,
      `send ${SAGA_REPLIES_TOPIC}`,
    ]),
  );
  const root = byName(okSpans, `saga ${n.name}`)[0]!;
  expect(parentOf(root)).toBe(okTrace.sendSpanId);
  for (const step of ['a', 'b', 'c']) {
    const [stepSpan] = byName(okSpans, `saga.step ${step}`);
    expect(parentOf(stepSpan!)).toBe(root.spanContext().spanId);
    expect(stepSpan!.attributes['mesh.saga.outcome']).toBe('succeeded');
    // The command carried the step span's context: the participant's consume span is its child.
    const [process] = byName(okSpans, `process ${n.t(step)}`);
    expect(parentOf(process!)).toBe(stepSpan!.spanContext().spanId);
    expect(okSpans.some((s) => s.name === `handle ${n.agent}` && parentOf(s) === process!.spanContext().spanId)).toBe(true);
  }
  expect(byName(okSpans, `handle ${n.agent}`)).toHaveLength(3);
  expect(parentOf(byName(okSpans, `saga ${n.name} completed`)[0]!)).toBe(root.spanContext().spanId);

  // The compensated saga: its compensation spans and the failed step's span are in its own trace.
  const undoneSpans = await spansOf(undoneTrace.traceId, 16);
  expect(undoneSpans.map((s) => s.name)).toEqual(
    expect.arrayContaining(['saga.step c', 'saga.compensate b', 'saga.compensate a', `saga ${n.name} compensated`, `process ${n.t('b-undo')}`, `process ${n.t('a-undo')}`]),
  );
  expect(byName(undoneSpans, 'saga.step c')[0]!.attributes['mesh.saga.outcome']).toBe('failed');
  expect(byName(undoneSpans, `handle ${n.agent}`)).toHaveLength(5); // a, b, c (failed), b-undo, a-undo
  expect(undoneSpans.every((s) => s.spanContext().traceId === undoneTrace.traceId)).toBe(true);
});
