import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startBroker, type RunningBroker } from '@agentmesh/broker';
import { sagaParticipant, SagaStore } from '@agentmesh/coordinator';
import { defineAgent, Header, PermanentError, retryTopic, type AgentEvent } from '@agentmesh/runtime';
import type { Browser, Page } from 'playwright-core';
import { startConsole, type RunningConsole } from '../../packages/cli/src/console/server';
import { embeddedBrokerOnly, eventually, kafkaFor, uniqueName } from '../support/kafka';
import { runMesh, startCoordinatorProcess } from '../support/mesh-cli';
import { TEST_REDIS_URL } from '../support/redis';
import { json, quiet, runtimeHarness, type RuntimeHarness, type Watcher } from '../runtime/support';

// The web console end to end, in headless Chromium: agents running here (embedded broker, the real Redis), one whose
// handler rejects some orders (they reach its DLQ), a heartbeat of a newer contract, one of a crashed instance, and a
// `mesh coordinator` process with a saga stuck in compensation. The test opens each page, checks it shows them, replays
// the dead letters from the DLQ page (dry run first), resumes the stuck saga, and keeps screenshots under
// test-artifacts/console/.

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) process.stdout.write(`console.test: skipped: no Chromium at ${CHROMIUM} (Debian: apt-get install chromium)\n`);
// Skipped only without a Chromium to drive (npm test's pretest installs Debian's chromium); the line above says so.
const describeInBrowser = haveChromium ? describe : describe.skip;

const SHOTS = resolve(__dirname, '../../test-artifacts/console');
const FIXTURE = resolve(__dirname, 'fixtures/saga-fixture.js');
const id = uniqueName('console');
const agent = `orders-${id}`;
const input = `orders-in-${id}`;
const output = `orders-out-${id}`;
const future = `future-${id}`;
const crashed = `crashed-${id}`;
const sagaName = `order-${id}`;
const sagaTopics = `sagas-${id}`;
const keyPrefix = `test:mesh-console:${id}:`;
const BAD_ORDERS = [1, 3, 5];

let h: RuntimeHarness;
let registry: { url: string };
let web: RunningConsole;
let browser: Browser;
let page: Page;
let sagaStore: SagaStore;
let coordinator: ChildProcess | undefined;
let coordinatorOutput: () => string = () => '';
let rejectBad = true;
let releaseWorks = false;

async function launch(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

async function open(hash: string): Promise<void> {
  await page.goto(`${web.url}${hash}`);
}

async function produce(topic: string, messages: Array<{ key: string; value: Buffer; headers?: Record<string, string> }>): Promise<void> {
  const producer = h.kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages });
  await producer.disconnect();
}

