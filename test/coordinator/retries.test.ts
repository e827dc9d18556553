import { defineSaga, SAGA_STUCK_TOPIC, type SagaStepDefinition } from './imports';
import { compensationsStarted, fileHarness, fail, jsonOf, Ledger, ledgerParticipant, names, sagaIdFromTrigger, sagaIn, sagaWhere, steps, timelineTypes, type Behaviour, type Names } from './support';

// Retries: after the pivot a step is retried and never compensated; a compensation is retried, and
// one that keeps failing waits for an operator, who resumes it.

const h = fileHarness();

const quickRetry = { maxAttempts: 3, delaysMs: [30], jitter: 0 };
const ALL_ENDS = ['completed', 'compensated', 'compensation_failed', 'forward_failed'] as const;

interface StuckRecord {
  sagaId: string;
  sagaType: string;
  status: string;
  step: string;
  reason: string;
}

async function setUp(n: Names, over: Record<string, Partial<SagaStepDefinition>>, behave: Behaviour) {
  const saga = defineSaga({ name: n.name, trigger: n.trigger, sagaId: sagaIdFromTrigger, steps: steps(n, ['a', 'b', 'c'], over) });
  const ledger = new Ledger();
  await h.worker(ledgerParticipant(n.agent, saga, ledger, behave));
  const store = h.store();
  const stuck = await h.watch([SAGA_STUCK_TOPIC]);
  await h.coordinator({ sagas: [saga], store });
  return { saga, ledger, store, stuck };
}

describe('a step after the pivot', () => {
  const pivotAt = (retry = quickRetry): Record<string, Partial<SagaStepDefinition>> => ({ b: { pivot: true }, c: { retry } });

  it.each(['transient', 'permanent'] as const)('is retried after %s failures and the saga completes, with no compensation', async (kind) => {
    const n = names(`pivot-${kind}`);
    const { ledger, store } = await setUp(n, pivotAt(), (cmd, call) => (cmd.step === 'c' && call <= 2 ? fail[kind]('carrier down') : undefined));
    const id = `${n.name}-1`;
    await h.trigger(n.trigger, [{ id }]);

    const done = await sagaIn(store, id, ALL_ENDS);
    expect(done.status).toBe('completed');
    expect(ledger.calls(id)).toEqual(['a', 'b', 'c!', 'c!', 'c']);
    expect(done.steps[2]).toMatchObject({ status: 'succeeded', attempts: 3 });
    expect(compensationsStarted(done)).toEqual([]);
    expect(timelineTypes(done).filter((t) => t === 'STEP_RETRY_SCHEDULED')).toHaveLength(2);
    expect(timelineTypes(done)).not.toContain('COMPENSATING');
  });

  it('that always fails ends forward_failed, uncompensated, with a saga.stuck record; resumed once it works, the saga completes', async () => {
    const n = names('pivot-stuck');
    let carrierBack = false;
    const { ledger, store, stuck } = await setUp(n, pivotAt(), (cmd) => (cmd.step === 'c' && !carrierBack ? fail.permanent('no carrier') : undefined));
    const id = `${n.name}-1`;
    await h.trigger(n.trigger, [{ id }]);

    const ended = await sagaIn(store, id, ALL_ENDS);
    expect(ended.status).toBe('forward_failed');
    expect(ledger.calls(id)).toEqual(['a', 'b', 'c!', 'c!', 'c!']);
    expect(compensationsStarted(ended)).toEqual([]);
    expect(ended).toMatchObject({ inFlight: null, wakeAt: null, pivotPassed: true });
    await stuck.until((seen) => seen.some((s) => s.key === id), 'the saga.stuck record');
    const rec = jsonOf<StuckRecord>(stuck.seen.find((s) => s.key === id)!);
    expect(rec).toMatchObject({ sagaId: id, sagaType: n.name, status: 'FORWARD_FAILED', step: 'c' });
    expect(rec.reason).toContain('no carrier');
    expect(stuck.seen.filter((s) => s.key === id)).toHaveLength(1);

    carrierBack = true;
    await store.requestResume(id);
    const resumed = await sagaWhere(store, id, (s) => timelineTypes(s).includes('RESUMED') && ALL_ENDS.some((e) => e === s.status), 'to end after the resume');
    expect(resumed.status).toBe('completed');
    expect(ledger.calls(id)).toEqual(['a', 'b', 'c!', 'c!', 'c!', 'c']);
    expect(compensationsStarted(resumed)).toEqual([]);
  });
});

