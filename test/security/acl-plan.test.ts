import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Kafka, logLevel, type Admin, type KafkaConfig } from 'kafkajs';
import pino, { type Logger } from 'pino';
import type { RunningBroker } from '@agentmesh/broker';
import { defineAgent, JsonCodec, readFailureEnvelope, startWorker, type Agent, type RunningWorker } from '@agentmesh/runtime';
import { planAgentAcls } from '@agentmesh/runtime/internal';
import { demoInvoices } from '@agentmesh/examples';
import { defineSaga, planCoordinatorAcls, sagaParticipant, SagaStore, startCoordinator, type RunningCoordinator } from '@agentmesh/coordinator';
import { RedisIdempotencyStore } from '../../packages/runtime/src/idempotency/redis-store';
import { createAccountingAgent } from '../../packages/examples/src/invoice/accounting';
import { INVOICE_TOPICS, InvoiceTopics } from '../../packages/examples/src/invoice/documents';
import { NO_FAILURES } from '../../packages/examples/src/invoice/failure-injection';
import { createOcrAgent } from '../../packages/examples/src/invoice/ocr';
import { createPoMatchingAgent } from '../../packages/examples/src/invoice/po-matching';
import { createValidationAgent } from '../../packages/examples/src/invoice/validation';
import { applyAclPlan } from '../../packages/cli/src/commands/acl/apply';
import { makeTestCertificates, type TestCertificates } from '../broker/support/test-certificates';
import { embeddedBrokerOnly, eventually } from '../support/kafka';
import { TEST_REDIS_URL } from '../support/redis';
import { runMesh } from '../support/mesh-cli';

/**
 * Least privilege end to end: the ACL-enforcing broker over SASL_SSL (SCRAM-SHA-512), a super user applying
 * `mesh acl plan`'s plans, and each agent of the invoice pipeline as its own user holding exactly its plan.
 * Then an agent whose handler writes outside its contract: the event is dead-lettered once, naming
 * TOPIC_AUTHORIZATION_FAILED and the topic, and the agent goes on.
 */

const quiet = { seed: 'acl', rates: NO_FAILURES };
const PIPELINE: Agent[] = [
  createOcrAgent({ failures: quiet }),
  createValidationAgent({ failures: quiet }),
  createPoMatchingAgent({ failures: quiet }),
  createAccountingAgent({ failures: quiet }),
] as Agent[];
const ROGUE = 'rogue';
/** Each user's password: distinct, so a mix-up of users fails authentication rather than passing unnoticed. */
const passwordOf = (user: string) => `pw-${user}-${user.length}`;
const USERS = ['admin', ROGUE, 'coord', 'reserver', 'ocr-cli', ...PIPELINE.map((a) => a.name)];

let certs: TestCertificates;
let broker: RunningBroker;
let admin: Admin;
const store = RedisIdempotencyStore.connect(TEST_REDIS_URL, pino({ level: 'silent' }), { keyPrefix: `test:acl-plan:${randomBytes(4).toString('hex')}` });
const workers: RunningWorker[] = [];

/** A client as `user` over the SASL_SSL listener, trusting the test CA. */
function kafkaAs(user: string): Kafka {
  return new Kafka({ clientId: `acl-${user}`, brokers: [broker.address], logLevel: logLevel.NOTHING, retry: { retries: 2, initialRetryTime: 100 }, ...securityOf(user) });
}

function securityOf(user: string): Partial<KafkaConfig> {
  return { ssl: { ca: [readFileSync(certs.caFile, 'utf8')] }, sasl: { mechanism: 'scram-sha-512', username: user, password: passwordOf(user) } };
}

/** Log lines at warn and above, as JSON objects, for checking what an agent reported. */
function capturingLogger(): { logger: Logger; lines: Array<{ level: number; msg: string; agent?: string; [k: string]: unknown }> } {
  const lines: Array<{ level: number; msg: string }> = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line) as { level: number; msg: string }) });
  return { logger, lines };
}

