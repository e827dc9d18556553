#!/usr/bin/env node
/*
 * mesh console benchmark (not a test): how long the agents page takes to load in headless Chromium against a console
 * watching a simulated fleet.
 *
 * Run: npm run bench:console   (= npm run build && node test/bench/console.bench.js)
 *      BENCH_AGENTS=50 BENCH_INSTANCES=3 BENCH_RUNS=10 node test/bench/console.bench.js
 *
 * In this process: the embedded broker with the simulated fleet of the status bench (BENCH_AGENTS x BENCH_INSTANCES
 * instances, heartbeats over the 5-minute window, lag and DLQs), and the console on a free port once its fleet reader
 * has read it. Then, in headless Chromium (/usr/bin/chromium, or CHROMIUM_PATH), BENCH_RUNS loads of the agents page:
 *   cold   a new browser context each time (no cache): from navigation until the table shows every agent;
 *   warm   the same page reloaded (the vendored libraries cached, as a second visit has them);
 *   api    GET /api/fleet alone, the JSON the page renders.
 * Goal: a page load under 1 s locally.
 */
'use strict';
const path = require('node:path');
const { existsSync } = require('node:fs');
const { envInt, withTimeout, assertBuilt, hardDeadline, runMain } = require('./support/processes');
const { fmt, dist } = require('./support/report');
const { setUp, CFG } = require('./status.bench');

const ROOT = path.resolve(__dirname, '..', '..');
const DIST = { broker: path.join(ROOT, 'packages', 'broker', 'dist'), cli: path.join(ROOT, 'packages', 'cli', 'dist') };
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const RUNS = Math.max(1, envInt('BENCH_RUNS', 10));

/** Navigates (or reloads) and waits until the agents table has `agents` rows; ms from the start of navigation. */
async function timedLoad(page, url, agents, reload) {
  const started = process.hrtime.bigint();
  if (reload) await page.reload();
  else await page.goto(url);
  // Runs in the page, where `document` is the page's.
  await page.waitForFunction((n) => globalThis.document.querySelectorAll('[data-testid=agent-row]').length === n, agents, { timeout: 30_000 });
  return Number(process.hrtime.bigint() - started) / 1e6;
}

async function main() {
  assertBuilt(DIST);
  hardDeadline(10 * 60_000);
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (Debian: apt-get install chromium; or set CHROMIUM_PATH)`);
  const { chromium } = require('playwright-core');
  const { startConsole } = require(path.join(DIST.cli, 'console', 'server'));
  const { broker, admin, producer, agents } = await setUp();
  const web = await startConsole({
    brokers: [broker.address],
    registryUrl: 'http://127.0.0.1:9',
    redisUrl: 'redis://127.0.0.1:6379',
    port: 0,
    windowMs: CFG.windowMs,
    windowText: '5m',
    everyMs: 5_000,
  });
  await withTimeout(
    (async () => {
      while (web.feed.connection().state !== 'ok') await web.feed.nextRefresh();
    })(),
    60_000,
    "the console's first read of the fleet",
  );
  console.log(`console bench: agents page at ${web.url}#/agents, ${agents.length} agents, ${RUNS} runs`);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  const url = `${web.url}#/agents`;
  try {
    // Warm-up: the first launch of a page pays for Chromium's own start-up.
    const warmup = await browser.newContext();
    await timedLoad(await warmup.newPage(), url, agents.length, false);
    await warmup.close();

    const cold = [];
    for (let r = 0; r < RUNS; r++) {
      const context = await browser.newContext();
      cold.push(await timedLoad(await context.newPage(), url, agents.length, false));
      await context.close();
    }
    const context = await browser.newContext();
    const page = await context.newPage();
    await timedLoad(page, url, agents.length, false);
    const warm = [];
    for (let r = 0; r < RUNS; r++) warm.push(await timedLoad(page, url, agents.length, true));
    await context.close();
    const api = [];
    for (let r = 0; r < RUNS; r++) {
      const started = process.hrtime.bigint();
      const res = await fetch(`${web.url}api/fleet`);
      await res.json();
      api.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    const c = dist(cold);
    const w = dist(warm);
    const a = dist(api);
    console.log('');
    console.log(`agents page, ${agents.length} agents (ms, ${RUNS} runs)      p50      max`);
    console.log(`  cold load (no cache)           ${fmt(c.p50).padStart(9)}${fmt(c.max).padStart(9)}`);
    console.log(`  warm reload                    ${fmt(w.p50).padStart(9)}${fmt(w.max).padStart(9)}`);
    console.log(`  GET /api/fleet                 ${fmt(a.p50, 1).padStart(9)}${fmt(a.max, 1).padStart(9)}`);
    console.log(`  goal: a page load under 1000 ms: ${c.max < 1000 ? 'met' : 'NOT met'}`);
  } finally {
    await browser.close();
    await web.stop();
    await producer.disconnect();
    await admin.disconnect();
    await broker.stop();
  }
}

if (require.main === module) runMain(main);
