import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Producer } from 'kafkajs';
import { parse } from 'yaml';
import { defineSaga, runCoordinator, sagaParticipant, type RunningCoordinatorService, type SagaTrigger } from '@agentmesh/coordinator';
import { defineAgent, PermanentError, runAgent, setupTracing, type RunningAgent, type Tracing } from '@agentmesh/runtime';
import { eventually, kafkaFor, testKafka, uniqueName, type TestKafka } from '../support/kafka';
import { exposedSeries, metricNamesIn, type ExposedSeries } from '../support/promql-metrics';
import { TEST_REDIS_URL } from '../support/redis';
import { quiet } from '../runtime/support';

// Every metric that an alert rule (infra/prometheus/mesh-alerts.yml) or a dashboard panel (infra/grafana/dashboards)
// reads must be one that a live agent or coordinator serves, with samples: a renamed metric or a rule on a series
// nobody exports would otherwise fail silently, as an alert that never fires or an empty panel. A real agent and
// coordinator run here against the embedded broker and the real Redis, and are made to do what labels those
// series: a retry, a dead letter, a breaker that opens, sagas completed, compensated, timed out and stuck.

const ROOT = join(__dirname, '../..');

interface RulesFile {
  groups: { rules: { alert?: string; record?: string; expr: string }[] }[];
}
interface Dashboard {
  title: string;
  panels: { title: string; targets?: { expr?: string }[] }[];
}

/** Each metric name read by the alert rules and the dashboards, with where it is read. */
function queriedMetrics(): Map<string, string[]> {
  const used = new Map<string, string[]>();
  const note = (expr: string, where: string) => {
    for (const name of metricNamesIn(expr)) used.set(name, [...(used.get(name) ?? []), where]);
  };
  const rules = parse(readFileSync(join(ROOT, 'infra/prometheus/mesh-alerts.yml'), 'utf8')) as RulesFile;
  for (const rule of rules.groups.flatMap((g) => g.rules)) note(rule.expr, `rule ${rule.alert ?? rule.record}`);
  const dir = join(ROOT, 'infra/grafana/dashboards');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const dashboard = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Dashboard;
    for (const panel of dashboard.panels) for (const target of panel.targets ?? []) note(target.expr ?? '', `${file}: ${panel.title}`);
  }
  return used;
}

const scrape = async (url: string): Promise<string> => (await fetch(`${url}/metrics`)).text();

let broker: TestKafka;
let tracing: Tracing;
let producer: Producer;
const running: { stop(): Promise<void> }[] = [];

beforeAll(async () => {
  broker = await testKafka();
  tracing = setupTracing({ serviceName: 'metrics-coverage-test', exporter: 'none' });
  producer = kafkaFor(broker).producer();
  await producer.connect();
});
afterAll(async () => {
  for (const r of running.reverse()) await r.stop().catch(() => undefined);
  await producer?.disconnect();
  await tracing?.shutdown();
  await broker?.stop();
});

