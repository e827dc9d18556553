import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { consumeAll, kafkaFor, testKafka, uniqueName, type TestKafka } from '../support/kafka';
import { runMesh, startAgentProcess, type AgentProcess } from '../support/mesh-cli';
import { TEST_REDIS_URL } from '../support/redis';

// `mesh run <module>.ts`: a TypeScript agent runs with no build step (tsx's hooks), and a TypeScript module that
// is not an agent, does not parse or is not there is one line naming the file.

const FIXTURE = resolve(__dirname, 'fixtures/ts-agent.ts');

let broker: TestKafka;
let agent: AgentProcess | undefined;
let dir: string;

beforeAll(async () => {
  broker = await testKafka();
  dir = mkdtempSync(join(tmpdir(), 'mesh-ts-'));
}, 30_000);
afterAll(async () => {
  agent?.child.kill('SIGKILL');
  await broker?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('mesh run of a TypeScript module', () => {
  it('loads a .ts agent and runs it: an order in, its check out', async () => {
    const input = uniqueName('ts-orders');
    const output = uniqueName('ts-checked');
    const env = { TS_AGENT_NAME: uniqueName('ts-order-checker'), TS_AGENT_INPUT: input, TS_AGENT_OUTPUT: output };
    agent = await startAgentProcess({ module: FIXTURE, brokers: broker.address, redisUrl: TEST_REDIS_URL, env });
    const kafka = kafkaFor(broker);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: input, messages: [{ key: 'o-1', value: JSON.stringify({ orderId: 'o-1', totalCents: 1250 }) }] });
    await producer.disconnect();
    const consumer = kafka.consumer({ groupId: uniqueName('ts-read') });
    await consumer.connect();
    try {
      const [checked] = await consumeAll(consumer, output, 1);
      expect(checked!.key?.toString()).toBe('o-1');
      expect(JSON.parse(checked!.value!.toString())).toEqual({ orderId: 'o-1', accepted: true });
    } finally {
      await consumer.disconnect();
    }
  }, 90_000);

  it.each([
    ['whose default export is not an agent', 'export default { name: "half", consumes: ["x"] };\n', 'bad.ts does not export an agent: export default defineAgent({...})'],
    ['that does not parse', 'const total: = 1;\nexport default total;\n', 'bad.ts: Transform failed with 1 error: {file}:1:13: ERROR: Unexpected "="'],
    ['that imports a file not there', "import { agent } from './nowhere';\nexport default agent;\n", "bad.ts: Cannot find module './nowhere'"],
  ])('refuses a module %s in one line naming the file', async (_what, source, reason) => {
    const file = join(dir, 'bad.ts');
    writeFileSync(file, source);
    const run = await runMesh(['run', file, '--json', '--brokers', '127.0.0.1:1']);
    expect(run).toMatchObject({ code: 1, stdout: '' });
    expect(run.stderr).toMatch(/^mesh: [^\n]+\n$/);
    expect(run.stderr).toContain(`${dir}/${reason.replace('{file}', file)}`);
  });

  it('says in one line that a .ts module is not there', async () => {
    const file = join(dir, 'missing.ts');
    const run = await runMesh(['run', file, '--json', '--brokers', '127.0.0.1:1']);
    expect(run).toMatchObject({ code: 1, stdout: '', stderr: `mesh: cannot load agent module ${file}: no such file\n` });
  });
});
