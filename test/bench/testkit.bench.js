#!/usr/bin/env node
/*
 * Test kit benchmark (not a test): the wall time of a three-tier retry test on the kit's virtual clock.
 *
 * Run: npm run bench:testkit   (= npm run build && node test/bench/testkit.bench.js)
 *      BENCH_RUNS=10 REDIS_URL=redis://... node test/bench/testkit.bench.js
 *
 * One test mesh (@agentmesh/testing: embedded broker and registry in this process, the real Redis when REDIS_URL
 * is set, the in-process stores otherwise) on an auto-advancing clock. Per run, as a test would do it: a fresh
 * agent on retry tiers 1 s, 10 s and 60 s apart that fails each event three times is started, one event is
 * published, and the test waits for the output of the fourth attempt. Printed per run: the whole test (agent
 * start to output) and its retry part (publish to output), the virtual time the retries covered, and the target.
 */
'use strict';
const path = require('node:path');
const { randomBytes } = require('node:crypto');
const { envInt, assertBuilt, hardDeadline, runMain } = require('./support/processes');
const { fmt } = require('./support/report');

const ROOT = path.resolve(__dirname, '..', '..');
const DIST = {
  runtime: path.join(ROOT, 'packages', 'runtime', 'dist'),
  testing: path.join(ROOT, 'packages', 'testing', 'dist'),
};
const CFG = {
  runs: Math.max(1, envInt('BENCH_RUNS', 5)),
  targetMs: envInt('BENCH_TARGET_MS', 1_000),
  runTimeoutMs: envInt('BENCH_RUN_TIMEOUT_MS', 30_000),
};
const TIERS = [1_000, 10_000, 60_000];

async function main() {
  assertBuilt(DIST);
  hardDeadline(CFG.runs * CFG.runTimeoutMs + 60_000);
  const { defineAgent } = require(DIST.runtime);
  const { startTestMesh, failFirst } = require(DIST.testing);

  const startedMesh = Date.now();
  const mesh = await startTestMesh({ clock: 'auto', contracts: false });
  const meshStartMs = Date.now() - startedMesh;
  console.log(`test kit bench: three retry tiers (${TIERS.map((t) => `${t / 1000} s`).join(', ')}), ${CFG.runs} runs, stores: ${mesh.redisUrl ? 'redis' : 'in-process'}`);
  console.log(`mesh start (broker, registry, stores): ${fmt(meshStartMs)} ms, once per test file`);
  const rows = [];
  try {
    for (let run = 1; run <= CFG.runs; run++) {
      const name = `bench-tiers-${randomBytes(4).toString('hex')}`;
      const attempts = [];
      const succeedOnFourth = failFirst(3, (e) => [{ topic: `${name}.out`, value: { attempt: e.attempt } }]);
      const testStarted = Date.now();
      const agent = await mesh.run(
        defineAgent({
          name,
          consumes: [`${name}.in`],
          produces: [`${name}.out`],
          retry: { delaysMs: TIERS, maxAttempts: 4, jitter: 0 },
          handle: (e, ctx) => {
            attempts.push({ attempt: e.attempt, at: mesh.clock.now() });
            return succeedOnFourth(e, ctx);
          },
        }),
      );
      const published = Date.now();
      const sent = await mesh.publish(`${name}.in`, { run });
      const out = await mesh.outputs(`${name}.out`).waitFor({ causedBy: sent.eventId }, { timeoutMs: CFG.runTimeoutMs });
      const done = Date.now();
      await agent.stop();
      if (out.value.attempt !== 4 || attempts.map((a) => a.attempt).join() !== '1,2,3,4') throw new Error(`run ${run}: attempts ${JSON.stringify(attempts)}`);
      const virtualMs = attempts[3].at - attempts[0].at;
      if (virtualMs < TIERS.reduce((a, b) => a + b, 0)) throw new Error(`run ${run}: retries covered only ${virtualMs} ms of virtual time`);
      rows.push({ run, testMs: done - testStarted, retriesMs: done - published, virtualMs });
      console.log(`run ${run}: test ${fmt(done - testStarted)} ms (retries ${fmt(done - published)} ms of wall time for ${fmt(virtualMs / 1000, 1)} s of virtual time)`);
    }
  } finally {
    await mesh.stop();
  }
  const worst = Math.max(...rows.map((r) => r.testMs));
  const sorted = rows.map((r) => r.testMs).sort((a, b) => a - b);
  console.log(
    `three-tier retry test: median ${fmt(sorted[Math.floor(sorted.length / 2)])} ms, worst ${fmt(worst)} ms of wall time; target < ${fmt(CFG.targetMs)} ms: ${worst < CFG.targetMs ? 'met' : 'MISSED'}`,
  );
}

runMain(main);