describe('a compensation', () => {
  const compensate = { a: {}, b: { compensationRetry: quickRetry }, c: { retry: { maxAttempts: 1 } } };

  it('that fails twice then succeeds is retried to success', async () => {
    const n = names('comp-retry');
    const { ledger, store, stuck } = await setUp(n, compensate, (cmd, call) => {
      if (cmd.step === 'c') fail.permanent('out of stock');
      if (cmd.step === 'b' && cmd.kind === 'compensate' && call <= 2) fail.transient('refund service down');
    });
    const id = `${n.name}-1`;
    await h.trigger(n.trigger, [{ id }]);

    const done = await sagaIn(store, id, ALL_ENDS);
    expect(done.status).toBe('compensated');
    expect(ledger.calls(id)).toEqual(['a', 'b', 'c!', 'b-undo!', 'b-undo!', 'b-undo', 'a-undo']);
    expect(done.steps[1]).toMatchObject({ status: 'compensated', compensationAttempts: 3 });
    expect(timelineTypes(done).filter((t) => t === 'COMPENSATION_RETRY_SCHEDULED')).toHaveLength(2);
    expect(stuck.seen.filter((s) => s.key === id)).toEqual([]);
  });

  it('that always fails ends compensation_failed with a saga.stuck record; resumed once it works, the saga ends compensated', async () => {
    const n = names('comp-stuck');
    let refundsWork = false;
    const { ledger, store, stuck } = await setUp(n, compensate, (cmd) => {
      if (cmd.step === 'c') fail.permanent('out of stock');
      if (cmd.step === 'b' && cmd.kind === 'compensate' && !refundsWork) fail.transient('refund service down');
    });
    const id = `${n.name}-1`;
    await h.trigger(n.trigger, [{ id }]);

    const ended = await sagaIn(store, id, ALL_ENDS);
    expect(ended.status).toBe('compensation_failed');
    expect(ledger.calls(id)).toEqual(['a', 'b', 'c!', 'b-undo!', 'b-undo!', 'b-undo!']);
    expect(ended.steps.map((s) => s.status)).toEqual(['succeeded', 'compensation_failed', 'failed']);
    await stuck.until((seen) => seen.some((s) => s.key === id), 'the saga.stuck record');
    expect(jsonOf<StuckRecord>(stuck.seen.find((s) => s.key === id)!)).toMatchObject({ sagaId: id, status: 'COMPENSATION_FAILED', step: 'b' });

    refundsWork = true;
    await store.requestResume(id);
    // Until the owner takes the request the saga is still compensation_failed: wait for its end after RESUMED.
    const resumed = await sagaWhere(store, id, (s) => timelineTypes(s).includes('RESUMED') && ALL_ENDS.some((e) => e === s.status), 'to end after the resume');
    expect(resumed.status).toBe('compensated');
    // The resumed compensation is a new command (a new attempt, so a new event id), not one the participant already handled.
    expect(ledger.calls(id)).toEqual(['a', 'b', 'c!', 'b-undo!', 'b-undo!', 'b-undo!', 'b-undo', 'a-undo']);
    const undoIds = ledger.entries.filter((e) => e.sagaId === id && e.step === 'b' && e.kind === 'compensate').map((e) => e.eventId);
    expect(new Set(undoIds).size).toBe(4);
    expect(timelineTypes(resumed)).toContain('RESUMED');
    expect(stuck.seen.filter((s) => s.key === id)).toHaveLength(1);
  });
});
