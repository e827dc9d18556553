import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { eventually, testKafka, uniqueName, type TestKafka } from '../support/kafka';
import { MESH, runMesh } from '../support/mesh-cli';
import { TEST_REDIS_URL } from '../support/redis';

// What a new user meets first: one-line errors for a wrong module path, and a `mesh run` whose
// stdout is a log stream (one JSON object per line, no key twice) while its ready line goes to stderr.

const RELAY = resolve(__dirname, '../runtime/fixtures/relay-agent.js');

/** The top-level keys of a JSON object's text, in order, repeats included (JSON.parse keeps only the last). */
function topLevelKeys(text: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (depth === 1 && /^\s*:/.test(text.slice(j + 1, j + 3))) keys.push(JSON.parse(text.slice(i, j + 1)) as string);
      i = j;
    } else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
  }
  return keys;
}

let broker: TestKafka;
beforeAll(async () => {
  broker = await testKafka();
});
afterAll(async () => {
  await broker?.stop();
});

describe('topLevelKeys', () => {
  it('lists keys at the top only, repeats included', () => {
    expect(topLevelKeys('{"a":1,"b":{"a":2},"c":"x\\":y","a":[{"d":1}]}')).toEqual(['a', 'b', 'c', 'a']);
  });
});

describe('a first run', () => {
  it.each([
    [['run', '/no/such/agent.js'], 'mesh: cannot load agent module /no/such/agent.js: no such file\n'],
    [['coordinator', '--sagas', '/no/such/saga.js'], "mesh: --sagas /no/such/saga.js: cannot load saga module /no/such/saga.js: Cannot find module '/no/such/saga.js'\n"],
  ])('mesh %j says a missing module in one line, without a require stack', async (args, stderr) => {
    const run = await runMesh([...args, '--brokers', broker.address], {}, 30_000);
    expect(run).toEqual({ code: 1, stdout: '', stderr });
  });

  it('mesh run: JSON log lines only on stdout, each key once; the ready line on stderr', async () => {
    const id = uniqueName('first-run');
    const child = spawn(process.execPath, [MESH, 'run', RELAY, '--brokers', broker.address, '--json', '--redis', TEST_REDIS_URL, '--session-timeout', '3000'], {
      env: { ...process.env, LOG_LEVEL: 'info', RELAY_NAME: `relay-${id}`, RELAY_IN: `in-${id}`, RELAY_OUT: `out-${id}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exit = once(child, 'exit');
    try {
      await eventually(
        () => (/^agent relay-\S+ ready: consumer group relay-\S+; metrics, health and readiness at http:\/\/127\.0\.0\.1:\d+\n/m.test(err) ? true : undefined),
        'the ready line on stderr',
        30_000,
      );
    } finally {
      child.kill('SIGTERM');
      await exit;
    }
    const lines = out.split('\n').filter((l) => l !== '');
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      const keys = topLevelKeys(line);
      expect({ line, keys }).toEqual({ line, keys: [...new Set(keys)] });
      expect(parsed).toMatchObject({ level: expect.any(String) as unknown, msg: expect.any(String) as unknown });
    }
    // The worker's lines carry the agent and one instance.
    expect(lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'joined group')).toMatchObject({ agent: `relay-${id}`, instance: expect.any(String) as unknown });
  });
});
