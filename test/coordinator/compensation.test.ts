import { defineSaga, type SagaState } from './imports';
import { compensationsStarted, fileHarness, fail, Ledger, type Behaviour, type Names, ledgerParticipant, names, sagaIdFromTrigger, sagaIn, sagaWhere, steps, timelineTypes } from './support';

// A saga that fails turns back: what took effect is undone, newest first, once each.

const h = fileHarness();

describe('a permanent failure at a step', () => {
  it.each<[string, string[], string[]]>([
    ['a', [], []],
    ['b', ['a'], ['a-undo']],
    ['c', ['a', 'b'], ['b-undo', 'a-undo']],
  ])('at step %s compensates exactly the completed steps, newest first, once each', async (failing, done, undone) => {
    const n = names(`fail-${failing}`);
    // Retries are allowed (3 attempts): a permanent failure must still not be retried before the pivot.
    const saga = defineSaga({ name: n.name, trigger: n.trigger, sagaId: sagaIdFromTrigger, steps: steps(n, ['a', 'b', 'c'], {}, { retry: { maxAttempts: 3, delaysMs: [20], jitter: 0 } }) });
    const ledger = new Ledger();
    await h.worker(ledgerParticipant(n.agent, saga, ledger, (cmd) => (cmd.kind === 'execute' && cmd.step === failing && cmd.data.fail ? fail.permanent('card declined') : undefined)));
    const store = h.store();
    await h.coordinator({ sagas: [saga], store });
    const [bad, good] = [`${n.name}-bad`, `${n.name}-good`];
    await h.trigger(n.trigger, [{ id: bad, fail: true }, { id: good }]);

    const compensated = await sagaIn(store, bad, ['compensated', 'compensation_failed', 'forward_failed', 'completed']);
    expect(compensated.status).toBe('compensated');
    expect(ledger.calls(bad)).toEqual([...done, `${failing}!`, ...undone]);
    expect(compensationsStarted(compensated)).toEqual(undone.map((u) => u.replace('-undo', '')));
    expect(compensated.failedStep).toBe(['a', 'b', 'c'].indexOf(failing));
    expect(compensated.steps.map((s) => [s.name, s.status])).toEqual(['a', 'b', 'c'].map((s) => [s, s === failing ? 'failed' : done.includes(s) ? 'compensated' : 'pending']));
    expect(timelineTypes(compensated)).toContain('COMPENSATING');
    expect(timelineTypes(compensated).at(-1)).toBe('COMPENSATED');

    // The other saga of the same run is untouched by its neighbour's failure.
    const completed = await sagaIn(store, good, ['completed', 'compensated']);
    expect(completed.status).toBe('completed');
    expect(ledger.effects(good)).toEqual(['a', 'b', 'c']);
  });
});