/** Starts `agent` as its own user with the worker's every Kafka path in use (heartbeats, lag reads, the chaos listener). */
async function startAs(agent: Agent, logger: Logger): Promise<RunningWorker> {
  const worker = await startWorker(agent, {
    brokers: [broker.address],
    kafka: securityOf(agent.name),
    codec: new JsonCodec(),
    idempotency: store,
    logger,
    sessionTimeoutMs: 6_000,
    heartbeatIntervalMs: 500,
    heartbeatEveryMs: 300,
    lagEveryMs: 300,
    chaos: false,
    drainTimeoutMs: 5_000,
  });
  workers.push(worker);
  await worker.joined;
  return worker;
}

/** Every record of `topic` so far, read as the super user. */
async function recordsOf(topic: string): Promise<Array<{ key: string | null; value: string; headers: Record<string, string> }>> {
  const consumer = kafkaAs('admin').consumer({ groupId: `acl-read-${randomBytes(4).toString('hex')}`, maxWaitTimeInMs: 50 });
  const offsets = await admin.fetchTopicOffsets(topic);
  const total = offsets.reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
  const got: Array<{ key: string | null; value: string; headers: Record<string, string> }> = [];
  if (total === 0) return got;
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    let done: () => void = () => undefined;
    const all = new Promise<void>((resolve) => (done = resolve));
    await consumer.run({
      eachMessage: async ({ message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
        got.push({ key: message.key?.toString() ?? null, value: message.value?.toString() ?? '', headers });
        if (got.length >= total) done();
      },
    });
    await eventually(() => (got.length >= total ? true : undefined), `${total} records of ${topic}`, 30_000);
    await all;
  } finally {
    await consumer.disconnect();
  }
  return got;
}

beforeAll(async () => {
  certs = makeTestCertificates();
  broker = await embeddedBrokerOnly('it configures the broker: a SASL_SSL listener, SCRAM users and an ACL authorizer', {
    listeners: 'SASL_SSL://127.0.0.1:0',
    tls: { certFile: certs.certFile, keyFile: certs.keyFile },
    sasl: { mechanisms: ['SCRAM-SHA-512'], users: USERS.map((name) => ({ name, password: passwordOf(name), mechanisms: ['SCRAM-SHA-512' as const] })) },
    authorizer: { superUsers: ['User:admin'] },
    defaultPartitions: 3,
    logLevel: 'silent',
  });
  admin = kafkaAs('admin').admin();
  await admin.connect();
  // The topics the plans list to create first (sources, outputs, heartbeats), as an administrator would.
  const created = [...INVOICE_TOPICS, 'mesh.heartbeats', 'rogue.in', 'rogue.out', 'payments', 'orders.placed', 'stock.reserve'];
  await admin.createTopics({ waitForLeaders: true, topics: created.map((topic) => ({ topic, numPartitions: 3 })) });
}, 180_000);

let coordinator: RunningCoordinator | undefined;
let sagaStore: SagaStore | undefined;

afterAll(async () => {
  await coordinator?.stop();
  await sagaStore?.close();
  await Promise.allSettled(workers.map((w) => w.stop()));
  await admin?.disconnect();
  await store.close();
  await broker?.stop();
  certs?.remove();
}, 60_000);

