#!/usr/bin/env node
/*
 * Journaled steps benchmark (not a test): what ctx.step costs against a plain call, on the real Redis
 * (BENCH_REDIS_URL, else REDIS_URL, else 127.0.0.1:6379), through the runtime's own StepJournal and Redis
 * checkpoint store.
 *
 * Run: npm run bench:steps   (= npm run build && node test/bench/steps.bench.js)
 *      BENCH_EVENTS=2000 BENCH_STEPS=3 BENCH_CONCURRENCY=64 BENCH_BATCH=100 node test/bench/steps.bench.js
 *
 * Each event runs BENCH_STEPS steps, one after another, as a handler does. Three runs side by side: plain calls
 * (the baseline); journaled steps that read their event's journal themselves (a worker's first events, before
 * it has seen the agent use ctx.step); and journaled steps handed the journal the worker read for the whole
 * batch of BENCH_BATCH events in one round trip (journal/prefetch.ts, as the worker does after that). Printed: Redis round trips per step (each store call is one script or
 * command), the latency of one step when events run one at a time, and the wall time per step with
 * BENCH_CONCURRENCY events in flight (as a worker runs them). Target: one round trip and under 0.3 ms per step.
 */
'use strict';
const path = require('node:path');
const { randomBytes } = require('node:crypto');
const { envInt, assertBuilt, runMain } = require('./support/processes');
const { fmt } = require('./support/report');

const ROOT = path.resolve(__dirname, '..', '..');
const DIST = path.join(ROOT, 'packages', 'runtime', 'dist');
const CFG = {
  events: Math.max(10, envInt('BENCH_EVENTS', 2_000)),
  steps: Math.max(1, envInt('BENCH_STEPS', 3)),
  concurrency: Math.max(1, envInt('BENCH_CONCURRENCY', 64)),
  batch: Math.max(1, envInt('BENCH_BATCH', 100)),
  redisUrl: process.env.BENCH_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
};

async function main() {
  assertBuilt({ runtime: DIST });
  const pino = require(require.resolve('pino', { paths: [DIST] }));
  const { StepJournal } = require(path.join(DIST, 'journal', 'step-journal.js'));
  const { RedisCheckpointStore } = require(path.join(DIST, 'checkpoint', 'redis-checkpoint-store.js'));
  const { prefetchIds, prefetchedJournals } = require(path.join(DIST, 'journal', 'prefetch.js'));
  const logger = pino({ level: 'silent' });
  const inner = RedisCheckpointStore.connect(CFG.redisUrl, logger);
  let roundTrips = 0;
  const store = {
    kind: 'redis',
    load: (...a) => (roundTrips++, inner.load(...a)),
    loadMany: (...a) => (roundTrips++, inner.loadMany(...a)),
    save: (...a) => (roundTrips++, inner.save(...a)),
    clear: (...a) => (roundTrips++, inner.clear(...a)),
    close: () => inner.close(),
  };
  const agent = `bench-steps-${randomBytes(3).toString('hex')}`;
  const signal = new AbortController().signal;
  const work = (i, s) => ({ event: i, step: s, text: 'a result of the size a short LLM answer has'.repeat(4) });

  const plainEvent = async (i) => {
    for (let s = 0; s < CFG.steps; s++) await Promise.resolve(work(i, s));
  };
  const journaledEvent = async (i, run, prefetched) => {
    const journal = new StepJournal({ store, agent, eventId: `${run}-${i}`, logger: () => logger, signal: () => signal, random: Math.random, prefetched });
    for (let s = 0; s < CFG.steps; s++) await journal.run(`step-${s}`, () => work(i, s));
  };
  // Batches of CFG.batch events one after another, as a worker takes a partition's; within one, `concurrency` events
  // in flight. With `prefetch`, the batch's journals are read first, in one round trip, and handed to the events.
  const measure = async (eachEvent, concurrency, run, prefetch = false) => {
    const started = process.hrtime.bigint();
    for (let first = 0; first < CFG.events; first += CFG.batch) {
      const last = Math.min(CFG.events, first + CFG.batch);
      const ids = Array.from({ length: last - first }, (_, k) => `${run}-${first + k}`);
      const journals = prefetch ? prefetchedJournals(ids, await store.loadMany(agent, prefetchIds(ids), logger)) : undefined;
      let next = first;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < last) {
            const i = next++;
            await eachEvent(i, run, journals?.get(`${run}-${i}`));
          }
        }),
      );
    }
    return Number(process.hrtime.bigint() - started) / 1e3 / (CFG.events * CFG.steps);
  };

  await inner.load(agent, 'warm-up'); // connect before timing
  console.log(`steps bench: ${fmt(CFG.events)} events x ${CFG.steps} steps in batches of ${CFG.batch}, Redis ${CFG.redisUrl}, ${CFG.concurrency} events in flight for the concurrent rows`);
  const rows = [];
  for (const [label, concurrency] of [
    ['one event at a time', 1],
    [`${CFG.concurrency} events in flight`, CFG.concurrency],
  ]) {
    const plainUs = await measure(plainEvent, concurrency, 'plain');
    const run = (mode) => `${label.replace(/\W+/g, '-')}-${mode}-${randomBytes(2).toString('hex')}`;
    roundTrips = 0;
    const ownReadUs = await measure(journaledEvent, concurrency, run('own'));
    const ownReadTrips = roundTrips / (CFG.events * CFG.steps);
    roundTrips = 0;
    const batchReadUs = await measure(journaledEvent, concurrency, run('batch'), true);
    const batchReadTrips = roundTrips / (CFG.events * CFG.steps);
    rows.push({ label, plainUs, ownReadUs, ownReadTrips, batchReadUs, batchReadTrips });
  }
  const cols = [
    ['plain call', 14],
    ['ctx.step, own read', 22],
    ['trips/step', 12],
    ['ctx.step, batch read', 24],
    ['trips/step', 12],
  ];
  console.log(`${''.padEnd(24)}${cols.map(([t, w]) => t.padStart(w)).join('')}`);
  for (const r of rows) {
    const cells = [`${fmt(r.plainUs, 2)} µs`, `${fmt(r.ownReadUs, 1)} µs`, fmt(r.ownReadTrips, 3), `${fmt(r.batchReadUs, 1)} µs`, fmt(r.batchReadTrips, 3)];
    console.log(`${r.label.padEnd(24)}${cells.map((c, k) => c.padStart(cols[k][1])).join('')}`);
  }
  console.log(
    `round trips per step expected: own read ${fmt(1 + 1 / CFG.steps, 3)} (a write per step, a read per event), batch read ${fmt(1 + 1 / (CFG.steps * CFG.batch), 3)} (a write per step, a read per batch); target 1 and under 300 µs per step`,
  );
  // The bench's keys go with it.
  const keys = await inner.redis.keys(`mesh:ckpt:{${agent}}:*`);
  for (let i = 0; i < keys.length; i += 500) await inner.redis.del(...keys.slice(i, i + 500));
  await inner.close();
}

runMain(main);
