import { defineSaga, type SagaState } from './imports';
import { allFinished, fileHarness, fail, Ledger, ledgerParticipant, names, sagaIdFromTrigger, seeded, steps } from './support';

// A thousand sagas at once, a tenth of the steps failing for good: every saga ends completed or
// compensated, and every compensated one undid exactly what it had done, newest first.

const SAGAS = 1_000;
const FAIL_RATE = 0.1;
const SEED = 20_251_122;
const STEPS = ['a', 'b', 'c'];

const h = fileHarness({ releaseAfter: 'all' });

it(`runs ${SAGAS} concurrent sagas with random permanent failures to completion or compensation`, async () => {
  const n = names('load');
  const saga = defineSaga({ name: n.name, trigger: n.trigger, sagaId: sagaIdFromTrigger, steps: steps(n, STEPS, {}, { timeoutMs: 30_000, retry: { maxAttempts: 1 } }) });
  // Which step fails for good is drawn up front (seeded), so a run can be replayed and its outcome predicted.
  const random = seeded(SEED);
  const ids = Array.from({ length: SAGAS }, (_, i) => `${n.name}-${i}`);
  const failsAt = new Map<string, number>();
  for (const id of ids) {
    const at = STEPS.findIndex(() => random() < FAIL_RATE);
    if (at >= 0) failsAt.set(id, at);
  }
  const ledger = new Ledger();
  const behave = (cmd: { sagaId: string; step: string; kind: string }) => (cmd.kind === 'execute' && failsAt.get(cmd.sagaId) === STEPS.indexOf(cmd.step) ? fail.permanent('drawn to fail') : undefined);
  // Several workers of one participant share its partitions.
  for (let i = 0; i < 3; i++) await h.worker(ledgerParticipant(n.agent, saga, ledger, behave, { concurrency: 64 }), { partitionsConsumedConcurrently: 6 });
  const store = h.store();
  await h.coordinator({ sagas: [saga], store, random: seeded(SEED + 1), defaultPartitions: 6 });

  const started = Date.now();
  await h.trigger(
    n.trigger,
    ids.map((id) => ({ id })),
  );
  const states = await allFinished(store, ids, 50_000);
  const elapsedMs = Date.now() - started;

  const byId = new Map<string, SagaState>(states.map((s) => [s.id, s]));
  const expectedCompensated = [...failsAt.keys()];
  expect(expectedCompensated.length).toBeGreaterThan(150); // ~27% of sagas hit a failure at 10% a step
  for (const id of ids) {
    const state = byId.get(id)!;
    const at = failsAt.get(id);
    if (at === undefined) {
      expect([id, state.status]).toEqual([id, 'completed']);
      expect([id, ledger.effects(id)]).toEqual([id, STEPS]);
    } else {
      const done = STEPS.slice(0, at);
      expect([id, state.status]).toEqual([id, 'compensated']);
      // The compensations equal the completed steps, in reverse; the failed step is not undone.
      expect([id, ledger.effects(id)]).toEqual([id, [...done, ...[...done].reverse().map((s) => `${s}-undo`)]]);
      expect([id, ledger.calls(id).filter((c) => c.endsWith('!'))]).toEqual([id, [`${STEPS[at]}!`]]);
    }
  }
  const counts = await store.countByStatus();
  expect(counts).toEqual({
    running: 0,
    compensating: 0,
    completed: SAGAS - expectedCompensated.length,
    compensated: expectedCompensated.length,
    compensation_failed: 0,
    forward_failed: 0,
    waiting: 0,
  });
  // Each command handled once: as many handler calls as commands the sagas' timelines sent.
  const sent = states.reduce((k, s) => k + s.timeline.filter((e) => e.type === 'STEP_STARTED' || e.type === 'COMPENSATION_STARTED').length, 0);
  expect(ledger.entries).toHaveLength(sent);
  process.stdout.write(`load: ${SAGAS} sagas (${expectedCompensated.length} compensated, ${sent} commands) finished in ${elapsedMs} ms\n`);
}, 60_000);