describeInBrowser('mesh console in a browser', () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    h = await runtimeHarness();
    registry = { url: await h.broker.registryUrl() };
    const fast = { heartbeatEveryMs: 300, lagEveryMs: 300 };
    await h.start(
      defineAgent<{ n: number; bad: boolean }>({
        name: agent,
        consumes: [input],
        produces: [output],
        retry: { delaysMs: [100], maxAttempts: 2, jitter: 0 },
        handle: async (e: AgentEvent<{ n: number; bad: boolean }>) => {
          if (e.value.bad && rejectBad) throw new PermanentError(`order ${e.value.n} has no customer`);
          return [{ topic: output, key: e.key, value: { n: e.value.n } }];
        },
      }),
      fast,
    );

    // A coordinator whose compensation keeps failing until the test lets it: one saga gets stuck.
    sagaStore = SagaStore.connect(TEST_REDIS_URL, quiet, { keyPrefix });
    const started = await startCoordinatorProcess({
      sagas: FIXTURE,
      brokers: h.broker.address,
      redisUrl: TEST_REDIS_URL,
      keyPrefix,
      group: `coordinator-${id}`,
      env: { SAGA_NAME: sagaName, SAGA_TOPICS: sagaTopics },
    });
    coordinator = started.child;
    coordinatorOutput = () => started.output();
    await h.start(
      sagaParticipant<{ order: string; failCharge?: boolean }>({
        name: `payments-${id}`,
        on: {
          [`${sagaTopics}.reserve`]: () => ({ reserved: true }),
          [`${sagaTopics}.release`]: () => {
            if (!releaseWorks) throw new Error('ledger offline');
          },
          [`${sagaTopics}.charge`]: (cmd) => {
            if (cmd.data.failCharge) throw new PermanentError('card declined');
          },
        },
      }),
      fast,
    );

    const watcher = await h.watch([`${agent}.dlq`]);
    await produce(
      input,
      Array.from({ length: 6 }, (_, n) => ({ key: `order-${n}`, value: json({ n, bad: BAD_ORDERS.includes(n) }), headers: { [Header.eventId]: `${id}-event-${n}` } })),
    );
    await produce(`${sagaTopics}.placed`, [{ key: 'o-1', value: json({ order: 'o-1', failCharge: true }), headers: { [Header.eventId]: `${id}-saga-1` } }]);
    await watcher.until((s) => s.length === BAD_ORDERS.length, `${BAD_ORDERS.length} dead letters`, 30_000);
    await watcher.stop();
    await eventually(async () => ((await sagaStore.list({ limit: 10 })).some((s) => s.status === 'compensation_failed') ? true : undefined), 'the saga to get stuck', 30_000, 100).catch(
      (error: Error) => {
        throw new Error(`${error.message}; the coordinator said: ${coordinatorOutput().slice(-2_000)}`);
      },
    );

    // A heartbeat of a newer contract (a field this console does not know), and an instance silent for 30 s that never said it was stopping.
    const beat = (name: string, instanceId: string, sentAt: number, extra: Record<string, unknown> = {}) => ({
      key: instanceId,
      value: json({ agent: name, instanceId, host: 'elsewhere', pid: 1, status: 'READY', sentAt, topics: [], counters: {}, ...extra }),
    });
    await produce('mesh.heartbeats', [beat(future, `${future}-1`, Date.now(), { status: 'DRAINING', gpuUtilisation: 0.5 }), beat(crashed, `${crashed}-1`, Date.now() - 30_000)]);

    web = await startConsole({
      brokers: h.broker.brokers,
      registryUrl: registry.url,
      redisUrl: TEST_REDIS_URL,
      port: 0,
      windowMs: 120_000,
      windowText: '2m',
      everyMs: 500,
      sagaKeyPrefix: keyPrefix,
    });
    await eventually(() => (web.feed.connection().state === 'ok' ? true : undefined), 'the console to read the fleet', 20_000, 100);
    browser = await launch();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(20_000);
  }, 150_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await web?.stop();
    if (coordinator?.exitCode === null) {
      coordinator.kill('SIGKILL');
      await once(coordinator, 'exit');
    }
    if (sagaStore) {
      const keys = await sagaStore.redis.keys(`${keyPrefix}*`).catch(() => []);
      if (keys.length > 0) await sagaStore.redis.del(...keys).catch(() => undefined);
      await sagaStore.close();
    }
    await h?.close();
  }, 60_000);

  it('the agents page shows the live fleet: the failing agent with its dead letters, a newer-contract heartbeat shown, not crashed on', async () => {
    await open('#/agents');
    const row = page.locator(`[data-testid=agent-row][data-agent="${agent}"]`);
    await row.waitFor();
    await eventually(async () => ((await row.locator('[data-testid=dlq-link]').textContent()) === String(BAD_ORDERS.length) ? true : undefined), 'the DLQ count', 20_000, 200);
    expect(await row.getAttribute('class')).toMatch(/row-(warn|bad)/);
    await expect(page.locator(`[data-testid=agent-row][data-agent="${future}"]`).textContent()).resolves.toContain('newer contract');
    await expect(page.locator(`[data-testid=agent-row][data-agent="${crashed}"]`).getAttribute('class')).resolves.toContain('row-bad');
    await shot('agents');
  });

  it("one agent's page draws its charts and figures", async () => {
    await open(`#/agents/${agent}`);
    await expect(page.locator('[data-testid=agent-name]').textContent()).resolves.toBe(agent);
    // uPlot draws on a canvas inside the chart's box.
    await page.locator('[data-testid=chart-lag] canvas').waitFor();
    await page.locator('[data-testid=chart-rates] canvas').waitFor();
    await expect(page.locator('[data-testid=instances] tbody tr').count()).resolves.toBe(1);
    await shot('agent');
  });

  it('the alerts page shows the crashed consumer firing', async () => {
    await open('#/alerts');
    const table = page.locator('[data-testid=alerts]');
    await table.waitFor();
    await eventually(async () => ((await table.textContent())?.includes(`MeshConsumerCrashed${crashed}`) ? true : undefined), 'the crashed-consumer alert', 20_000, 200);
    await shot('alerts');
  });

  it('the DLQ page lists the dead letters with their failure history, and replays them from the UI: dry run, then for real', async () => {
    await open(`#/dlq/${agent}`);
    const rows = page.locator('[data-testid=letter-row]');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(BAD_ORDERS.length);
    await rows.first().click();
    const history = page.locator('[data-testid=failure-history]');
    await history.waitFor();
    expect(await history.textContent()).toMatch(/PermanentError: order \d has no customer/);
    await shot('dlq');

    // The dry run changes nothing; the replay button opens only after it.
    await expect(page.locator('[data-testid=replay]').isDisabled()).resolves.toBe(true);
    await page.locator('[data-testid=dry-run]').click();
    const dry = page.locator('[data-testid=dry-run-result]');
    await dry.waitFor();
    expect(await dry.textContent()).toContain(`dry run: would replay 3 of 3 dead letters read from ${agent}.dlq`);

    rejectBad = false;
    const watcher: Watcher = await h.watch([retryTopic(agent, 0), output]);
    await page.locator('[data-testid=replay]').click();
    const done = page.locator('[data-testid=replay-result]');
    await done.waitFor();
    expect(await done.textContent()).toMatch(new RegExp(`^replayed 3 of 3 dead letters read from ${agent}\\.dlq to ${agent}\\.retry\\.0 \\(replay-`));
    await shot('dlq-replayed');
    // Back through the agent's own retry path, marked as a replay, and processed this time.
    const seen = await watcher.until((s) => s.filter((x) => x.topic === output).length === 6, 'the replayed orders processed', 30_000);
    const replays = seen.filter((x) => x.topic === retryTopic(agent, 0));
    expect(replays.map((r) => r.headers[Header.eventId]).sort()).toEqual(BAD_ORDERS.map((n) => `${id}-event-${n}`));
    for (const r of replays) expect(r.headers[Header.replay]).toMatch(/^replay-/);
  });

  it('the sagas page shows the stuck saga with its timeline, and resumes it', async () => {
    await open('#/sagas');
    const link = page.locator('[data-testid=saga-link]');
    await link.first().waitFor();
    expect(await page.locator('[data-testid=sagas]').textContent()).toContain('compensation_failed');
    await shot('sagas');
    await link.first().click();
    const timeline = page.locator('[data-testid=timeline]');
    await timeline.waitFor();
    expect(await timeline.textContent()).toContain('STEP_FAILED');
    await shot('saga');
    releaseWorks = true;
    await page.locator('[data-testid=resume]').click();
    await page.locator('[data-testid=resume-result]').waitFor();
    await eventually(async () => ((await sagaStore.list({ limit: 10 })).every((s) => s.status === 'compensated') ? true : undefined), 'the resumed saga to finish compensating', 30_000, 100);
  });

  it('the trace page draws the journey of a dead-lettered event', async () => {
    await open(`#/trace/${id}-event-1`);
    const waterfall = page.locator('[data-testid=waterfall]');
    await waterfall.waitFor({ timeout: 30_000 });
    const text = await waterfall.textContent();
    expect(text).toContain(`${agent}.dlq`);
    expect(text).toMatch(/dead-lettered after \d+ attempt/);
    await shot('trace');
  });

  it('answers an unknown agent, DLQ or event id with a one-line error', async () => {
    for (const [path, pattern] of [
      ['api/agents/nobody', /^no agent 'nobody' has sent a heartbeat/],
      ['api/dlq/nobody', /^no dead-letter topic 'nobody\.dlq'/],
      [`api/trace/${id}-nothing`, /^no record on .* carries/],
      ['api/sagas/nothing-here', /^no saga with id 'nothing-here'/],
    ] as const) {
      const res = await fetch(`${web.url}${path}`);
      expect(res.status).toBe(404);
      const body = (await res.json()) as { error: string };
      expect(body.error).toMatch(pattern);
      expect(body.error).not.toContain('\n');
    }
    await open('#/agents/nobody');
    await expect(page.locator('[data-testid=error]').textContent()).resolves.toMatch(/^no agent 'nobody'/);
  });

  it('with a token configured, replay needs it', async () => {
    const guarded = await startConsole({ brokers: h.broker.brokers, registryUrl: registry.url, redisUrl: TEST_REDIS_URL, port: 0, windowMs: 120_000, windowText: '2m', token: 's3cret' });
    try {
      const post = (headers: Record<string, string>) =>
        fetch(`${guarded.url}api/dlq/${agent}/replay`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: '{"dryRun":true}' });
      const without = await post({});
      expect(without.status).toBe(401);
      expect(((await without.json()) as { error: string }).error).toMatch(/needs its token/);
      const withToken = await post({ Authorization: 'Bearer s3cret' });
      expect(withToken.status).toBe(200);
      expect(((await withToken.json()) as { summary: string }).summary).toMatch(/^(dry run: would replay|nothing to replay)/);
      // Reading needs no token.
      expect((await fetch(`${guarded.url}api/fleet`)).status).toBe(200);
    } finally {
      await guarded.stop();
    }
  });

  it('`mesh console` refuses a non-loopback host without a token, in one line', async () => {
    const refused = await runMesh(['console', '--host', '0.0.0.0', '--port', '0', '--brokers', h.broker.address], { MESH_CONSOLE_TOKEN: '' });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^mesh: refusing to bind the console to 0\.0\.0\.0 without a token: set --token or MESH_CONSOLE_TOKEN \(or pass --insecure to allow it anyway\)\n$/);
  });

  it('refuses actions from another origin', async () => {
    const res = await fetch(`${web.url}api/dlq/${agent}/replay`, { method: 'POST', headers: { 'Content-Type': 'application/json', Origin: 'http://evil.example' }, body: '{"dryRun":true}' });
    expect(res.status).toBe(403);
  });
});