describe('a step that times out', () => {
  const hangMs = 1_200;
  /** Steps a, b, c; b times out after 300 ms and is not retried; its participant (an agent of its own) hangs `hangMs`, then succeeds. */
  async function timeoutRun(n: Names, ledger: Ledger, undo: Behaviour) {
    const saga = defineSaga({
      name: n.name,
      trigger: n.trigger,
      sagaId: sagaIdFromTrigger,
      steps: steps(n, ['a', 'b', 'c'], { b: { timeoutMs: 300, compensationTimeoutMs: 10_000, retry: { maxAttempts: 1 } } }),
    });
    const bCalls: number[] = [];
    // Step b has a worker of its own: a worker busy with a hung handler fetches nothing else meanwhile.
    const hangs = async () => {
      bCalls.push(Date.now());
      await new Promise((r) => setTimeout(r, hangMs));
    };
    await h.worker(ledgerParticipant(`${n.agent}-b`, saga, ledger, hangs, { only: (topic) => topic === n.t('b') }));
    await h.worker(ledgerParticipant(n.agent, saga, ledger, undo, { only: (topic) => topic !== n.t('b') }));
    const store = h.store();
    await h.coordinator({ sagas: [saga], store });
    return { store, bCalls };
  }

  it('compensates the completed steps and the timed-out one; a late reply while compensating is recorded and changes nothing', async () => {
    const n = names('timeout');
    const ledger = new Ledger();
    const id = `${n.name}-1`;
    const seen: { before?: SagaState; after?: SagaState } = {};
    // b's compensation waits for b's late effect (as a real one would wait for its lock): the late reply lands mid-compensation.
    const undo: Behaviour = async (cmd) => {
      if (cmd.step !== 'b' || cmd.kind !== 'compensate') return;
      await ledger.until((es) => es.some((e) => e.sagaId === id && e.step === 'b' && e.kind === 'execute'), "b's late effect", 10_000);
      seen.before = await store.load(id);
      seen.after = await sagaWhere(store, id, (s) => timelineTypes(s).includes('REPLY_IGNORED'), 'to record the late reply', 10_000);
    };
    const run = await timeoutRun(n, ledger, undo);
    const store = run.store;
    await h.trigger(n.trigger, [{ id }]);

    const compensated = await sagaIn(store, id, ['compensated', 'compensation_failed', 'forward_failed', 'completed']);
    expect(compensated.status).toBe('compensated');
    expect(compensated.steps.map((s) => s.status)).toEqual(['compensated', 'compensated', 'pending']);
    const types = timelineTypes(compensated);
    expect(types.indexOf('STEP_TIMED_OUT')).toBeGreaterThan(-1);
    expect(types.indexOf('COMPENSATING')).toBeGreaterThan(types.indexOf('STEP_TIMED_OUT'));
    // The timed-out step may have taken effect: it is undone first, then a; once each.
    expect(compensationsStarted(compensated)).toEqual(['b', 'a']);
    expect(run.bCalls).toHaveLength(1); // retry maxAttempts 1: no second attempt
    expect(ledger.calls(id)).toEqual(['a', 'b', 'b-undo', 'a-undo']);

    // The late reply, applied while b's compensation was awaited: a REPLY_IGNORED entry and nothing else.
    expect(seen.before).toMatchObject({ status: 'compensating', inFlight: { step: 1, kind: 'compensate', attempt: 1 } });
    const ignored = seen.after!.timeline.at(-1)!;
    expect(ignored).toMatchObject({ type: 'REPLY_IGNORED', step: 'b', kind: 'execute', attempt: 1 });
    expect(ignored.detail).toBe('late succeeded reply');
    expectOnlyIgnoredSince(seen.before!, seen.after!);
  });

  it('compensates the timed-out step again when its late success comes after its compensation', async () => {
    const n = names('timeout-after');
    const ledger = new Ledger();
    const { store, bCalls } = await timeoutRun(n, ledger, () => undefined);
    const id = `${n.name}-1`;
    await h.trigger(n.trigger, [{ id }]);

    // First b and a are undone (b's compensation ran before b's hung attempt took effect)...
    const first = await sagaIn(store, id, ['compensated', 'compensation_failed', 'forward_failed', 'completed']);
    expect(first.status).toBe('compensated');
    expect(ledger.calls(id)).toEqual(['a', 'b-undo', 'a-undo']);
    // ...then the hung attempt succeeds after all: its effect stands, so it is compensated again.
    const again = await sagaWhere(store, id, (s) => s.status === 'compensated' && compensationsStarted(s).length === 3, 'to compensate b again', 10_000);
    expect(compensationsStarted(again)).toEqual(['b', 'a', 'b']);
    const added = again.timeline.slice(first.timeline.length);
    expect(added.map((e) => e.type)).toEqual(['REPLY_IGNORED', 'COMPENSATING', 'COMPENSATION_STARTED', 'STEP_COMPENSATED', 'COMPENSATED']);
    expect(added[0]).toMatchObject({ step: 'b', kind: 'execute', attempt: 1, detail: 'late succeeded reply' });
    expect(added[2]).toMatchObject({ step: 'b', kind: 'compensate', attempt: 2 });
    await ledger.until((es) => es.filter((e) => e.sagaId === id).length === 5, 'the second compensation of b');
    expect(ledger.calls(id)).toEqual(['a', 'b-undo', 'a-undo', 'b', 'b-undo']);
    expect(bCalls).toHaveLength(1);
  });
});

/**
 * `after` is `before` plus REPLY_IGNORED entries, and nothing else changed (no command sent, no status moved),
 * besides the late success remembered (so that reading it again counts as a duplicate).
 */
function expectOnlyIgnoredSince(before: SagaState, after: SagaState): void {
  const added = after.timeline.slice(before.timeline.length);
  expect(added.length).toBeGreaterThan(0);
  expect(added.every((e) => e.type === 'REPLY_IGNORED')).toBe(true);
  const strip = (s: SagaState) => ({ ...s, version: 0, updatedAt: 0, timeline: [], steps: s.steps.map(({ successes: _remembered, ...step }) => step) });
  expect(strip(after)).toEqual(strip(before));
}
