import { defineSaga, type SagaState, type SagaStore } from './imports';
import { fileHarness, Ledger, ledgerParticipant, names, sagaIdFromTrigger, sagaIn, steps } from './support';

// kafkajs gives up on a consumer for good after an error it does not retry (a TypeError thrown in a
// batch, a non-retriable broker error). The coordinator then starts a fresh consumer itself: the
// reply that crashed it was not committed, so it is read again and the saga goes on.

const h = fileHarness();

/** Throws a TypeError from the saga store once, on the write that applies the reply of step `a`. */
function crashOnceApplyingStepA(store: SagaStore): { crashed: () => boolean } {
  let crashed = false;
  const save = store.save.bind(store);
  store.save = (previous: SagaState, next: SagaState, ...rest) => {
    if (!crashed && previous.steps[0]?.status !== 'succeeded' && next.steps[0]?.status === 'succeeded') {
      crashed = true;
      return Promise.reject(new TypeError('a bug in the reply path'));
    }
    return save(previous, next, ...rest);
  };
  return { crashed: () => crashed };
}

it('a reply consumer that kafkajs gave up on is restarted, and the saga completes with every step once', async () => {
  const n = names('consumer-crash');
  const saga = defineSaga({ name: n.name, trigger: n.trigger, sagaId: sagaIdFromTrigger, steps: steps(n, ['a', 'b', 'c']) });
  const ledger = new Ledger();
  await h.worker(ledgerParticipant(n.agent, saga, ledger));
  const store = h.store();
  const fault = crashOnceApplyingStepA(store);
  const coordinator = await h.coordinator({ sagas: [saga], store });
  const id = `${n.name}-1`;
  await h.trigger(n.trigger, [{ id }]);

  const done = await sagaIn(store, id, ['completed', 'compensated', 'compensation_failed', 'forward_failed']);
  expect(fault.crashed()).toBe(true);
  expect(done.status).toBe('completed');
  expect(ledger.effects(id)).toEqual(['a', 'b', 'c']);
  expect((await coordinator.readiness()).group?.ok).toBe(true);
}, 40_000);
