#!/usr/bin/env node
/*
 * Journaled steps benchmark (not a test): what ctx.step costs against a plain call, on the real Redis
 * (BENCH_REDIS_URL, else REDIS_URL, else 127.0.0.1:6379), through the runtime's own StepJournal and Redis
 * checkpoint store.
 *
 * Run: npm run bench:steps   (= npm run build && node test/bench/steps.bench.js)
 *      BENCH_EVENTS=2000 BENCH_STEPS=3 BENCH_CONCURRENCY=64 node test/bench/steps.bench.js
 *
 * Each event runs BENCH_STEPS steps, one after another, as a handler does. Two runs side by side: plain calls
 * (the baseline) and journaled steps. Printed: Redis round trips per step (each store call is one script or
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
  redisUrl: process.env.BENCH_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
};

async function main() {
  assertBuilt({ runtime: DIST });
  const pino = require(require.resolve('pino', { paths: [DIST] }));
  const { StepJournal } = require(path.join(DIST, 'journal', 'step-journal.js'));
  const { RedisCheckpointStore } = require(path.join(DIST, 'checkpoint', 'redis-checkpoint-store.js'));
  const logger = pino({ level: 'silent' });
  const inner = RedisCheckpointStore.connect(CFG.redisUrl, logger);
  let roundTrips = 0;
  const store = {
    kind: 'redis',
    load: (...a) => (roundTrips++, inner.load(...a)),
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
  const journaledEvent = async (i, run) => {
    const journal = new StepJournal({ store, agent, eventId: `${run}-${i}`, logger: () => logger, signal: () => signal, random: Math.random });
    for (let s = 0; s < CFG.steps; s++) await journal.run(`step-${s}`, () => work(i, s));
  };
  const measure = async (eachEvent, concurrency, run) => {
    let next = 0;
    const started = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < CFG.events) await eachEvent(next++, run);
      }),
    );
    return Number(process.hrtime.bigint() - started) / 1e3 / (CFG.events * CFG.steps);
  };

  await inner.load(agent, 'warm-up'); // connect before timing
  console.log(`steps bench: ${fmt(CFG.events)} events x ${CFG.steps} steps, Redis ${CFG.redisUrl}, ${CFG.concurrency} events in flight for the concurrent rows`);
  const rows = [];
  for (const [label, concurrency] of [
    ['one event at a time', 1],
    [`${CFG.concurrency} events in flight`, CFG.concurrency],
  ]) {
    const plainUs = await measure(plainEvent, concurrency, 'plain');
    roundTrips = 0;
    const journaledUs = await measure(journaledEvent, concurrency, `${label.replace(/\W+/g, '-')}-${randomBytes(2).toString('hex')}`);
    rows.push({ label, plainUs, journaledUs, roundTripsPerStep: roundTrips / (CFG.events * CFG.steps) });
  }
  console.log(`${''.padEnd(24)}${'plain call'.padStart(14)}${'ctx.step'.padStart(14)}${'Redis trips/step'.padStart(18)}`);
  for (const r of rows) console.log(`${r.label.padEnd(24)}${`${fmt(r.plainUs, 2)} µs`.padStart(14)}${`${fmt(r.journaledUs, 1)} µs`.padStart(14)}${fmt(r.roundTripsPerStep, 2).padStart(18)}`);
  console.log(`round trips per step: ${fmt(1 + 1 / CFG.steps, 2)} expected (one write per step, one journal read per event); target 1 and under 300 µs per step`);
  // The bench's keys go with it.
  const keys = await inner.redis.keys(`mesh:ckpt:{${agent}}:*`);
  for (let i = 0; i < keys.length; i += 500) await inner.redis.del(...keys.slice(i, i + 500));
  await inner.close();
}

runMain(main);
