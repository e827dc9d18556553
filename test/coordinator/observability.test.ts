import { setupTracing, type Tracing } from '@agentmesh/runtime';
import { defineSaga, runCoordinator, type RunningCoordinatorService } from './imports';
import { eventually } from '../support/kafka';
import { fileHarness, fail, Ledger, ledgerParticipant, names, quiet, REDIS_URL, sagaIdFromTrigger, allFinished, steps } from './support';

// The coordinator as a service: /health, /ready and /metrics with saga counts and durations.

let tracing: Tracing;
let service: RunningCoordinatorService | undefined;
beforeAll(() => {
  tracing = setupTracing({ serviceName: 'saga-metrics-test', exporter: 'none' });
});
const h = fileHarness({ releaseAfter: 'all', beforeRelease: () => service?.stop() });
afterAll(async () => {
  await tracing.shutdown();
});

it('serves /health, /ready after joining, and /metrics with the sagas started, finished and their durations', async () => {
  const n = names('metrics');
  const saga = defineSaga({ name: n.name, trigger: n.trigger, sagaId: sagaIdFromTrigger, steps: steps(n, ['a', 'b', 'c'], { c: { retry: { maxAttempts: 1 } } }) });
  const ledger = new Ledger();
  await h.worker(ledgerParticipant(n.agent, saga, ledger, (cmd) => (cmd.step === 'c' && cmd.data.failC ? fail.permanent('no') : undefined)));
  service = await runCoordinator({
    sagas: [saga],
    brokers: h.brokers,
    redisUrl: REDIS_URL,
    keyPrefix: n.prefix,
    logger: quiet,
    tracing,
    coordinator: { groupId: n.group, sessionTimeoutMs: 6_000, heartbeatIntervalMs: 500 },
  });
  const url = service.observabilityUrl!;
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect((await fetch(`${url}/health`)).status).toBe(200);

  await service.ready(20_000);
  const ready = await fetch(`${url}/ready`);
  expect(ready.status).toBe(200);
  expect(await ready.json()).toMatchObject({ ready: true, checks: { group: { ok: true }, redis: { ok: true } } });

  const ids = [1, 2, 3, 4, 5].map((i) => `${n.name}-${i}`);
  await h.trigger(
    n.trigger,
    ids.map((id, i) => ({ id, failC: i >= 3 })),
  );
  const states = await allFinished(service.store, ids);
  expect(states.map((s) => s.status)).toEqual(['completed', 'completed', 'completed', 'compensated', 'compensated']);

  const labels = `saga="${n.name}"`;
  // A saga's metrics are counted after its end is written: poll until the last of them is in.
  const metrics = await eventually(async () => {
    const text = await (await fetch(`${url}/metrics`)).text();
    const applied = Number(/mesh_saga_replies_total\{disposition="applied"\} (\d+)/.exec(text)?.[1] ?? 0);
    return text.includes(`mesh_sagas_finished_total{${labels},outcome="compensated"} 2`) && applied >= 19 ? text : undefined;
  }, 'the finished counts on /metrics');
  expect(metrics).toContain(`mesh_sagas_started_total{${labels}} 5`);
  expect(metrics).toContain(`mesh_sagas_finished_total{${labels},outcome="completed"} 3`);
  expect(metrics).toContain(`mesh_saga_duration_seconds_count{${labels},outcome="completed"} 3`);
  expect(metrics).toContain(`mesh_saga_duration_seconds_count{${labels},outcome="compensated"} 2`);
  expect(metrics).toMatch(new RegExp(`mesh_saga_duration_seconds_bucket\\{le="60",${labels},outcome="completed"\\} 3`));
  // a, b, c for each (c fails twice), then b and a compensated twice.
  expect(metrics).toContain(`mesh_saga_commands_total{${labels},kind="execute"} 15`);
  expect(metrics).toContain(`mesh_saga_commands_total{${labels},kind="compensate"} 4`);
  expect(metrics).toMatch(/mesh_saga_owned_partitions 6/);
  expect(metrics).toMatch(/mesh_saga_replies_total\{disposition="applied"\} 19/);
});