it('every metric that a rule or a dashboard panel reads is served by a live agent or coordinator', async () => {
  const n = uniqueName('metrics-coverage');
  const brokers = [broker.address];
  const worker = { sessionTimeoutMs: 6_000, heartbeatIntervalMs: 500, lagEveryMs: 200 };
  const admin = kafkaFor(broker).admin();
  await admin.connect();
  const topics = { in: `${n}.in`, out: `${n}.out`, trigger: `${n}.trigger`, a: `${n}.a`, aUndo: `${n}.a-undo`, b: `${n}.b`, slowTrigger: `${n}.slow-trigger`, slow: `${n}.slow` };
  await admin.createTopics({ topics: Object.values(topics).map((topic) => ({ topic, numPartitions: 1 })) });
  await admin.disconnect();

  // The agent: a flaky event retried once, a bad one dead-lettered, one whose dependency fails once (its breaker opens).
  let dependencyFailed = false;
  const agent = defineAgent<{ mode: string }, { ok: boolean }>({
    name: `${n}-agent`,
    consumes: [topics.in],
    produces: [topics.out],
    retry: { delaysMs: [50], maxAttempts: 3, jitter: 0 },
    breakers: { erp: { consecutiveFailures: 1, halfOpenAfterMs: 200 } },
    async handle(event, ctx) {
      if (event.value.mode === 'flaky' && ctx.attempt === 1) throw new Error('flaky once');
      if (event.value.mode === 'bad') throw new PermanentError('never valid');
      if (event.value.mode === 'dependency' && !dependencyFailed) {
        dependencyFailed = true;
        await ctx.breaker('erp').execute(() => Promise.reject(new Error('erp away')));
      }
      return [{ topic: topics.out, key: event.key, value: { ok: true } }];
    },
  });
  const agentProcess: RunningAgent = await runAgent(agent, { brokers, redisUrl: TEST_REDIS_URL, logger: quiet, tracing, worker });
  running.push(agentProcess);

  // The saga: a then b; b fails on request; a's compensation fails on request (stuck). A second saga's only step
  // answers after its deadline: on a topic of its own, so that its slow batch holds up no other reply.
  interface Data {
    id: string;
    failB?: boolean;
    stuck?: boolean;
  }
  const participant = sagaParticipant<Data>({
    name: `${n}-participant`,
    on: {
      [topics.a]: async () => ({}),
      [topics.aUndo]: async (command) => {
        if (command.data.stuck) throw new PermanentError('cannot undo');
        return {};
      },
      [topics.b]: async (command) => {
        if (command.data.failB) throw new PermanentError('refused');
        return {};
      },
      [topics.slow]: async () => {
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        return {};
      },
    },
  });
  const participantProcess = await runAgent(participant, { brokers, redisUrl: TEST_REDIS_URL, logger: quiet, tracing, worker, observability: false });
  running.push(participantProcess);
  const once = { delaysMs: [50], maxAttempts: 1, jitter: 0 };
  const saga = defineSaga<Data, Data>({
    name: `${n}-saga`,
    trigger: topics.trigger,
    sagaId: (t: SagaTrigger<Data>) => t.value.id,
    compensationRetry: once,
    steps: [
      { name: 'a', command: topics.a, compensation: topics.aUndo, timeoutMs: 10_000, retry: once },
      { name: 'b', command: topics.b, timeoutMs: 10_000, retry: once },
    ],
  });
  const slowSaga = defineSaga<Data, Data>({
    name: `${n}-slow-saga`,
    trigger: topics.slowTrigger,
    sagaId: (t: SagaTrigger<Data>) => t.value.id,
    steps: [{ name: 'slow', command: topics.slow, timeoutMs: 1_000, retry: once }],
  });
  const coordinator: RunningCoordinatorService = await runCoordinator({
    sagas: [saga, slowSaga],
    brokers,
    redisUrl: TEST_REDIS_URL,
    keyPrefix: `${n}:`,
    logger: quiet,
    tracing,
    coordinator: { groupId: `${n}-coordinator`, sessionTimeoutMs: 6_000, heartbeatIntervalMs: 500 },
  });
  running.push(coordinator);
  await Promise.all([agentProcess.ready(30_000), participantProcess.ready(30_000), coordinator.ready(30_000)]);

  const json = (value: unknown) => Buffer.from(JSON.stringify(value));
  await producer.send({ topic: topics.in, messages: ['ok', 'flaky', 'bad', 'dependency'].map((mode) => ({ key: mode, value: json({ mode }) })) });
  const sagas: Data[] = [{ id: `${n}-done` }, { id: `${n}-undone`, failB: true }, { id: `${n}-stuck`, failB: true, stuck: true }];
  await producer.send({ topic: topics.trigger, messages: sagas.map((s) => ({ key: s.id, value: json(s) })) });
  await producer.send({ topic: topics.slowTrigger, messages: [{ key: `${n}-late`, value: json({ id: `${n}-late` }) }] });

  const wanted = queriedMetrics();
  expect(wanted.size).toBeGreaterThan(10);
  const missing = (agentSeries: Map<string, ExposedSeries>, coordinatorSeries: Map<string, ExposedSeries>) =>
    [...wanted.keys()].filter((name) => !agentSeries.has(name) && !coordinatorSeries.has(name));

  // Counters appear with their first event: poll both scrapes until nothing read by a rule or panel is missing.
  const served = await eventually(
    async () => {
      const agentSeries = exposedSeries(await scrape(agentProcess.observabilityUrl!));
      const coordinatorSeries = exposedSeries(await scrape(coordinator.observabilityUrl!));
      return missing(agentSeries, coordinatorSeries).length === 0 ? { agentSeries, coordinatorSeries } : undefined;
    },
    'every metric read by a rule or a panel on /metrics',
    40_000,
    250,
  ).catch(async (error: Error) => {
    const still = missing(exposedSeries(await scrape(agentProcess.observabilityUrl!)), exposedSeries(await scrape(coordinator.observabilityUrl!)));
    throw new Error(`${error.message}; missing: ${still.map((name) => `${name} (${wanted.get(name)!.join(', ')})`).join('; ')}`);
  });

  // A histogram's buckets, sum and count are its own family's samples, not metrics of their own.
  const handler = served.agentSeries.get('mesh_handler_duration_seconds_bucket');
  expect(handler).toMatchObject({ family: 'mesh_handler_duration_seconds', type: 'histogram' });
  expect(served.coordinatorSeries.get('mesh_saga_duration_seconds_bucket')).toMatchObject({ family: 'mesh_saga_duration_seconds', type: 'histogram' });
  // And the series are the ones the events made, labelled by this test's agent and saga.
  const lines = [
    { url: agentProcess.observabilityUrl!, line: new RegExp(`mesh_retries_total\\{agent="${agent.name}",tier="0"\\} [1-9]`) },
    { url: agentProcess.observabilityUrl!, line: new RegExp(`mesh_dlq_writes_total\\{agent="${agent.name}",kind="permanent"\\} 1`) },
    { url: agentProcess.observabilityUrl!, line: new RegExp(`mesh_breaker_state\\{agent="${agent.name}",breaker="erp"\\} \\d`) },
    { url: coordinator.observabilityUrl!, line: new RegExp(`mesh_sagas_finished_total\\{saga="${saga.name}",outcome="completed"\\} 1`) },
    { url: coordinator.observabilityUrl!, line: new RegExp(`mesh_sagas_finished_total\\{saga="${saga.name}",outcome="compensated"\\} 1`) },
    { url: coordinator.observabilityUrl!, line: new RegExp(`mesh_sagas_stuck_total\\{saga="${saga.name}",status="compensation_failed"\\} 1`) },
    { url: coordinator.observabilityUrl!, line: new RegExp(`mesh_saga_command_timeouts_total\\{saga="${slowSaga.name}",kind="execute"\\} 1`) },
  ];
  for (const { url, line } of lines) await eventually(async () => (line.test(await scrape(url)) ? true : undefined), `${line.source} on ${url}/metrics`, 15_000, 250);
});
