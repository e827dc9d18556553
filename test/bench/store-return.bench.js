#!/usr/bin/env node
/*
 * Saga store return benchmark (not a test): how soon sagas move again after the saga store comes back from an
 * outage that spanned a coordinator rebalance.
 *
 * Run: npm run bench:store-return   (= npm run build && node test/bench/store-return.bench.js)
 *      BENCH_RUNS=5 BENCH_SAGAS=20 BENCH_OUTAGE_MS=2000 node test/bench/store-return.bench.js
 *
 * Each run, in this process: the embedded broker, a PRIVATE redis-server (AOF everysec, a fresh temp dir) as the
 * saga store, coordinator A (one consumer group), and a participant (idempotency on BENCH_REDIS_URL, the shared
 * Redis, so that only the coordinators see the outage). One saga runs through (warm-up). Then the store stops
 * answering (SIGSTOP), coordinator B joins the group (a rebalance: every claim of the new assignment fails),
 * BENCH_SAGAS two-step sagas are triggered (they wait in their trigger topic), and after BENCH_OUTAGE_MS the store
 * answers again (SIGCONT). Measured from that moment:
 *   first moved  the first step-a command reaching the participant (a saga created and driven);
 *   all moved    the last saga's step-b command handled (every saga through).
 * (The end-to-end test test/coordinator/sagas-under-faults.test.ts covers replies that arrive during the outage.)
 * Printed per run and as median / max over BENCH_RUNS runs. Before claims were retried, nothing moved at all
 * until some coordinator restarted for another reason (the fault run that found it waited 69 s).
 */
'use strict';
const { randomBytes } = require('node:crypto');
const path = require('node:path');
const os = require('node:os');
const { envInt, withTimeout, sleep, assertBuilt } = require('./support/processes');
const { startPrivateRedis } = require('./support/modes');
const { fmt } = require('./support/report');

const ROOT = path.resolve(__dirname, '..', '..');
const DIST = {
  broker: path.join(ROOT, 'packages', 'broker', 'dist'),
  runtime: path.join(ROOT, 'packages', 'runtime', 'dist'),
  coordinator: path.join(ROOT, 'packages', 'coordinator', 'dist'),
};
const CFG = {
  runs: Math.max(1, envInt('BENCH_RUNS', 5)),
  sagas: Math.max(1, envInt('BENCH_SAGAS', 20)),
  outageMs: envInt('BENCH_OUTAGE_MS', 2000),
  redisUrl: process.env.BENCH_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  /** Bound on every wait of a run. */
  waitMs: envInt('BENCH_WAIT_MS', 30000),
};