describe('mesh acl plan on an ACL-enforcing broker over SASL_SSL', () => {
  it('runs the invoice pipeline with each agent as its own user holding exactly its planned ACLs', async () => {
    for (const agent of PIPELINE) await applyAclPlan(admin, planAgentAcls(agent));
    const { logger, lines } = capturingLogger();
    for (const agent of PIPELINE) await startAs(agent, logger.child({ agent: agent.name }));

    const invoices = demoInvoices(randomBytes(3).toString('hex'), 20);
    const producer = kafkaAs('admin').producer({ idempotent: true });
    await producer.connect();
    await producer.send({ topic: InvoiceTopics.received, messages: invoices.map((i) => ({ key: i.invoiceId, value: JSON.stringify(i) })) });
    await producer.disconnect();

    const posted = await eventually(
      async () => {
        const records = await recordsOf(InvoiceTopics.posted);
        return new Set(records.map((r) => (JSON.parse(r.value) as { invoiceId: string }).invoiceId)).size >= invoices.length ? records : undefined;
      },
      `${invoices.length} invoices posted`,
      60_000,
      250,
    );
    expect(new Set(posted.map((r) => (JSON.parse(r.value) as { invoiceId: string }).invoiceId))).toEqual(new Set(invoices.map((i) => i.invoiceId)));
    // Heartbeats of every agent, and lag reads and the chaos listener ran without a refusal: nothing warned.
    await eventually(
      async () => {
        const agents = new Set((await recordsOf('mesh.heartbeats')).map((r) => (JSON.parse(r.value) as { agent: string }).agent));
        return PIPELINE.every((a) => agents.has(a.name)) ? true : undefined;
      },
      'a heartbeat of every agent',
      45_000,
    );
    for (const agent of PIPELINE) expect((await admin.fetchTopicOffsets(`${agent.name}.dlq`)).every((p) => p.high === p.low)).toBe(true);
    expect(lines.map((l) => `${l.agent}: ${l.msg} ${JSON.stringify(l.error ?? '')}`)).toEqual([]);

    // The grants are exact: ocr may not write to what accounting writes, nor read another agent's group.
    const ocrProducer = kafkaAs('ocr').producer({ retry: { retries: 0 } });
    await ocrProducer.connect();
    const failure = await ocrProducer.send({ topic: InvoiceTopics.posted, messages: [{ value: 'forged' }] }).then(
      () => null,
      (e: { type?: string; cause?: { type?: string } }) => e,
    );
    await ocrProducer.disconnect();
    expect(failure?.type ?? failure?.cause?.type).toBe('TOPIC_AUTHORIZATION_FAILED');
  }, 180_000);

  it('dead-letters once, naming TOPIC_AUTHORIZATION_FAILED and the topic, an event whose handler writes outside its contract', async () => {
    const rogue = defineAgent<{ n: number; to?: string }>({
      name: ROGUE,
      consumes: ['rogue.in'],
      produces: ['rogue.out'],
      retry: { delaysMs: [100], maxAttempts: 3 },
      handle: (event) => [{ topic: event.value.to ?? 'rogue.out', key: String(event.value.n), value: event.value }],
    });
    await applyAclPlan(admin, planAgentAcls(rogue));
    const { logger, lines } = capturingLogger();
    await startAs(rogue as Agent, logger);
    const producer = kafkaAs('admin').producer({ idempotent: true });
    await producer.connect();
    // One key: one partition, so the refused event sits between two allowed ones in a batch.
    const send = (value: object) => producer.send({ topic: 'rogue.in', messages: [{ key: 'k', value: JSON.stringify(value) }] });
    await producer.send({ topic: 'rogue.in', messages: [1, 2, 3].map((n) => ({ key: 'k', value: JSON.stringify(n === 2 ? { n, to: 'payments' } : { n }) })) });

    const deadLetters = await eventually(
      async () => {
        const dlq = await recordsOf('rogue.dlq');
        return dlq.length > 0 ? dlq : undefined;
      },
      'the refused event in rogue.dlq',
      45_000,
    );
    expect(deadLetters).toHaveLength(1);
    expect(JSON.parse(deadLetters[0]!.value)).toEqual({ n: 2, to: 'payments' });
    const envelope = readFailureEnvelope(deadLetters[0]!.headers)!;
    expect(envelope).toMatchObject({ agent: ROGUE, kind: 'permanent', errorClass: 'OutputRefusedError', attempt: 1 });
    expect(envelope.errorMessage).toMatch(/^TOPIC_AUTHORIZATION_FAILED: .*'payments'/);

    // The agent goes on: the events around it, and one sent after, are processed; nothing went to a retry tier.
    await send({ n: 4 });
    await producer.disconnect();
    await eventually(async () => ((await recordsOf('rogue.out')).length >= 3 ? true : undefined), 'events 1, 3 and 4 in rogue.out', 45_000);
    expect((await recordsOf('rogue.out')).map((r) => (JSON.parse(r.value) as { n: number }).n).sort()).toEqual([1, 3, 4]);
    expect((await recordsOf('rogue.dlq')).length).toBe(1);
    expect(await recordsOf('rogue.retry.0')).toEqual([]);
    expect(await recordsOf('payments')).toEqual([]);
    // Reported once, as what it is; no consumer crash and restart.
    const refusals = lines.filter((l) => l.msg === "output refused by the broker's ACLs: dead-lettered");
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatchObject({ refusedTopics: ['payments'], error: 'TOPIC_AUTHORIZATION_FAILED' });
    expect(lines.filter((l) => /consumer crashed|restarting the consumer/.test(l.msg))).toEqual([]);
  }, 180_000);

  it('runs a saga with the coordinator and a participant each holding exactly its planned ACLs', async () => {
    const saga = defineSaga({ name: 'order', trigger: 'orders.placed', steps: [{ name: 'reserve', command: 'stock.reserve' }] });
    const reserver = sagaParticipant<{ id: string; reserved?: boolean }>({ name: 'reserver', on: { 'stock.reserve': () => ({ reserved: true }) } });
    await applyAclPlan(admin, planCoordinatorAcls([saga], { groupId: 'coord' }));
    await applyAclPlan(admin, planAgentAcls(reserver as Agent));
    const { logger, lines } = capturingLogger();
    sagaStore = SagaStore.connect(TEST_REDIS_URL, pino({ level: 'silent' }), { keyPrefix: `test:acl-plan-saga:${randomBytes(4).toString('hex')}:` });
    coordinator = await startCoordinator({
      sagas: [saga],
      brokers: [broker.address],
      kafka: securityOf('coord'),
      codec: new JsonCodec(),
      store: sagaStore,
      logger,
      groupId: 'coord',
      sessionTimeoutMs: 6_000,
      heartbeatIntervalMs: 500,
    });
    await coordinator.joined;
    await startAs(reserver as Agent, logger);
    const producer = kafkaAs('admin').producer({ idempotent: true });
    await producer.connect();
    await producer.send({ topic: 'orders.placed', messages: [{ key: 'o-1', value: JSON.stringify({ id: 'o-1' }) }] });
    await producer.disconnect();
    const completed = await eventually(
      async () => {
        const events = (await recordsOf('saga.events')).map((r) => JSON.parse(r.value) as { type: string; status: string; stateJson: string });
        return events.find((e) => e.type === 'COMPLETED');
      },
      'the saga completed',
      45_000,
    );
    expect(completed.status).toBe('completed');
    expect(JSON.parse(completed.stateJson)).toMatchObject({ steps: [{ name: 'reserve', status: 'succeeded' }] });
    expect(lines.map((l) => l.msg)).toEqual([]);
  }, 180_000);

  it('mesh acl plan --apply creates the plan with the CLI connection settings, and says so in one line when refused', async () => {
    const env = (user: string) => ({ KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512', KAFKA_SASL_USERNAME: user, KAFKA_SASL_PASSWORD: passwordOf(user), KAFKA_SSL_CA_FILE: certs.caFile, MESH_PROFILE: '' });
    const ocrModule = require.resolve('../../packages/examples/dist/invoice/ocr.js');
    const args = ['acl', 'plan', ocrModule, '--principal', 'User:ocr-cli', '--apply', '--brokers', broker.address];
    const applied = await runMesh(args, env('admin'));
    expect(applied).toMatchObject({ code: 0, stderr: '' });
    expect(applied.stdout).toMatch(/^created 21 ACLs for User:ocr-cli \(agent ocr\) on 127\.0\.0\.1:\d+; create first if missing: invoices\.received, invoices\.extracted, mesh\.heartbeats\n$/);
    const described = await admin.describeAcls({ resourceType: 1, principal: 'User:ocr-cli', resourcePatternType: 1, operation: 1, permissionType: 1 });
    expect(described.resources.reduce((n, r) => n + r.acls.length, 0)).toBe(21);
    // Anyone but an administrator is refused, in one line.
    const started = Date.now();
    const refused = await runMesh(args, env('ocr'));
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(/could not create the ACLs of agent ocr on .*authoriz/i);
  }, 180_000);
});
