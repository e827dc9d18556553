import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { startSchemaRegistry, type RunningSchemaRegistry } from '@agentmesh/schema-registry';
import { dlqTopic } from '@agentmesh/runtime';
import { consumeAll, kafkaFor, uniqueName } from '../support/kafka';
import { runMesh, startAgentProcess, type AgentProcess } from '../support/mesh-cli';
import { TEST_REDIS_URL } from '../support/redis';
import { CONNECTION_ENV_UNSET, startSecuredKafka, type SecuredKafka } from '../support/secured-kafka';

// Secrets never leave: an agent on SASL_SSL with a registry password and an OTLP API key, all distinctive values,
// a failure that lands in its DLQ and a start with a wrong password; then every output is searched for the secrets:
// stdout and stderr, /metrics, the records on every topic (heartbeats, the DLQ's failure history), exported spans.

const SECRETS = { kafka: 'Kf-9d1-unmistakable', registry: 'Sr-4c7-unmistakable', otlp: 'Ot-2b8-unmistakable', wrong: 'Wr-6e3-unmistakable' };

let kafka: SecuredKafka;
let plain: Kafka;
let registry: RunningSchemaRegistry;
let collector: Server;
const exported: Array<{ headers: IncomingHttpHeaders; body: Buffer }> = [];
let exportedOnce: () => void;
const firstExport = new Promise<void>((resolve) => (exportedOnce = resolve));
let agent: AgentProcess | undefined;

beforeAll(async () => {
  kafka = await startSecuredKafka({ password: SECRETS.kafka });
  plain = kafkaFor({ address: kafka.plaintext });
  registry = await startSchemaRegistry({ port: 0, basicAuthUsers: [{ username: 'sr', password: SECRETS.registry }] });
  collector = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      exported.push({ headers: request.headers, body: Buffer.concat(chunks) });
      exportedOnce();
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  collector.listen(0, '127.0.0.1');
  await once(collector, 'listening');
}, 60_000);

afterAll(async () => {
  agent?.child.kill('SIGKILL');
  collector?.close();
  await registry?.stop();
  await kafka?.stop();
});

/** Every record on every topic of the broker, as text (keys, values and headers). */
async function everyRecord(): Promise<string> {
  const admin = plain.admin();
  await admin.connect();
  const topics = (await admin.listTopics()).filter((t) => !t.startsWith('__'));
  let expected = 0;
  for (const topic of topics) for (const p of await admin.fetchTopicOffsets(topic)) expected += Number(p.high) - Number(p.low);
  await admin.disconnect();
  const consumer = plain.consumer({ groupId: uniqueName('secrets-reader'), maxWaitTimeInMs: 100 });
  const texts: string[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`read ${texts.length} of ${expected} records`)), 30_000);
    void consumer.run({
      eachMessage: async ({ message }) => {
        const headers = Object.entries(message.headers ?? {}).map(([k, v]) => `${k}=${String(v)}`);
        texts.push([message.key?.toString() ?? '', message.value?.toString('latin1') ?? '', ...headers].join(' '));
        if (texts.length >= expected) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  expect(texts.length).toBeGreaterThan(0);
  return texts.join('\n');
}

const expectNoSecret = (where: string, text: string) => {
  for (const [name, secret] of Object.entries(SECRETS)) expect({ where, secret: name, found: text.includes(secret) }).toEqual({ where, secret: name, found: false });
};

it('finds no secret in any output of a secured agent, a failing event and a refused start', async () => {
  const otlpHeaders = join(kafka.secretsDir, 'otlp-headers');
  writeFileSync(otlpHeaders, `authorization=Bearer%20${SECRETS.otlp}\n`, { mode: 0o600 });
  const registryPassword = join(kafka.secretsDir, 'registry-password');
  writeFileSync(registryPassword, SECRETS.registry, { mode: 0o600 });
  const input = uniqueName('secret-in');
  const output = uniqueName('secret-out');
  const name = uniqueName('secret-agent');
  const env = {
    ...CONNECTION_ENV_UNSET,
    ...kafka.clientEnv(),
    SCHEMA_REGISTRY_URL: registry.url,
    SCHEMA_REGISTRY_USERNAME: 'sr',
    SCHEMA_REGISTRY_PASSWORD_FILE: registryPassword,
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(collector.address() as AddressInfo).port}`,
    OTEL_EXPORTER_OTLP_HEADERS_FILE: otlpHeaders,
    OTEL_BSP_SCHEDULE_DELAY: '200',
    LOG_LEVEL: 'debug',
    AGENT_NAME: name,
    AGENT_IN: input,
    AGENT_OUT: output,
  };
  expect(await runMesh(['topics', 'create', input, '--partitions', '1'], env)).toMatchObject({ code: 0 });
  agent = await startAgentProcess({ module: join(__dirname, 'fixtures/secret-check-agent.js'), brokers: kafka.saslSsl, redisUrl: TEST_REDIS_URL, env });
  const published = await runMesh(['publish', input, '--json', '--value', JSON.stringify({ n: 1 })], env);
  expect(published.code).toBe(0);
  const failing = await runMesh(['publish', input, '--json', '--value', JSON.stringify({ n: 2, fail: true })], env);
  expect(failing.code).toBe(0);

  // The dead letter and a span export arrive (bounded waits on the events themselves), then /metrics is read.
  const consumer = plain.consumer({ groupId: uniqueName('dlq-reader'), maxWaitTimeInMs: 100 });
  await consumer.connect();
  try {
    const [dead] = await consumeAll(consumer, dlqTopic(name), 1, 30_000);
    expect(JSON.stringify(dead!.headers)).toContain('refusing event 2');
  } finally {
    await consumer.disconnect();
  }
  await Promise.race([firstExport, new Promise((_, reject) => setTimeout(() => reject(new Error('no span export within 30 s')), 30_000).unref())]);
  // The OTLP API key from the file was sent, as a header, and only there.
  expect(exported[0]!.headers.authorization).toBe(`Bearer ${SECRETS.otlp}`);
  const metricsUrl = /metrics, health and readiness at (http:\/\/\S+)/.exec(agent.output())![1]!;
  const metrics = await (await fetch(`${metricsUrl}/metrics`)).text();

  // A start with a wrong password: refused in one line, which names no secret.
  const refused = await runMesh(['run', join(__dirname, 'fixtures/secret-check-agent.js'), '--json'], { ...env, KAFKA_SASL_PASSWORD_FILE: undefined, KAFKA_SASL_PASSWORD: SECRETS.wrong }, 30_000);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toMatch(/refused user agent/);

  agent.child.kill('SIGTERM');
  await once(agent.child, 'exit');
  expectNoSecret('agent stdout and stderr', agent.output());
  expectNoSecret('refused start', refused.stdout + refused.stderr);
  expectNoSecret('mesh publish', published.stdout + published.stderr + failing.stdout + failing.stderr);
  expectNoSecret('/metrics', metrics);
  expectNoSecret('records on every topic', await everyRecord());
  expectNoSecret('exported spans', Buffer.concat(exported.map((e) => e.body)).toString('latin1'));
}, 120_000);