async function until(predicate, what, timeoutMs = CFG.waitMs) {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

async function oneRun(run, mods, broker, redis) {
  const { coordinator, runtime } = mods;
  const pino = require(require.resolve('pino', { paths: [DIST.coordinator] }));
  const quiet = pino({ level: process.env.BENCH_LOG_LEVEL ?? 'silent' });
  const id = `${run}-${randomBytes(3).toString('hex')}`;
  const t = (s) => `bench.store-return.${id}.${s}`;
  const saga = coordinator.defineSaga({
    name: `store-return-${id}`,
    trigger: t('trigger'),
    sagaId: (trigger) => trigger.value.id,
    steps: [
      { name: 'a', command: t('a'), timeoutMs: 120000 },
      { name: 'b', command: t('b'), timeoutMs: 120000 },
    ],
  });
  const handled = { a: [], b: [] };
  const participant = coordinator.sagaParticipant({
    name: `store-return-p-${id}`,
    on: {
      [t('a')]: async (cmd) => void handled.a.push({ sagaId: cmd.sagaId, at: Date.now() }),
      [t('b')]: async (cmd) => void handled.b.push({ sagaId: cmd.sagaId, at: Date.now() }),
    },
    timeoutMs: 120000,
  });
  const codec = new runtime.JsonCodec();
  const idempotency = runtime.openIdempotencyStore({ redisUrl: CFG.redisUrl, logger: quiet, keyPrefix: `bench:store-return:${id}:` });
  const store = coordinator.SagaStore.connect(redis.url, quiet, { keyPrefix: `bench:store-return:${id}:`, commandTimeoutMs: 300, connectTimeoutMs: 300 });
  const common = { sagas: [saga], brokers: [broker.address], codec, store, logger: quiet, groupId: `store-return-${id}`, sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, heartbeatEveryMs: 0 };
  const started = [];
  try {
    // The coordinator first: it creates the step topics the participant subscribes to.
    const a = await coordinator.startCoordinator(common);
    started.unshift(() => a.stop());
    await withTimeout(a.joined, CFG.waitMs, 'coordinator A to join');
    const worker = await runtime.startWorker(participant, { brokers: [broker.address], codec, idempotency, logger: quiet, heartbeatEveryMs: 0, sessionTimeoutMs: 6000, heartbeatIntervalMs: 500 });
    started.push(() => worker.stop());
    await withTimeout(worker.joined, CFG.waitMs, 'the participant to join');

    const { Kafka, logLevel } = require(require.resolve('kafkajs', { paths: [DIST.coordinator] }));
    const producer = new Kafka({ clientId: 'bench', brokers: [broker.address], logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    started.push(() => producer.disconnect());
    const ids = Array.from({ length: CFG.sagas }, (_, i) => `${id}-${i}`);
    const publish = (batch) =>
      producer.send({ topic: t('trigger'), messages: batch.map((sagaId) => ({ key: sagaId, value: JSON.stringify({ id: sagaId }), headers: { 'mesh-event-id': `trigger-${sagaId}` } })) });
    // One saga through before the outage: everything is joined and warm.
    await publish([`${id}-warm`]);
    await until(() => handled.b.length === 1, 'the warm-up saga to finish');

    process.kill(redis.pid, 'SIGSTOP');
    let frozen = true;
    started.unshift(() => frozen && process.kill(redis.pid, 'SIGCONT'));
    const b = await coordinator.startCoordinator(common);
    started.unshift(() => b.stop());
    const unclaimed = async (c) => /cannot act on/.test((await c.readiness()).group.detail ?? '');
    await until(async () => (await unclaimed(a)) && (await unclaimed(b)), 'both coordinators to hold partitions they cannot claim');
    // Sagas asked for while the store is away wait in their trigger topic.
    await publish(ids);
    await sleep(CFG.outageMs);

    const returnedAt = Date.now();
    process.kill(redis.pid, 'SIGCONT');
    frozen = false;
    const moved = () => handled.a.filter((h) => h.sagaId !== `${id}-warm`);
    await until(() => moved().length > 0, 'the first saga to move');
    const firstMs = moved()[0].at - returnedAt;
    const done = () => handled.b.filter((h) => h.sagaId !== `${id}-warm`);
    await until(() => new Set(done().map((h) => h.sagaId)).size === ids.length, 'every saga to complete');
    const allMs = Math.max(...done().map((h) => h.at)) - returnedAt;
    return { firstMs, allMs };
  } finally {
    for (const stop of started) await Promise.resolve(stop()).catch(() => undefined);
    await store.close().catch(() => undefined);
    await idempotency.close?.().catch(() => undefined);
  }
}

async function main() {
  assertBuilt(DIST);
  const mods = { coordinator: require(DIST.coordinator), runtime: require(DIST.runtime) };
  const { startBroker } = require(DIST.broker);
  console.log(`store-return bench: ${CFG.runs} runs, ${CFG.sagas} sagas each, store away ${CFG.outageMs} ms across a rebalance; ${os.cpus().length} cores`);
  const broker = await startBroker({ port: 0, logLevel: 'silent' });
  const redis = await startPrivateRedis(path.join(os.tmpdir(), `bench-store-return-redis-${process.pid}.log`));
  const results = [];
  try {
    for (let run = 1; run <= CFG.runs; run++) {
      const r = await oneRun(run, mods, broker, redis);
      results.push(r);
      console.log(`  run ${run}: first saga moved ${fmt(r.firstMs)} ms after the store returned, all ${CFG.sagas} ${fmt(r.allMs)} ms`);
    }
  } finally {
    await redis.stop();
    await broker.stop();
  }
  const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor((xs.length - 1) / 2)];
  const first = results.map((r) => r.firstMs);
  const all = results.map((r) => r.allMs);
  console.log(`first saga moving again after the store returned: median ${fmt(median(first))} ms, max ${fmt(Math.max(...first))} ms (target: within 2,000 ms)`);
  console.log(`every saga moving again:                          median ${fmt(median(all))} ms, max ${fmt(Math.max(...all))} ms`);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