describeInBrowser('mesh console when the broker goes away', () => {
  let broker: RunningBroker;
  let dataDir: string;
  let port: number;
  let console2: RunningConsole;
  let b: Browser;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'console-broker-'));
    broker = await embeddedBrokerOnly('stops and restarts the broker', { dataDir });
    port = broker.port;
    const producer = kafkaFor(broker).producer();
    await producer.connect();
    const instanceId = `${id}-lonely-1`;
    await producer.send({
      topic: 'mesh.heartbeats',
      messages: [{ key: instanceId, value: json({ agent: `lonely-${id}`, instanceId, host: 'here', pid: 1, status: 'READY', sentAt: Date.now(), topics: [], counters: {} }) }],
    });
    await producer.disconnect();
    console2 = await startConsole({ brokers: [broker.address], registryUrl: 'http://127.0.0.1:9', redisUrl: TEST_REDIS_URL, port: 0, windowMs: 600_000, windowText: '10m', everyMs: 2_000 });
    b = await launch();
  }, 60_000);

  afterAll(async () => {
    await b?.close().catch(() => undefined);
    await console2?.stop();
    await broker?.stop().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  }, 30_000);

  it('says so when the cluster has no mesh on it', async () => {
    const empty = await embeddedBrokerOnly('needs a cluster with no mesh on it');
    const bare = await startConsole({ brokers: [empty.address], registryUrl: 'http://127.0.0.1:9', redisUrl: TEST_REDIS_URL, port: 0, windowMs: 600_000, windowText: '10m', everyMs: 2_000 });
    try {
      await eventually(() => (bare.feed.connection().state === 'no-mesh' ? true : undefined), 'the first read', 20_000, 100);
      const p = await b.newPage();
      await p.goto(`${bare.url}#/agents`);
      const banner = p.locator('[data-testid=banner]');
      await banner.waitFor({ timeout: 20_000 });
      expect(await banner.textContent()).toBe(`no mesh on ${empty.address}: the topic mesh.heartbeats does not exist.`);
      await p.close();
    } finally {
      await bare.stop();
      await empty.stop();
    }
  });

  it('shows a banner while the broker is away and clears it once the reader reconnects', async () => {
    const p = await b.newPage();
    await eventually(() => (console2.feed.connection().state === 'ok' ? true : undefined), 'the first read', 20_000, 100);
    await p.goto(`${console2.url}#/agents`);
    await p.locator('[data-testid=agent-row]').waitFor({ timeout: 20_000 });
    expect(await p.locator('[data-testid=banner]').count()).toBe(0);

    // Stopped just after a refresh, well before the next: a read cut off mid-way would leave kafkajs retrying its consumer after the test.
    await console2.feed.nextRefresh();
    await broker.stop();
    const banner = p.locator('[data-testid=banner]');
    await banner.waitFor({ timeout: 30_000 });
    expect(await banner.textContent()).toMatch(/^cannot read the mesh on 127\.0\.0\.1:\d+: .*; reconnecting\. Showing what was read/);
    // The last fleet read stays on screen under the banner.
    expect(await p.locator('[data-testid=agent-row]').count()).toBe(1);
    await p.screenshot({ path: join(SHOTS, 'broker-away.png'), fullPage: true });

    broker = await startBroker({ port, dataDir, logLevel: 'error' });
    await banner.waitFor({ state: 'detached', timeout: 30_000 });
    expect(console2.feed.connection().state).toBe('ok');
    await p.close();
  }, 90_000);
});
