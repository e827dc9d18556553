import { defineSaga, SAGA_EVENTS_TOPIC, type SagaState } from './imports';
import { fileHarness, fail, jsonOf, Ledger, ledgerParticipant, names, sagaIdFromTrigger, sagaIn, steps } from './support';

// saga.events is the audit log: one record per timeline entry, in order; the last record of each
// transition carries the whole state after it, so the last record of a saga is enough to rebuild it.

const h = fileHarness({ releaseAfter: 'all' });

interface SagaEventRecord {
  sagaId: string;
  sagaType: string;
  type: string;
  status: string;
  step: string | null;
  kind: string | null;
  attempt: number | null;
  detail: string | null;
  version: number;
  traceId: string | null;
  stateJson: string;
  occurredAt: number;
}

it('records every transition of a saga in order, the last carrying the stored state', async () => {
  const n = names('audit');
  const saga = defineSaga({
    name: n.name,
    trigger: n.trigger,
    sagaId: sagaIdFromTrigger,
    steps: steps(n, ['a', 'b', 'c'], { b: { retry: { maxAttempts: 2, delaysMs: [20], jitter: 0 } } }),
  });
  const ledger = new Ledger();
  // b fails once (retried); for the second saga c fails for good, so it is compensated.
  await h.worker(
    ledgerParticipant(n.agent, saga, ledger, (cmd, call) =>
      cmd.step === 'b' && cmd.kind === 'execute' && call === 1 ? fail.transient('busy') : cmd.step === 'c' && cmd.data.failC ? fail.permanent('no') : undefined,
    ),
  );
  const store = h.store();
  const events = await h.watch([SAGA_EVENTS_TOPIC]);
  await h.coordinator({ sagas: [saga], store });
  const [ok, undone] = [`${n.name}-ok`, `${n.name}-undone`];
  await h.trigger(n.trigger, [{ id: ok }, { id: undone, failC: true }]);

  for (const [id, status] of [
    [ok, 'completed'],
    [undone, 'compensated'],
  ] as const) {
    const final = await sagaIn(store, id, ['completed', 'compensated', 'compensation_failed', 'forward_failed']);
    expect(final.status).toBe(status);
    const ofSaga = (await events.until((seen) => seen.filter((s) => s.key === id).length >= final.timeline.length, `the saga.events records of ${id}`)).filter((s) => s.key === id);
    expect(ofSaga).toHaveLength(final.timeline.length); // no more, no fewer: one record per timeline entry
    const records = ofSaga.map((s) => jsonOf<SagaEventRecord>(s));

    // In order: the records replay the timeline entry by entry, versions never go back.
    expect(records.map((r) => ({ at: r.occurredAt, type: r.type, step: r.step ?? undefined, kind: r.kind ?? undefined, attempt: r.attempt ?? undefined, detail: r.detail ?? undefined }))).toEqual(
      final.timeline.map((e) => ({ at: e.at, type: e.type, step: e.step, kind: e.kind, attempt: e.attempt, detail: e.detail })),
    );
    const versions = records.map((r) => r.version);
    expect(versions).toEqual([...versions].sort((x, y) => x - y));
    expect(records[0]).toMatchObject({ type: 'STARTED', version: 0, status: 'running' });
    expect(records.every((r) => r.sagaId === id && r.sagaType === n.name)).toBe(true);

    // Each transition's state (after it) is carried by its last record at least; the last of all is the stored state.
    records.forEach((r, i) => {
      const lastOfTransition = records[i + 1]?.version !== r.version;
      if (!lastOfTransition && r.stateJson === '') return;
      const state = JSON.parse(r.stateJson) as SagaState;
      expect(state).toMatchObject({ id, version: r.version, status: r.status });
      expect(state.timeline.some((e) => e.type === r.type && e.at === r.occurredAt)).toBe(true);
    });
    const last = records.at(-1)!;
    expect(last.type).toBe(status === 'completed' ? 'COMPLETED' : 'COMPENSATED');
    expect(JSON.parse(last.stateJson)).toEqual(await store.load(id));
    expect(last.version).toBe(final.version);
  }
  expect(ledger.calls(ok)).toEqual(['a', 'b!', 'b', 'c']);
  expect(ledger.calls(undone)).toEqual(['a', 'b!', 'b', 'c!', 'b-undo', 'a-undo']);
});
