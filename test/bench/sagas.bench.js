#!/usr/bin/env node
/*
 * Saga benchmark (not a test): a three-step saga run by the coordinator ("mesh") against a bare kafkajs
 * orchestration of the same three request/reply hops ("bare"), over the same embedded broker, in one run.
 *
 * Run: npm run bench:sagas   (= npm run build && node test/bench/sagas.bench.js)
 *      npm run bench:sagas -- --sagas=500 --fail-sagas=500     (flags are the env names below, lower case, - for _)
 *      npm run bench:sagas -- --durable                        (the durable mode only; --modes=memory: today's run)
 *
 * Modes: by default the whole bench (both sides, every phase) runs twice, one mode after the other, and the
 * report of each is printed, the durable one first (it is the headline, the way production runs):
 *   durable  the broker with a data dir (startBroker's dataDir, what `mesh broker --data-dir` runs: appends reach
 *            the kernel before they are acknowledged, no fsync per append) in a fresh temp dir, and Redis with AOF,
 *            appendfsync everysec: a PRIVATE redis-server started by the bench on a free port of 127.0.0.1
 *            (--appendonly yes --appendfsync everysec --save '' --dir <fresh temp dir>), since the shared Redis is
 *            a system service and is not reconfigured. Both dirs are removed at the end, also on failure.
 *   memory   the in-memory broker and the Redis of BENCH_REDIS_URL as it is configured (today's run).
 * The first line of each mode's run and of its report says which ran. One mode of the default counts takes
 * about a minute on a 2-core machine, so both stay within ~2 minutes per mode; BENCH_MODES=durable (or
 * --durable) or BENCH_MODES=memory runs one. With both, a last table compares the modes' headline figures.
 *
 * The saga: trigger bench.sagas.trigger, steps a, b, c; each step has a command topic and a compensation topic.
 * Each participant adds a field to the saga's data (aRef, bRef, cRef); in the failure phase step c throws
 * PermanentError for every saga, so the coordinator compensates b, then a (two compensation round trips).
 *
 * Processes (the same count and the same roles on both sides, so both get the same CPU budget on 2 cores):
 *   - this process, the driver: publishes triggers and collects timings (the same work for both sides).
 *   - the infra child: the embedded broker (packages/broker/dist), shared by both sides.
 *   - per side, TWO children, started for the side and stopped after it:
 *     mesh: the COORDINATOR in its own child process, as `mesh coordinator` runs it (runCoordinator: JsonCodec,
 *           Redis SagaStore under a bench key prefix, prom-client metrics, tracing set up with no exporter, pino at
 *           info to a file; default tick 50 ms, 6 saga.replies partitions); and the PARTICIPANTS child: three
 *           sagaParticipant agents (one per step, each its own consumer group) under startWorker, each with its
 *           own Redis idempotency store (openIdempotencyStore), JsonCodec, metrics, logger, tracer: what three
 *           `mesh run` processes assemble, gathered in one process (as bench:pipeline does, see there for why).
 *           The coordinator is in its own process because that is how it is deployed (a separate, fenced
 *           service), and so that its CPU and memory are measured alone.
 *     bare: the ORCHESTRATOR child: one consumer group on bare.sagas.trigger + bare.sagas.replies, an in-memory
 *           Map of sagas, one non-idempotent sendBatch (acks -1) per consumed batch with the next commands.
 *           No persistence, no idempotency, no retries, no timeouts, no audit records. And the RESPONDERS child:
 *           three plain consumer groups (one per step), one sendBatch of replies per consumed batch, running the
 *           same step function as the participants.
 *   - Redis (already running, or the bench's private one in durable mode): the mesh's saga state and idempotency
 *     keys, all under bench:sagas:<random>:.
 * Consumer settings match where they mean the same thing: maxWaitTimeInMs 100, the coordinator's/orchestrator's
 * partitionsConsumedConcurrently 6 (the coordinator's own min(replyPartitions, 8)), the workers'/responders' 4.
 *
 * Phases per side, in this order (each waits until every saga of the phase has finished):
 *   warm-up    BENCH_WARMUP sagas (group joins, JIT, connections), not reported;
 *   paced      BENCH_PACED_SAGAS at BENCH_PACED_RATE/s (a rate both sides sustain): the unloaded latency, and the
 *              per-hop breakdown (below);
 *   paced failure  BENCH_PACED_FAIL_SAGAS sagas whose last step fails permanently, at BENCH_PACED_RATE/s: the
 *              time from the STEP_FAILED timeline entry of step c to the COMPENSATED entry, unloaded;
 *   burst      BENCH_SAGAS sagas, triggers published as fast as possible (BENCH_PUBLISH_BATCH per send,
 *              BENCH_PUBLISH_IN_FLIGHT sends in flight): sagas/s = N / (last finishedAt - first trigger send);
 *              duration = finishedAt - the driver's send time of the saga's trigger (all Date.now() on one host);
 *   failure    BENCH_FAIL_SAGAS sagas whose last step fails permanently, as a burst: the time from the
 *              STEP_FAILED timeline entry of step c to the COMPENSATED entry (b and a compensated), p50/p99/max.
 * Timing counters (Redis calls, Produce requests, batches) and latency samples (command decided -> record encoded
 * -> handler; reply made -> coordinator) are taken per phase in the children; event-loop delay per child too.
 *
 * Where one step's round trip goes (mesh, paced phase; BENCH_BREAKDOWN=0 turns it off): for every command of the
 * phase, time stamps along its path, taken by hooks in the three processes it crosses (support/breakdown.js), all
 * on one host clock (performance.timeOrigin + performance.now(), sub-ms, the epoch of Date.now()), split the round
 * trip "coordinator decides a command -> coordinator has applied its reply" into consecutive named segments:
 *   coordinator  decided (SagaStore.save called with the new in-flight command) -> state written (save resolved)
 *                -> command handed to BatchProducer.send (encode command + audit records) -> kafkajs sendBatch
 *                (BatchProducer's coalescing turn, waiting for its request in flight) -> Broker.produce (kafkajs
 *                partitioning, the idempotent producer's broker lock) -> request written to the socket (encode,
 *                kafkajs request queue: SocketRequest.send called);
 *   broker       (timed inside the infra child: the embedded broker's Produce and Fetch handlers wrapped) Produce
 *                decoded -> appended -> [the participant issues the fetch that will carry it: kafkajs fetches once
 *                per broker and issues its next fetch only once the batches of the last are handled, so a record
 *                appended meanwhile waits for the consumer -> that fetch reaches the broker; both points are
 *                max(appended, the stamp), so they are 0 when a fetch was already waiting] -> the fetch response
 *                with the record is written (a waiting long poll woken by the append);
 *   participant  fetch response frame read (SocketRequest.completed) -> decoded (Broker.fetch resolved) ->
 *                eachBatch starts (kafkajs's consumer loop) -> idempotency claim done (readBatch + Redis) -> the
 *                handler runs (processEvent: trace, decode, saga envelope) -> handler returns -> reply handed to
 *                BatchProducer (encode, settle) -> sendBatch -> Broker.produce -> written;
 *   broker       the reply decoded -> appended -> [the coordinator's next fetch issued -> at the broker] ->
 *                in a fetch response to the coordinator;
 *   coordinator  response read -> decoded -> eachBatch -> reply decoded (ReplyIntake, codec) -> reply applied
 *                (SagaStore.save called with the command no longer in flight: drive lock, cached state, transition).
 * Printed as a table in the paced section, per segment over the commands with every stamp: p50, p99, mean, and
 * "mid", the segment's mean over the fifth of the commands whose round trips lie around the median (p40-p60).
 * The mids add up to about the round trip's p50 and the means to its mean exactly; the p50s of skewed segments
 * (waits that are 0 for most commands and long for some) add up to less, so the sums of all three are printed
 * beside the round trip measured on the SagaState timeline (STEP_STARTED -> STEP_SUCCEEDED, the coordinator's ms
 * clock), each with its unexplained remainder. Then the mids summed by area (Redis, waits, broker, kafkajs, mesh
 * code, ...), and what happens beside the path (Produce acks, the participant's idempotency complete after its
 * reply is acked, the coordinator's state write after it applied a reply, which starts the next step). In the
 * BENCH_JSON output as phases.paced.breakdown. The hooks (support/breakdown.js) cost a few µs per record and
 * stamp only while the paced phase runs. Nothing under packages/ is changed.
 *
 * Mesh timings come from the stored SagaState in Redis (startedAt, finishedAt, timeline), i.e. the coordinator's
 * clock; bare timings from the orchestrator's records, taken at the same points (trigger consumed, command
 * decided, reply consumed, saga finished). CPU: /proc of each process over the burst phase; peak RSS: VmRSS
 * sampled every 100 ms over the side's run (warm-up included).
 *
 * Environment / flags (all optional):
 *   BENCH_SAGAS              --sagas     sagas of the burst phase                     (default 2000)
 *   BENCH_FAIL_SAGAS         --fail-sagas sagas of the failure phase; 0 = skip        (default BENCH_SAGAS)
 *   BENCH_WARMUP             --warmup    warm-up sagas per side                       (default 200)
 *   BENCH_PACED_SAGAS        --paced-sagas sagas of the paced phase; 0 = skip         (default 200)
 *   BENCH_PACED_RATE         --paced-rate their rate, sagas/s                         (default 40)
 *   BENCH_PACED_FAIL_SAGAS   --paced-fail-sagas failing sagas at BENCH_PACED_RATE; 0 = skip (default 100)
 *   BENCH_ROUNDS             --rounds    rounds per side (alternating order), median  (default 1)
 *   BENCH_SIDES              --sides     mesh,bare (or one of them)                   (default mesh,bare)
 *   BENCH_PUBLISH_BATCH      triggers per producer.send()                             (default 100)
 *   BENCH_PUBLISH_IN_FLIGHT  sends in flight while publishing a burst                 (default 4)
 *   BENCH_TICK_MS            the coordinator's tickMs (its default, 50, when unset)
 *   BENCH_PROFILE            1: V8 CPU profiles of both children of each side over the burst phase, summarised
 *                            (the profiler slows the profiled burst; its figures are marked)  (default 0)
 *   BENCH_MODES              --modes     both, durable or memory (above)              (default both)
 *   BENCH_DURABLE            --durable   1: durable only (BENCH_MODES=durable); 0: memory only
 *   BENCH_BREAKDOWN          0: no per-command time stamps in the paced phase         (default 1)
 *   BENCH_REDIS_URL          Redis of the memory mode                                 (default redis://127.0.0.1:6379)
 *   BENCH_SETTLE_TIMEOUT_MS  bound on one phase's sagas finishing                     (default 90000)
 *   BENCH_STALL_MS           a phase fails when no saga of it finishes for this long   (default 20000)
 * A side whose phase fails (stall, stuck sagas, timeout) stops there; the other side still runs, the report shows
 * what was measured, the failure and where its logs are, and the run exits 1.
 *   BENCH_DEADLINE_MS        hard bound on the whole run                       (default 400000 per mode)
 *   BENCH_JSON               also write every figure (all rounds, phases, counters, breakdowns) to this JSON
 *                            file: { config, runs: [{ mode, description, results }], results } (results: the
 *                            first mode's, as before modes)
 */
'use strict';

// Flags: --sagas=500 sets BENCH_SAGAS=500 (children inherit the environment, so they see the same CFG).
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a.startsWith('--child=')) continue;
  const m = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/.exec(a);
  if (!m)
    throw new Error(
      `unknown argument ${a} (flags: --sagas=N, --fail-sagas=N, --warmup=N, --paced-sagas=N, --paced-rate=N, --rounds=N, --sides=mesh,bare, --profile, --durable, --modes=both|durable|memory)`,
    );
  let value = m[2];
  if (value === undefined) {
    const nextArg = process.argv[i + 1];
    value = nextArg !== undefined && !nextArg.startsWith('--') ? (i++, nextArg) : '1';
  }
  process.env[`BENCH_${m[1].toUpperCase().replace(/-/g, '_')}`] = value;
}

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

const { randomBytes } = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { envInt, withTimeout, sleep, procCpuMs, selfCpuMs, machineBusyMs, rssSampler, assertBuilt, hardDeadline } = require('./support/processes');
const { benchEntry, serveControl, startChild } = require('./support/children');
const { Counters, timedMethod, instrumentKafkajs } = require('./support/counters');
const { kafkaClient, plainConsumer, publish } = require('./support/kafka');
const { redisClient, connectRedis, deleteKeys } = require('./support/redis');
const { fmt, dist, comparisonTable, printCounters } = require('./support/report');
const { summarizeProfile } = require('./support/cpuprofile');
const { childLogger, meshAgents } = require('./support/mesh-agents');
const breakdown = require('./support/breakdown');
const { modesToRun, setUpMode } = require('./support/modes');

const ROOT = path.resolve(__dirname, '..', '..');
const DIST = {
  broker: path.join(ROOT, 'packages', 'broker', 'dist'),
  runtime: path.join(ROOT, 'packages', 'runtime', 'dist'),
  coordinator: path.join(ROOT, 'packages', 'coordinator', 'dist'),
};
// Third-party modules as the coordinator resolves them, so patches hit the very instances it uses.
const fromPkg = (id) => require(require.resolve(id, { paths: [path.join(ROOT, 'packages', 'coordinator')] }));
const kafkajsDir = () => path.dirname(require.resolve('kafkajs/package.json', { paths: [path.join(ROOT, 'packages', 'coordinator')] }));

const CFG = {
  sagas: Math.max(1, envInt('BENCH_SAGAS', 2000)),
  failSagas: envInt('BENCH_FAIL_SAGAS', envInt('BENCH_SAGAS', 2000)),
  warmup: envInt('BENCH_WARMUP', 200),
  pacedSagas: envInt('BENCH_PACED_SAGAS', 200),
  pacedRate: Math.max(1, envInt('BENCH_PACED_RATE', 40)),
  pacedFailSagas: envInt('BENCH_PACED_FAIL_SAGAS', 100),
  rounds: Math.max(1, envInt('BENCH_ROUNDS', 1)),
  sides: (process.env.BENCH_SIDES || 'mesh,bare')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
  publishBatch: Math.max(1, envInt('BENCH_PUBLISH_BATCH', 100)),
  publishInFlight: Math.max(1, envInt('BENCH_PUBLISH_IN_FLIGHT', 4)),
  tickMs: envInt('BENCH_TICK_MS', 0),
  profile: envInt('BENCH_PROFILE', 0) !== 0,
  redisUrl: process.env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379',
  settleTimeoutMs: envInt('BENCH_SETTLE_TIMEOUT_MS', 90000),
  stallMs: envInt('BENCH_STALL_MS', 20000),
  modes: modesToRun(),
  breakdown: envInt('BENCH_BREAKDOWN', 1) !== 0,
  deadlineMs: envInt('BENCH_DEADLINE_MS', 400000 * modesToRun().length),
  json: process.env.BENCH_JSON || '',
};

const PARTITIONS = 3; // triggers, commands, saga.events: the coordinator's defaultPartitions
const REPLY_PARTITIONS = 6; // saga.replies: the coordinator's default replyPartitions
const HUB_CONCURRENCY = Math.min(REPLY_PARTITIONS, 8); // the coordinator's partitionsConsumedConcurrently
const STEPS = ['a', 'b', 'c'];
const STEP_TIMEOUT_MS = 30000; // the DSL's default step timeout, set explicitly so commands' deadlines give their send time
const SAGA_NAME = 'bench-order';
const MESH = { trigger: 'bench.sagas.trigger', cmd: (s) => `bench.sagas.${s}`, undo: (s) => `bench.sagas.${s}.undo` };
const BARE = { trigger: 'bare.sagas.trigger', cmd: (s) => `bare.sagas.${s}`, undo: (s) => `bare.sagas.${s}.undo`, replies: 'bare.sagas.replies' };
const COORDINATOR_TOPICS = { replies: 'saga.replies', events: 'saga.events', stuck: 'saga.stuck', dlq: 'mesh-coordinator.dlq' };

/** The business work of a step, the same function on both sides: adds a field, or refuses (failure phase, step c). */
function stepWork(step, data) {
  if (step === 'c' && data && data.fail) return { fail: `step c refuses saga ${data.id}` };
  return { added: { [`${step}Ref`]: `${step}-${data && data.id}` } };
}

// ---------------------------------------------------------------------------------------------------------------
// Children. `node sagas.bench.js --child=<kind>` (support/children.js).

/** Topics whose records the paced phase's breakdown follows: the step commands and the replies. */
const TRACKED_TOPICS = [...STEPS.map((s) => MESH.cmd(s)), COORDINATOR_TOPICS.replies];

async function infraChild(send) {
  const { startBroker } = require(DIST.broker);
  const { dataDir } = JSON.parse(process.env.BENCH_INFRA || '{}');
  // The broker's Produce and Fetch handlers, timed per record while the driver asks (the paced phase).
  const stamps = new breakdown.Stamps();
  breakdown.hookBroker(DIST.broker, stamps);
  const broker = await startBroker({ port: 0, logLevel: 'warn', defaultPartitions: PARTITIONS, ...(dataDir ? { dataDir } : {}) });
  serveControl(send, () => broker.stop(), breakdown.stampRequests(stamps));
  send({ type: 'ready', address: broker.address });
}

/**
 * The driver's requests about a child's counters (the rest of its control: support/children.js), with the
 * child's event-loop delay since the last reset, and `extra` requests of the child's own.
 */
function serveCounters(send, counters, stop, extra = {}) {
  const { monitorEventLoopDelay } = require('node:perf_hooks');
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  serveControl(send, stop, {
    ...extra,
    counters: () => ({
      counters: counters.toJSON(),
      samples: counters.samplesJSON(),
      // Event-loop delay beyond the 10 ms sampling resolution, ms: how late callbacks (replies, Redis answers, timers) ran.
      eventLoop: { p50: loop.percentile(50) / 1e6, p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 },
    }),
    'reset-counters': () => {
      counters.reset();
      loop.reset();
      return null;
    },
  });
}

/**
 * Times every kafkajs client made from now on in this process: producer sendBatch/send as the caller awaits it
 * (for an idempotent producer that includes waiting for the per-broker lock: one Produce request at a time), the
 * Produce request itself (Broker.produce: the round trip once the lock is held), and the size of consumed batches.
 */
function instrument(kafkajs, counters, stamps, onRecord) {
  const Broker = require(path.join(kafkajsDir(), 'src', 'broker'));
  const produce = Broker.prototype.produce;
  Broker.prototype.produce = function (req) {
    const n = req.topicData.reduce((a, t) => a + t.partitions.reduce((b, p) => b + p.messages.length, 0), 0);
    return counters.time(
      'kafka Produce request (round trip)',
      () => produce.call(this, req),
      () => n,
    );
  };
  instrumentKafkajs(kafkajs, counters, {
    sendBatch: 'kafka sendBatch (awaited)',
    send: 'kafka send (awaited)',
    heartbeat: 'kafka send (heartbeat)',
    eachBatch: (payload, next) => {
      const n = payload.batch.messages.length;
      if (n === 0) return next();
      if (stamps) breakdown.markBatch(stamps, payload.batch, onRecord);
      return counters.time(`eachBatch ${payload.batch.topic}`, next, () => n);
    },
  });
  // The path of each record of the tracked topics, while the driver asks (support/breakdown.js).
  if (stamps) breakdown.hookKafkajs(kafkajs, kafkajsDir(), stamps);
}

/** Where a command's time goes before its handler runs: decided (transition) -> record made (Produce encoded) -> handler. */
function commandLatency(counters, decidedAt, recordTs) {
  const now = Date.now();
  const ts = Number(recordTs);
  counters.sample('command decided -> its record encoded', ts - decidedAt);
  counters.sample('command record encoded -> handler runs', now - ts);
}

function benchSaga(coord) {
  return coord.defineSaga({
    name: SAGA_NAME,
    trigger: MESH.trigger,
    steps: STEPS.map((s) => ({ name: s, command: MESH.cmd(s), compensation: MESH.undo(s), timeoutMs: STEP_TIMEOUT_MS })),
  });
}

async function coordinatorChild(send) {
  const counters = new Counters();
  const stamps = new breakdown.Stamps();
  // A reply's value (the Buffer the codec is handed) -> the reply's event id, for its decode's stamp.
  const replyOf = new WeakMap();
  instrument(fromPkg('kafkajs'), counters, stamps, (id, m) => m.value && replyOf.set(m.value, id));
  const coord = require(DIST.coordinator);
  const rt = require(DIST.runtime);
  breakdown.hookBatchProducer(require(path.join(DIST.runtime, 'internal')).BatchProducer, stamps);
  // Every Redis call of the saga store: what one saga costs in round trips.
  const proto = coord.SagaStore.prototype;
  timedMethod(proto, 'create', counters, 'redis saga create (Lua)', () => 1);
  timedMethod(proto, 'load', counters, 'redis saga load (HGET)', () => 1);
  timedMethod(proto, 'save', counters, 'redis saga save (Lua, fenced CAS)', () => 1);
  timedMethod(proto, 'due', counters, 'redis timers due (ZRANGEBYSCORE)', (_a, r) => (r ? r.length : 0));
  timedMethod(proto, 'loadMany', counters, 'redis saga loadMany', (a) => a[0].length);
  timedMethod(proto, 'claimPartition', counters, 'redis claim partition', () => 1);
  // A command is decided when the state that holds it in flight is saved, and its reply applied when the state
  // that no longer holds it is (the transitions' clock reads come just before, with no await between).
  const save = proto.save;
  proto.save = function (previous, next, ...rest) {
    if (!stamps.on) return save.call(this, previous, next, ...rest);
    const t = breakdown.now();
    const was = previous && previous.inFlight;
    const is = next && next.inFlight;
    const issued = is && (!was || was.eventId !== is.eventId) ? is.eventId : undefined;
    const ended = was && (!is || is.eventId !== was.eventId) ? was.eventId : undefined;
    if (issued) {
      stamps.mark(issued, 'coord.decided', t);
      stamps.note(issued, { step: STEPS[is.step], kind: is.kind });
    }
    if (ended) stamps.markKnown(ended, 'coord.applied', t);
    return save.call(this, previous, next, ...rest).then((r) => {
      const t2 = breakdown.now();
      if (issued) stamps.mark(issued, 'coord.saved', t2);
      if (ended) stamps.markKnown(ended, 'coord.appliedSaved', t2);
      return r;
    });
  };
  // The reply's repliedAt is stamped by the participant right after its handler: reply made -> coordinator has it.
  const decode = rt.JsonCodec.prototype.decode;
  rt.JsonCodec.prototype.decode = async function (topic, bytes) {
    const value = await decode.call(this, topic, bytes);
    if (topic === 'saga.replies' && value && value.repliedAt) counters.sample('reply made (participant) -> decoded by coordinator', Date.now() - value.repliedAt);
    if (stamps.on && topic === 'saga.replies') stamps.markKnown(replyOf.get(bytes), 'consume.decoded');
    return value;
  };
  const { brokers, redisUrl, sagaPrefix, logFile } = JSON.parse(process.env.BENCH_CHILD);
  const tracing = rt.setupTracing({ serviceName: 'bench-coordinator', exporter: 'none' });
  const logger = childLogger(rt, fromPkg('pino'), 'bench-coordinator', logFile);
  const svc = await coord.runCoordinator({
    sagas: [benchSaga(coord)],
    brokers,
    redisUrl,
    keyPrefix: sagaPrefix,
    observability: false,
    logger,
    tracing,
    coordinator: CFG.tickMs > 0 ? { tickMs: CFG.tickMs } : {},
  });
  serveCounters(
    send,
    counters,
    async () => {
      await svc.stop();
      await tracing.shutdown().catch(() => {});
      logger.flush();
    },
    breakdown.stampRequests(stamps),
  );
  await svc.ready(60000);
  send({ type: 'ready' });
}

async function participantsChild(send) {
  const counters = new Counters();
  const stamps = new breakdown.Stamps();
  instrument(fromPkg('kafkajs'), counters, stamps);
  const coord = require(DIST.coordinator);
  breakdown.hookBatchProducer(require(path.join(DIST.runtime, 'internal')).BatchProducer, stamps);
  const { brokers, redisUrl, idemPrefix, logFile } = JSON.parse(process.env.BENCH_CHILD);
  const agents = meshAgents(DIST.runtime, fromPkg('pino'), counters, {
    name: 'bench-participants',
    logFile,
    brokers,
    redisUrl,
    keyPrefix: idemPrefix,
    defaultPartitions: PARTITIONS,
    storeTimers: { claim: 'redis idempotency claim', complete: 'redis idempotency complete' },
    stamps,
  });
  const rt = agents.rt;
  serveCounters(send, counters, agents.stop, breakdown.stampRequests(stamps));
  for (const s of STEPS) {
    const agent = coord.sagaParticipant({
      name: `bench-sagas-${s}`,
      on: {
        [MESH.cmd(s)]: (cmd) => {
          const id = cmd.event.eventId;
          stamps.markKnown(id, 'handler.start');
          commandLatency(counters, cmd.deadlineAt - STEP_TIMEOUT_MS, cmd.event.timestamp);
          const r = stepWork(s, cmd.data);
          stamps.markKnown(id, 'handler.end');
          if (r.fail) throw new rt.PermanentError(r.fail);
          return r.added;
        },
        [MESH.undo(s)]: (cmd) => {
          commandLatency(counters, cmd.deadlineAt - STEP_TIMEOUT_MS, cmd.event.timestamp);
        },
      },
    });
    // As runAgent assembles one agent process: its own store, codec, metrics.
    await agents.add(agent, new rt.JsonCodec());
  }
  await agents.joined('the participants to join their groups');
  send({ type: 'ready' });
}

/** A bare child's counters, and its kafkajs client (instrumented) on the driver's brokers. */
function bareKafka(clientId) {
  const counters = new Counters();
  const kafkajs = fromPkg('kafkajs');
  instrument(kafkajs, counters);
  const { brokers } = JSON.parse(process.env.BENCH_CHILD);
  return { counters, kafka: new kafkajs.Kafka({ clientId, brokers, logLevel: kafkajs.logLevel.NOTHING }) };
}

async function orchestratorChild(send) {
  const { counters, kafka } = bareKafka('bare-orchestrator');
  const producer = kafka.producer({ idempotent: false });
  await producer.connect();
  const { consumer, joined } = await plainConsumer(kafka, 'bare-orchestrator', [BARE.trigger, BARE.replies]);

  /** id -> { startedAt, sent[], replied[], undoSent[], undone[], failedAt, finishedAt, status, data } */
  const sagas = new Map();
  const stepIndex = new Map(STEPS.map((s, i) => [s, i]));
  await consumer.run({
    partitionsConsumedConcurrently: HUB_CONCURRENCY,
    eachBatch: async ({ batch }) => {
      const out = new Map();
      const push = (topic, saga, step, kind) => {
        if (!out.has(topic)) out.set(topic, []);
        out.get(topic).push({ key: saga.id, value: JSON.stringify({ sagaId: saga.id, step, kind, decidedAt: Date.now(), data: saga.data }) });
      };
      const compensateFrom = (saga, j, now) => {
        if (j < 0) {
          saga.status = 'compensated';
          saga.finishedAt = now;
          return;
        }
        saga.undoSent[j] = now;
        push(BARE.undo(STEPS[j]), saga, STEPS[j], 'compensate');
      };
      for (const m of batch.messages) {
        const now = Date.now();
        if (batch.topic === BARE.trigger) {
          const id = m.key.toString();
          if (sagas.has(id)) continue;
          const saga = { id, status: 'running', data: JSON.parse(m.value.toString()), startedAt: now, sent: [now], replied: [], undoSent: [], undone: [], failedAt: null, finishedAt: null };
          sagas.set(id, saga);
          push(BARE.cmd(STEPS[0]), saga, STEPS[0], 'execute');
          continue;
        }
        const r = JSON.parse(m.value.toString());
        counters.sample('reply made (participant) -> decoded by coordinator', now - r.repliedAt);
        const saga = sagas.get(r.sagaId);
        const i = stepIndex.get(r.step);
        if (!saga || i === undefined) continue;
        if (r.kind === 'execute') {
          saga.replied[i] = now;
          if (r.outcome === 'SUCCEEDED') {
            if (r.data) saga.data = r.data;
            if (i + 1 < STEPS.length) {
              saga.sent[i + 1] = now;
              push(BARE.cmd(STEPS[i + 1]), saga, STEPS[i + 1], 'execute');
            } else {
              saga.status = 'completed';
              saga.finishedAt = now;
            }
          } else {
            saga.status = 'compensating';
            saga.failedAt = now;
            compensateFrom(saga, i - 1, now);
          }
        } else {
          saga.undone[i] = now;
          compensateFrom(saga, i - 1, now);
        }
      }
      if (out.size > 0) await producer.sendBatch({ acks: -1, topicMessages: [...out].map(([topic, messages]) => ({ topic, messages })) });
    },
  });
  const ofRun = (prefix) => [...sagas.values()].filter((s) => s.id.startsWith(prefix));
  serveCounters(
    send,
    counters,
    async () => {
      await consumer.disconnect();
      await producer.disconnect();
    },
    {
      progress: (msg) => {
        const out = { done: 0, running: 0 };
        for (const s of ofRun(msg.prefix)) s.finishedAt ? out.done++ : out.running++;
        return out;
      },
      results: (msg) => {
        const rows = ofRun(msg.prefix).map(({ data, ...rest }) => rest);
        for (const r of rows) sagas.delete(r.id);
        return rows;
      },
    },
  );
  await withTimeout(joined, 60000, 'the orchestrator to join its group');
  send({ type: 'ready' });
}

async function respondersChild(send) {
  const { counters, kafka } = bareKafka('bare-responders');
  const clients = [];
  serveCounters(send, counters, async () => {
    await Promise.allSettled(clients.map((c) => c.disconnect()));
  });
  const joined = [];
  for (const s of STEPS) {
    const producer = kafka.producer({ idempotent: false });
    await producer.connect();
    clients.push(producer);
    const { consumer, joined: consumerJoined } = await plainConsumer(kafka, `bare-sagas-${s}`, [BARE.cmd(s), BARE.undo(s)]);
    clients.push(consumer);
    joined.push(consumerJoined);
    await consumer.run({
      partitionsConsumedConcurrently: 4,
      eachBatch: async ({ batch }) => {
        const replies = [];
        for (const m of batch.messages) {
          const cmd = JSON.parse(m.value.toString());
          commandLatency(counters, cmd.decidedAt, m.timestamp);
          let reply;
          if (batch.topic === BARE.cmd(s)) {
            const r = stepWork(s, cmd.data);
            reply = r.fail
              ? { sagaId: cmd.sagaId, step: s, kind: 'execute', outcome: 'FAILED', data: null, error: r.fail, repliedAt: Date.now() }
              : { sagaId: cmd.sagaId, step: s, kind: 'execute', outcome: 'SUCCEEDED', data: { ...cmd.data, ...r.added }, error: null, repliedAt: Date.now() };
          } else {
            reply = { sagaId: cmd.sagaId, step: s, kind: 'compensate', outcome: 'SUCCEEDED', data: null, error: null, repliedAt: Date.now() };
          }
          replies.push({ key: cmd.sagaId, value: JSON.stringify(reply) });
        }
        if (replies.length > 0) await producer.sendBatch({ acks: -1, topicMessages: [{ topic: BARE.replies, messages: replies }] });
      },
    });
  }
  await withTimeout(Promise.all(joined), 60000, 'the responders to join their groups');
  send({ type: 'ready' });
}

// ---------------------------------------------------------------------------------------------------------------
// Driver: what went wrong, what was run

/** The warn/error lines of a child's pino log, counted by message and error (what went wrong, at a glance). */
function summarizeLog(file) {
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return 'no log';
  }
  const counts = new Map();
  for (const line of text.split('\n')) {
    if (!/"level":(40|50|60|"warn"|"error"|"fatal")/.test(line)) continue;
    const msg = /"msg":"([^"]*)"/.exec(line);
    const error = /"error":"([^"]{0,120})/.exec(line);
    // Ids and numbers out, so one kind of problem counts once.
    const k = `${msg ? msg[1] : '?'}${error ? ` [${error[1]}]` : ''}`.replace(/[\w-]*\d[\w-]*/g, '<id>');
    counts.set(k, (counts.get(k) || 0) + 1);
  }
  if (counts.size === 0) return 'none';
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 6)
    .map(([k, n]) => `${fmt(n)} x ${k}`)
    .join('; ');
}

/** The commit benchmarked, and whether packages/coordinator or packages/runtime differ from it (work in progress). */
function gitState() {
  try {
    const { execFileSync } = require('node:child_process');
    const git = (...args) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const dirty = git('status', '--porcelain', '--', 'packages/coordinator', 'packages/runtime', 'packages/broker').split('\n').filter(Boolean);
    const files = dirty.map((l) => l.slice(3).trim());
    return `${git('rev-parse', '--short', 'HEAD').trim()}${dirty.length ? ` + ${dirty.length} uncommitted change(s) in coordinator/runtime/broker: ${files.join(', ')}` : ' (clean)'}`;
  } catch {
    return 'unknown (no git)';
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Driver: timings

/**
 * One saga as both sides report it: times on the host clock (ms). `firstCommandAt`, `stepRtt` and the
 * compensation fields are undefined where the side or the phase has none.
 */
function meshRow(state) {
  const at = new Map();
  const anomalies = {};
  for (const e of state.timeline) {
    const k = `${e.type}:${e.step || ''}`;
    if (!at.has(k)) at.set(k, e.at);
    if (['STEP_TIMED_OUT', 'STEP_RETRY_SCHEDULED', 'REPLY_IGNORED', 'COMPENSATION_FAILED', 'STUCK'].includes(e.type)) anomalies[e.type] = (anomalies[e.type] || 0) + 1;
  }
  const g = (type, step = '') => at.get(`${type}:${step}`);
  return {
    id: state.correlationId,
    status: state.status,
    startedAt: state.startedAt,
    finishedAt: state.finishedAt,
    firstCommandAt: g('STEP_STARTED', STEPS[0]),
    stepRtt: STEPS.map((s) => (g('STEP_SUCCEEDED', s) ?? g('STEP_FAILED', s)) - g('STEP_STARTED', s)),
    undoRtt: STEPS.map((s) => g('STEP_COMPENSATED', s) - g('COMPENSATION_STARTED', s)),
    failedAt: g('STEP_FAILED', STEPS[STEPS.length - 1]),
    compensatedAt: g('COMPENSATED'),
    anomalies,
  };
}

/** dist() and the mean of the finite values. */
function distMean(values) {
  const v = values.filter((x) => Number.isFinite(x));
  return { ...dist(v), mean: v.length ? v.reduce((a, x) => a + x, 0) / v.length : null };
}

function bareRow(r) {
  return {
    id: r.id,
    status: r.status,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    firstCommandAt: r.sent[0],
    stepRtt: STEPS.map((_, i) => r.replied[i] - r.sent[i]),
    undoRtt: STEPS.map((_, i) => r.undone[i] - r.undoSent[i]),
    failedAt: r.failedAt,
    compensatedAt: r.status === 'compensated' ? r.finishedAt : undefined,
    anomalies: {},
  };
}

/**
 * A step's path, as support/breakdown.js pathBreakdown takes it: `cmd` is the command (its event id), `reply`
 * the participant's reply to it (caused by it). Each point ends the segment labelled there.
 */
const STEP_PATH = [
  { at: ['cmd', 'coord.decided'] },
  { at: ['cmd', 'coord.saved'], where: 'coordinator', area: 'saga store (Redis)', label: 'decided -> state written (SagaStore.save: fenced CAS)' },
  { at: ['cmd', 'produce.handed'], where: 'coordinator', area: 'mesh code', label: 'state written -> command handed to BatchProducer (encode cmd + audit)' },
  { at: ['cmd', 'produce.sendBatch'], where: 'coordinator', area: 'producer waits', label: 'BatchProducer: coalescing turn, request in flight -> sendBatch' },
  { at: ['cmd', 'produce.request'], where: 'coordinator', area: 'kafkajs client', label: 'kafkajs producer: partitioning, idempotent broker lock' },
  { at: ['cmd', 'produce.written'], where: 'coordinator', area: 'kafkajs client', label: 'kafkajs: encode Produce, request queue -> socket write called' },
  { at: ['cmd', 'broker.received'], where: 'broker', area: 'network + broker', label: 'write -> broker decodes the Produce (kernel, its event loop)' },
  { at: ['cmd', 'broker.appended'], where: 'broker', area: 'network + broker', label: 'broker: append' },
  { at: ['cmd', 'fetch.issued'], where: 'participant', area: 'no fetch out (consumer busy)', label: 'appended -> participant issues its next fetch (previous batch in hand)' },
  { at: ['cmd', 'fetch.arrived'], where: 'broker', area: 'network + broker', label: 'that fetch reaches the broker' },
  { at: ['cmd', 'broker.fetchSent'], where: 'broker', area: 'network + broker', label: 'broker: long poll wakes / answers -> fetch response written' },
  { at: ['cmd', 'consume.received'], where: 'participant', area: 'network + broker', label: 'socket -> participant has the fetch response frame' },
  { at: ['cmd', 'consume.fetched'], where: 'participant', area: 'kafkajs client', label: 'kafkajs: decode the fetch response' },
  { at: ['cmd', 'consume.batch'], where: 'participant', area: 'consumer loop', label: 'kafkajs consumer loop -> eachBatch starts' },
  { at: ['cmd', 'claim.done'], where: 'participant', area: 'idempotency (Redis)', label: 'readBatch + idempotency claim (Redis)' },
  { at: ['cmd', 'handler.start'], where: 'participant', area: 'mesh code', label: 'processEvent: trace, decode, saga envelope -> handler' },
  { at: ['cmd', 'handler.end'], where: 'participant', area: 'handler', label: 'handler (the step function)' },
  { at: ['reply', 'produce.handed'], where: 'participant', area: 'mesh code', label: 'encode data + reply, settle batch -> BatchProducer' },
  { at: ['reply', 'produce.sendBatch'], where: 'participant', area: 'producer waits', label: 'BatchProducer: coalescing turn, request in flight -> sendBatch' },
  { at: ['reply', 'produce.request'], where: 'participant', area: 'kafkajs client', label: 'kafkajs producer: partitioning, idempotent broker lock' },
  { at: ['reply', 'produce.written'], where: 'participant', area: 'kafkajs client', label: 'kafkajs: encode Produce, request queue -> socket write called' },
  { at: ['reply', 'broker.received'], where: 'broker', area: 'network + broker', label: 'write -> broker decodes the Produce (kernel, its event loop)' },
  { at: ['reply', 'broker.appended'], where: 'broker', area: 'network + broker', label: 'broker: append' },
  { at: ['reply', 'fetch.issued'], where: 'coordinator', area: 'no fetch out (consumer busy)', label: 'appended -> coordinator issues its next fetch (previous batch in hand)' },
  { at: ['reply', 'fetch.arrived'], where: 'broker', area: 'network + broker', label: 'that fetch reaches the broker' },
  { at: ['reply', 'broker.fetchSent'], where: 'broker', area: 'network + broker', label: 'broker: long poll wakes / answers -> fetch response written' },
  { at: ['reply', 'consume.received'], where: 'coordinator', area: 'network + broker', label: 'socket -> coordinator has the fetch response frame' },
  { at: ['reply', 'consume.fetched'], where: 'coordinator', area: 'kafkajs client', label: 'kafkajs: decode the fetch response' },
  { at: ['reply', 'consume.batch'], where: 'coordinator', area: 'consumer loop', label: 'kafkajs consumer loop -> eachBatch starts' },
  { at: ['reply', 'consume.decoded'], where: 'coordinator', area: 'mesh code', label: 'ReplyIntake: by saga, decode the reply' },
  { at: ['cmd', 'coord.applied'], where: 'coordinator', area: 'mesh code', label: 'drive: saga lock, cached state, transition (reply applied)' },
];
const STEP_OFF_PATH = [
  { label: 'coordinator: command Produce written -> acked', from: ['cmd', 'produce.written'], to: ['cmd', 'produce.acked'] },
  { label: 'participant: reply Produce written -> acked', from: ['reply', 'produce.written'], to: ['reply', 'produce.acked'] },
  { label: 'participant: idempotency complete (Redis), once the reply is acked', from: ['cmd', 'complete.start'], to: ['cmd', 'complete.done'] },
  { label: 'participant: handler end -> completion written (its batch done)', from: ['cmd', 'handler.end'], to: ['cmd', 'complete.done'] },
  { label: 'coordinator: reply applied -> its state written (next step starts so)', from: ['cmd', 'coord.applied'], to: ['cmd', 'coord.appliedSaved'] },
];

/** The paced phase's step breakdown from the stamps of the coordinator, the participants and the broker. */
function stepBreakdown(hub, workers, broker) {
  const events = breakdown.joinStamps([hub, workers], broker);
  const replies = breakdown.byCause(events);
  const samples = [];
  for (const [id, e] of events) if (e.t['coord.decided'] !== undefined && e.kind === 'execute') samples.push({ cmd: e, reply: replies.get(id) });
  return breakdown.pathBreakdown(samples, STEP_PATH, STEP_OFF_PATH);
}

// ---------------------------------------------------------------------------------------------------------------
// Driver main

async function main() {
  assertBuilt(DIST);
  for (const s of CFG.sides) if (s !== 'mesh' && s !== 'bare') throw new Error(`BENCH_SIDES: unknown side ${s}`);
  const deadline = hardDeadline(CFG.deadlineMs);
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sagas-bench-'));
  const runs = [];
  let failure = null;
  // One mode after the other (the durable one first), each with its own broker, Redis and children.
  for (const mode of CFG.modes) {
    const run = await runMode(mode, workDir);
    runs.push(run);
    if (run.failure && !failure) failure = run.failure;
  }
  if (CFG.json) {
    const out = { config: CFG, runs: runs.map(({ mode, description, results }) => ({ mode, description, results })), results: runs[0].results };
    fs.writeFileSync(CFG.json, JSON.stringify(out, null, 2));
  }
  for (const run of runs) printReport(run);
  if (runs.length > 1) printModes(runs);
  if (failure) throw failure;
  clearTimeout(deadline);
}

/**
 * The whole bench in one mode (support/modes.js): its broker (with a data dir in durable mode), its Redis (the
 * bench's private AOF one in durable mode), both sides. Never rejects: a failure is returned with what was
 * measured. Resolves to { mode, description, results, profiles, wallS, failure }.
 */
async function runMode(mode, workDir) {
  const runStarted = performance.now();
  const kafkajs = fromPkg('kafkajs');
  const Redis = fromPkg('ioredis');
  const coord = require(DIST.coordinator);
  const prefix = `bench:sagas:${randomBytes(4).toString('hex')}`;
  const sagaPrefix = `${prefix}:saga:`;
  const idemPrefix = `${prefix}:idem`;

  let setup;
  let description = mode;
  let infra;
  let admin;
  let producer;
  let redis;
  let redisPid = null;
  let current = [];
  const results = { mesh: [], bare: [] };
  const profiles = { mesh: [], bare: [] };
  let failure = null;
  try {
    console.log(`\n[${mode}] starting ...`);
    setup = await setUpMode(mode, { redisUrl: CFG.redisUrl, workDir });
    const redisUrl = setup.redisUrl;
    infra = await startChild(__filename, 'infra', { BENCH_INFRA: JSON.stringify({ dataDir: setup.brokerDataDir }) }, 30000, path.join(workDir, `infra-${mode}.log`));
    const brokers = [infra.ready.address];

    redis = redisClient(Redis, redisUrl);
    redisPid = await connectRedis(redis, redisUrl);
    description = await setup.describe(redis);
    console.log(`mode: ${description}`);
    console.log(`broker ${infra.ready.address} (pid ${infra.pid}); Redis keys under ${prefix}:*; logs in ${workDir}`);
    const sagaStore = new coord.SagaStore(redis, false, { keyPrefix: sagaPrefix });

    const kafka = kafkaClient(kafkajs, brokers, 'bench-driver');
    admin = kafka.admin();
    await admin.connect();
    // Every topic up front, with the partition counts the coordinator and the workers would create: both sides alike.
    const topics = [
      [MESH.trigger, PARTITIONS],
      ...STEPS.flatMap((s) => [
        [MESH.cmd(s), PARTITIONS],
        [MESH.undo(s), PARTITIONS],
      ]),
      [COORDINATOR_TOPICS.replies, REPLY_PARTITIONS],
      [COORDINATOR_TOPICS.events, PARTITIONS],
      [COORDINATOR_TOPICS.stuck, 1],
      [COORDINATOR_TOPICS.dlq, 1],
      [BARE.trigger, PARTITIONS],
      ...STEPS.flatMap((s) => [
        [BARE.cmd(s), PARTITIONS],
        [BARE.undo(s), PARTITIONS],
      ]),
      [BARE.replies, REPLY_PARTITIONS],
    ];
    await admin.createTopics({ waitForLeaders: true, topics: topics.map(([topic, numPartitions]) => ({ topic, numPartitions })) });
    producer = kafka.producer({ idempotent: false });
    await producer.connect();
    const eventsRecordCount = async () => (await admin.fetchTopicOffsets(COORDINATOR_TOPICS.events)).reduce((n, p) => n + Number(p.high), 0);

    const runSide = async (side, round) => {
      const label = `${side}${CFG.rounds > 1 ? ` round ${round}` : ''}`;
      const env = (name) => ({ BENCH_CHILD: JSON.stringify({ brokers, redisUrl, sagaPrefix, idemPrefix, logFile: path.join(workDir, `${name}.log`) }) });
      const kinds = side === 'mesh' ? ['coordinator', 'participants'] : ['orchestrator', 'responders'];
      process.stdout.write(`${label}: starting ${kinds.join(' + ')} ...`);
      const tStart = performance.now();
      current = [];
      for (const kind of kinds) current.push(await startChild(__filename, kind, env(`${kind}-${mode}-${round}`), 90000, path.join(workDir, `${kind}-${mode}-${round}.out`)));
      const [hub, workers] = current;
      const pids = { hub: hub.pid, workers: workers.pid, broker: infra.pid, redis: redisPid, driver: process.pid };
      const rss = rssSampler(pids);
      const cpuSnapshot = () => ({
        hub: procCpuMs(hub.pid),
        workers: procCpuMs(workers.pid),
        broker: procCpuMs(infra.pid),
        redis: redisPid ? procCpuMs(redisPid) : null,
        driver: selfCpuMs(),
        machine: machineBusyMs(),
      });
      const out = { side, round, startMs: 0, phases: {}, counters: {}, rss: null };

      /** Publishes `count` triggers and waits until every saga of them has finished; returns its figures. */
      const runPhase = async (phase, count, { fail = false, rate = 0, profile = false } = {}) => {
        const runId = `${side[0]}${phase[0]}${randomBytes(3).toString('hex')}`;
        const records = Array.from({ length: count }, (_, i) => {
          const id = `${runId}-${i}`;
          return { key: id, value: JSON.stringify({ id, amount: i, fail }), headers: { 'mesh-event-id': id, 'mesh-correlation-id': id } };
        });
        if (profile) await Promise.all(current.map((k) => k.call('profile-start')));
        const events0 = side === 'mesh' ? await eventsRecordCount() : 0;
        const cpu0 = cpuSnapshot();
        const t0 = Date.now();
        const sentAt = await publish(producer, side === 'mesh' ? MESH.trigger : BARE.trigger, records, {
          rate,
          batch: CFG.publishBatch,
          inFlight: CFG.publishInFlight,
          clock: () => Date.now(),
        });
        const until = performance.now() + CFG.settleTimeoutMs;
        let done = 0;
        let status = '';
        let progressAt = performance.now();
        let lastDone = -1;
        for (;;) {
          if (side === 'mesh') {
            // Sagas of this phase started at t0 or later (the status indexes are scored by startedAt).
            const key = (s) => sagaStore.keys.status(s);
            const [completed, compensated, running, compensating, cf, ff] = await Promise.all(
              ['completed', 'compensated', 'running', 'compensating', 'compensation_failed', 'forward_failed'].map((s) => redis.zcount(key(s), t0, '+inf')),
            );
            done = completed + compensated;
            status = `completed ${completed}, compensated ${compensated}, running ${running}, compensating ${compensating}, compensation_failed ${cf}, forward_failed ${ff}`;
            if (cf + ff > 0) throw new Error(`${label} ${phase}: sagas stuck (${status})`);
          } else {
            const p = await hub.call('progress', { prefix: `${runId}-` });
            done = p.done;
            status = `finished ${p.done}, unfinished ${p.running}`;
          }
          if (done >= count) break;
          if (done !== lastDone) {
            lastDone = done;
            progressAt = performance.now();
          }
          if (performance.now() - progressAt > CFG.stallMs) throw new Error(`${label} ${phase}: stalled, no saga finished for ${fmt(CFG.stallMs)} ms; ${done} of ${count} finished (${status})`);
          if (performance.now() > until) throw new Error(`${label} ${phase}: only ${done} of ${count} sagas finished within ${CFG.settleTimeoutMs} ms (${status})`);
          await sleep(25);
        }
        const cpu1 = cpuSnapshot();
        const phaseWallMs = Math.max(1, Date.now() - t0);
        if (profile) {
          for (const k of current)
            profiles[side].push({ label: `${label} ${k.kind}`, file: await k.call('profile-stop', { file: path.join(workDir, `${side}-${mode}-${round}-${k.kind}.cpuprofile`) }, 60000) });
        }
        let rows;
        if (side === 'mesh') {
          const ids = [];
          for (const s of ['completed', 'compensated']) ids.push(...(await redis.zrangebyscore(sagaStore.keys.status(s), t0, '+inf')));
          rows = (await sagaStore.loadMany(ids)).filter((st) => st && st.correlationId.startsWith(`${runId}-`)).map(meshRow);
        } else {
          rows = (await hub.call('results', { prefix: `${runId}-` }, 60000)).map(bareRow);
        }
        if (rows.length !== count) throw new Error(`${label} ${phase}: ${rows.length} of ${count} sagas found`);
        const wrongStatus = rows.filter((r) => r.status !== (fail ? 'compensated' : 'completed')).length;
        if (wrongStatus > 0) throw new Error(`${label} ${phase}: ${wrongStatus} sagas ended otherwise than ${fail ? 'compensated' : 'completed'}`);
        const firstSent = [...sentAt.values()].reduce((a, x) => Math.min(a, x), Infinity);
        const lastFinished = rows.reduce((a, r) => Math.max(a, r.finishedAt), -Infinity);
        const elapsedMs = Math.max(1, lastFinished - firstSent);
        const cpuMs = {};
        for (const k of Object.keys(cpu1)) cpuMs[k] = cpu1[k] !== null && cpu0[k] !== null ? cpu1[k] - cpu0[k] : null;
        // CPU of everything else on the machine meanwhile (other jobs): large values mean the figures are disturbed.
        const ours = ['hub', 'workers', 'broker', 'redis', 'driver'].reduce((n, k) => n + (cpuMs[k] || 0), 0);
        cpuMs.others = cpuMs.machine === null ? null : Math.max(0, cpuMs.machine - ours);
        const anomalies = {};
        for (const r of rows) for (const [k, v] of Object.entries(r.anomalies)) anomalies[k] = (anomalies[k] || 0) + v;
        return {
          count,
          elapsedMs,
          sagasPerSec: count / (elapsedMs / 1000),
          total: dist(rows.map((r) => r.finishedAt - sentAt.get(r.id))),
          inside: dist(rows.map((r) => r.finishedAt - r.startedAt)),
          toStart: dist(rows.map((r) => r.startedAt - sentAt.get(r.id))),
          toFirstCommand: dist(rows.map((r) => r.firstCommandAt - r.startedAt)),
          stepRtt: STEPS.map((_, i) => dist(rows.map((r) => r.stepRtt[i]))),
          stepRttAll: distMean(rows.flatMap((r) => r.stepRtt)),
          undoRtt: STEPS.map((_, i) => dist(rows.map((r) => r.undoRtt[i]))),
          failToCompensated: dist(rows.map((r) => r.compensatedAt - r.failedAt)),
          cpuMs,
          othersCorePct: cpuMs.others === null ? null : (cpuMs.others / phaseWallMs) * 100,
          eventsRecords: side === 'mesh' ? (await eventsRecordCount()) - events0 : null,
          anomalies,
          profiled: profile,
        };
      };

      try {
        out.startMs = performance.now() - tStart;
        if (CFG.warmup > 0) {
          process.stdout.write(' warm-up ...');
          await runPhase('warmup', CFG.warmup);
        }
        // Each phase with its own counters (reset before, read after).
        const phase = async (name, count, opts, note) => {
          if (count <= 0) return;
          await Promise.all(current.map((k) => k.call('reset-counters')));
          process.stdout.write(` ${name} ...`);
          // The paced phase of the mesh: every command's path stamped in the three processes it crosses.
          const stamped = CFG.breakdown && side === 'mesh' && name === 'paced' ? [...current, infra] : [];
          await Promise.all(stamped.map((k) => k.call('stamps-start', { topics: TRACKED_TOPICS })));
          let r;
          try {
            r = await runPhase(name, count, opts);
          } finally {
            // Also after a failed phase (the broker would go on stamping); a child gone by then has none to give.
            const [hubS, workersS, brokerS] = await Promise.all(
              stamped.map((k) =>
                Promise.resolve()
                  .then(() => k.call('stamps-stop', {}, 60000))
                  .catch(() => null),
              ),
            );
            if (r && stamped.length > 0) r.breakdown = stepBreakdown(hubS, workersS, brokerS);
          }
          out.phases[name] = r;
          const [hubC, workersC] = await Promise.all(current.map((k) => k.call('counters')));
          out.counters[name] = { hub: hubC, workers: workersC };
          process.stdout.write(` ${note(r)};`);
        };
        // Paced (unloaded) phases first, so no backlog or heap left by a burst colours them.
        await phase('paced', CFG.pacedSagas, { rate: CFG.pacedRate }, (r) => `p50 ${fmt(r.total.p50)} ms`);
        await phase('pacedFail', CFG.pacedFailSagas, { fail: true, rate: CFG.pacedRate }, (r) => `failed->compensated p50 ${fmt(r.failToCompensated.p50)} ms`);
        await phase('burst', CFG.sagas, { profile: CFG.profile }, (r) => `${fmt(r.sagasPerSec)} sagas/s`);
        await phase('fail', CFG.failSagas, { fail: true }, (r) => `failed->compensated p50 ${fmt(r.failToCompensated.p50)} ms`);
      } catch (err) {
        out.error = String((err && err.message) || err);
        console.log(` FAILED`);
        const logs = kinds.map((k) => path.join(workDir, `${k}-${mode}-${round}.log`)).join(', ');
        console.log(`  ${out.error}\n  logs: ${logs}`);
        for (const k of kinds) console.log(`  ${k} warnings/errors: ${summarizeLog(path.join(workDir, `${k}-${mode}-${round}.log`))}`);
      } finally {
        out.rss = rss.stop();
        await Promise.all(current.map((k) => k.stop()));
        current = [];
      }
      if (!out.error) console.log(` done in ${fmt((performance.now() - tStart) / 1000, 1)} s`);
      return out;
    };

    for (let round = 1; round <= CFG.rounds; round++) {
      const order = round % 2 === 1 ? CFG.sides : [...CFG.sides].reverse();
      for (const side of order) {
        const out = await runSide(side, round);
        results[side].push(out);
        if (out.error && !failure) failure = new Error(`${side}: ${out.error}`);
      }
    }
  } catch (err) {
    failure = err;
    console.log('');
  } finally {
    await Promise.all(current.map((k) => k.stop().catch(() => {})));
    if (producer) await producer.disconnect().catch(() => {});
    if (admin) await admin.disconnect().catch(() => {});
    if (infra) await infra.stop(8000).catch(() => {});
    if (redis && redis.status === 'ready') {
      // The private server goes with its files; the shared one keeps nothing of ours.
      if (mode === 'memory') {
        const deleted = await deleteKeys(redis, prefix, { count: 5000, timeoutMs: 30000 });
        console.log(`deleted ${fmt(deleted)} Redis keys under ${prefix}:*`);
      }
      redis.disconnect();
    }
    if (setup) await setup.stop().catch((err) => console.error(`could not stop/remove the ${mode} mode's Redis or broker data: ${err.message}`));
  }
  return { mode, description, results, profiles, wallS: (performance.now() - runStarted) / 1000, failure };
}

// ---------------------------------------------------------------------------------------------------------------
// Report

function medianRun(rows) {
  if (rows.length === 0) return null;
  const rate = (r) => (r.phases.burst ? r.phases.burst.sagasPerSec : -1);
  const sorted = [...rows].sort((a, b) => rate(a) - rate(b));
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

function printReport({ mode, description, results, profiles, wallS }) {
  const m = medianRun(results.mesh);
  const b = medianRun(results.bare);
  console.log('');
  console.log(`===== ${mode} mode: ${description}`);
  if (!m && !b) return;
  const { line, row } = comparisonTable(m, b, { labelWidth: 58, width: 11 });
  const ph = (name) => (r) => r.phases[name];
  const has = (name) => (m && m.phases[name]) || (b && b.phases[name]);
  const kafkajsVersion = require(path.join(kafkajsDir(), 'package.json')).version;
  console.log(
    `kafkajs ${kafkajsVersion}, node ${process.version}, ${os.cpus().length} CPU(s); saga of ${STEPS.length} steps (request/reply each), ` +
      `embedded broker (own process), Redis of the mode; ${CFG.rounds} round(s) per side, median round shown; this mode's run ${fmt(wallS, 0)} s`,
  );
  console.log(
    'layout: mesh = coordinator in its own child process (runCoordinator: JsonCodec, Redis SagaStore, metrics, tracing w/o exporter, ' +
      `tick ${CFG.tickMs || 50} ms) + one child with the 3 participants (startWorker + Redis idempotency store each);`,
  );
  console.log('        bare = in-memory kafkajs orchestrator in its own child process + one child with 3 plain kafkajs responders (no persistence, idempotency, retries).');
  console.log(`code: ${gitState()}`);
  console.log("duration = trigger sent by the driver -> saga finished (mesh: SagaState.finishedAt in Redis; bare: the orchestrator's clock); same host clock.");
  console.log('');
  line('', 'mesh', 'bare', 'mesh/bare');
  const burst = ph('burst');
  console.log(`burst: ${fmt(CFG.sagas)} sagas, triggers published as fast as possible${CFG.profile ? ' (PROFILED: figures include profiler overhead)' : ''}`);
  row('  sagas per second (N / first trigger sent -> last done)', (r) => burst(r).sagasPerSec);
  row('  duration p50, ms', (r) => burst(r).total.p50);
  row('  duration p99, ms', (r) => burst(r).total.p99);
  row('  duration max, ms', (r) => burst(r).total.max);
  row('  trigger sent -> saga started (consumed) p50, ms', (r) => burst(r).toStart.p50);
  row('  started -> finished p50, ms', (r) => burst(r).inside.p50);
  row('  started -> finished p99, ms', (r) => burst(r).inside.p99);
  if (has('paced')) {
    const paced = ph('paced');
    console.log(`paced: ${fmt(CFG.pacedSagas)} sagas at ${fmt(CFG.pacedRate)}/s (unloaded latency, where the time goes per hop)`);
    row('  duration p50, ms', (r) => paced(r).total.p50);
    row('  duration p99, ms', (r) => paced(r).total.p99);
    row('  duration max, ms', (r) => paced(r).total.max);
    row('  trigger sent -> saga started p50, ms', (r) => paced(r).toStart.p50, 1);
    row('  saga started -> first command decided p50, ms', (r) => paced(r).toFirstCommand.p50, 1);
    for (let i = 0; i < STEPS.length; i++) {
      row(`  step ${STEPS[i]}: command decided -> reply applied p50, ms`, (r) => paced(r).stepRtt[i].p50, 1);
      row(`  step ${STEPS[i]}: command decided -> reply applied p99, ms`, (r) => paced(r).stepRtt[i].p99, 1);
    }
    const bd = m && m.phases.paced && m.phases.paced.breakdown;
    if (bd) {
      console.log('');
      breakdown.printBreakdown(
        `paced, mesh: where one step's round trip goes (coordinator decides a command -> has applied its reply), ${fmt(bd.samples)} commands of steps ` +
          `${STEPS.join(', ')}; stamps in the coordinator, the broker and the participants on one host clock; ms`,
        bd,
        { measured: [{ label: 'round trip measured on the SagaState timeline (ms clock)', ...m.phases.paced.stepRttAll }] },
      );
      console.log('');
      line('', 'mesh', 'bare', 'mesh/bare');
    }
  }
  if (has('fail')) {
    const fail = ph('fail');
    console.log(`failure: ${fmt(CFG.failSagas)} sagas whose last step fails permanently (burst); compensations of b then a`);
    row('  sagas per second (compensated)', (r) => fail(r).sagasPerSec);
    row('  step failed -> compensated (last undo acked) p50, ms', (r) => fail(r).failToCompensated.p50);
    row('  step failed -> compensated p99, ms', (r) => fail(r).failToCompensated.p99);
    row('  step failed -> compensated max, ms', (r) => fail(r).failToCompensated.max);
    row('  duration (trigger sent -> compensated) p50, ms', (r) => fail(r).total.p50);
    row('  duration p99, ms', (r) => fail(r).total.p99);
  }
  if (has('pacedFail')) {
    const pf = ph('pacedFail');
    console.log(`paced failure: ${fmt(CFG.pacedFailSagas)} such sagas at ${fmt(CFG.pacedRate)}/s (unloaded)`);
    row('  step failed -> compensated p50, ms', (r) => pf(r).failToCompensated.p50, 1);
    row('  step failed -> compensated p99, ms', (r) => pf(r).failToCompensated.p99, 1);
    row('  step failed -> compensated max, ms', (r) => pf(r).failToCompensated.max, 1);
    row('  undo b: command decided -> reply applied p50, ms', (r) => pf(r).undoRtt[1].p50, 1);
    row('  undo a: command decided -> reply applied p50, ms', (r) => pf(r).undoRtt[0].p50, 1);
  }
  for (const phase of ['paced', 'burst']) {
    if (!has(phase)) continue;
    console.log(`where a hop's time goes, ${phase} phase (samples in the children; ms; mesh "coordinator" = bare "orchestrator")`);
    const sample = (who, name, q) => (r) => {
      const c = r.counters[phase] && r.counters[phase][who];
      return c && c.samples[name] ? c.samples[name][q] : null;
    };
    for (const [who, name] of [
      ['workers', 'command decided -> its record encoded'],
      ['workers', 'command record encoded -> handler runs'],
      ['hub', 'reply made (participant) -> decoded by coordinator'],
    ]) {
      row(`  ${name} p50`, sample(who, name, 'p50'), 1);
      row(`  ${name} p99`, sample(who, name, 'p99'), 1);
    }
    const loop = (who, q) => (r) => (r.counters[phase] && r.counters[phase][who] ? r.counters[phase][who].eventLoop[q] : null);
    row('  event-loop delay p99, coordinator', loop('hub', 'p99'), 1);
    row('  event-loop delay max, coordinator', loop('hub', 'max'), 1);
    row('  event-loop delay p99, participants', loop('workers', 'p99'), 1);
  }
  console.log(`CPU over the burst phase (${fmt(CFG.sagas)} sagas), seconds`);
  const cpu = (k) => (r) => (burst(r).cpuMs[k] === null ? null : burst(r).cpuMs[k] / 1000);
  row('  coordinator | orchestrator process', cpu('hub'), 2);
  row('  participants | responders process', cpu('workers'), 2);
  row('  broker process', cpu('broker'), 2);
  row('  redis-server', cpu('redis'), 2);
  row('  driver (publish + completion polling)', cpu('driver'), 2);
  row('  other processes on the machine (not this bench)', cpu('others'), 2);
  const perSaga = (keys) => (r) => {
    const v = keys.map((k) => burst(r).cpuMs[k]);
    return v.some((x) => x === null) ? null : v.reduce((a, x) => a + x, 0) / burst(r).count;
  };
  row('  CPU ms per saga, coordinator | orchestrator', perSaga(['hub']), 3);
  row('  CPU ms per saga, all but the driver', perSaga(['hub', 'workers', 'broker', 'redis']), 3);
  console.log('peak RSS over the side (warm-up to stop), MiB');
  const rss = (k) => (r) => (r.rss[k] === undefined ? null : r.rss[k] / 1024);
  row('  coordinator | orchestrator process', rss('hub'));
  row('  participants | responders process', rss('workers'));
  row('  broker process (shared, cumulative)', rss('broker'));
  row('  redis-server', rss('redis'));
  {
    const phases = ['paced', 'pacedFail', 'burst', 'fail'];
    const load = (r) =>
      phases
        .filter((p) => r.phases[p] && r.phases[p].othersCorePct !== null)
        .map((p) => `${p} ${fmt(r.phases[p].othersCorePct)}%`)
        .join(', ');
    const all = [m, b]
      .filter(Boolean)
      .flatMap((r) => phases.map((p) => r.phases[p] && r.phases[p].othersCorePct))
      .filter((x) => x !== null && x !== undefined);
    if (all.length > 0) {
      console.log(`CPU of OTHER processes on the machine during each phase, % of one core (${os.cpus().length} cores in all):`);
      for (const [name, r] of [
        ['mesh', m],
        ['bare', b],
      ])
        if (r) console.log(`  ${name}: ${load(r)}`);
      if (Math.max(...all) > 20) console.log('  WARNING: other work ran on the machine during the run; latencies (paced ones above all) are disturbed by it.');
    }
  }
  if (m && m.phases.burst) {
    const ev = burst(m).eventsRecords;
    if (ev !== null) console.log(`mesh saga.events records written in the burst: ${fmt(ev)} (${fmt(ev / CFG.sagas, 1)} per saga)`);
    for (const phase of ['burst', 'paced', 'fail']) {
      const a = m.phases[phase] && m.phases[phase].anomalies;
      if (a && Object.keys(a).length > 0) console.log(`mesh ${phase} timeline anomalies: ${JSON.stringify(a)}`);
    }
  }
  for (const side of ['mesh', 'bare']) {
    if (results[side].length > 1) console.log(`${side} rounds, burst sagas/s: ${results[side].map((r) => (r.phases.burst ? fmt(r.phases.burst.sagasPerSec) : 'failed')).join(', ')}`);
  }
  const perSagaRows = (label, r, who, phase, n) => r && r.counters[phase] && printSagaCounters(label, r.counters[phase][who].counters, n);
  perSagaRows('mesh coordinator, burst', m, 'hub', 'burst', CFG.sagas);
  perSagaRows('mesh participants, burst', m, 'workers', 'burst', CFG.sagas);
  perSagaRows('mesh coordinator, failure (burst)', m, 'hub', 'fail', CFG.failSagas);
  perSagaRows('bare orchestrator, burst', b, 'hub', 'burst', CFG.sagas);
  perSagaRows('bare responders, burst', b, 'workers', 'burst', CFG.sagas);
  for (const side of ['mesh', 'bare']) for (const p of profiles[side]) summarizeProfile(p.file, p.label, ROOT);
  for (const side of ['mesh', 'bare']) for (const r of results[side]) if (r.error) console.log(`\n${side}${CFG.rounds > 1 ? ` round ${r.round}` : ''} FAILED: ${r.error}`);
  console.log('');
}

/** The modes' headline figures side by side (median rounds), when both ran. */
function printModes(runs) {
  const d = runs.find((r) => r.mode === 'durable');
  const mem = runs.find((r) => r.mode === 'memory');
  if (!d || !mem) return;
  const { line, row } = comparisonTable(d, mem, { labelWidth: 58, width: 11 });
  const get = (side, f) => (run) => {
    const r = medianRun(run.results[side]);
    return r ? f(r) : null;
  };
  const cpu = (r) => ['hub', 'workers', 'broker', 'redis'].reduce((n, k) => n + r.phases.burst.cpuMs[k], 0) / r.phases.burst.count;
  console.log('');
  console.log('===== modes compared (median rounds): durable = broker --data-dir + Redis AOF everysec; memory = in-memory broker + Redis as configured');
  line('', 'durable', 'memory', 'dur/mem');
  row(
    'mesh burst, sagas per second',
    get('mesh', (r) => r.phases.burst.sagasPerSec),
  );
  row(
    'mesh paced duration p50, ms',
    get('mesh', (r) => r.phases.paced.total.p50),
    1,
  );
  row(
    'mesh paced duration p99, ms',
    get('mesh', (r) => r.phases.paced.total.p99),
    1,
  );
  row(
    'mesh paced step round trip p50, ms',
    get('mesh', (r) => r.phases.paced.stepRttAll.p50),
    1,
  );
  row(
    'mesh paced step: saga store write (Redis) p50, ms',
    get('mesh', (r) => r.phases.paced.breakdown.segments.find((x) => x.area === 'saga store (Redis)').p50),
    1,
  );
  row(
    'mesh paced failure: failed -> compensated p50, ms',
    get('mesh', (r) => r.phases.pacedFail.failToCompensated.p50),
    1,
  );
  row(
    'mesh failure burst: failed -> compensated p50, ms',
    get('mesh', (r) => r.phases.fail.failToCompensated.p50),
  );
  row('mesh CPU ms per saga, burst, all but the driver', get('mesh', cpu), 3);
  row(
    'bare burst, sagas per second',
    get('bare', (r) => r.phases.burst.sagasPerSec),
  );
  row(
    'bare paced duration p50, ms',
    get('bare', (r) => r.phases.paced.total.p50),
    1,
  );
  console.log('');
}

function printSagaCounters(label, counters, sagas) {
  printCounters(`\n${label}: timing counters over ${fmt(sagas)} sagas (wall ms awaited; calls overlap, so sums exceed elapsed time)`, counters, sagas, {
    nameWidth: 44,
    countWidth: 8,
    per: 'calls/saga',
    perWidth: 11,
    perDigits: 2,
  });
}

// ---------------------------------------------------------------------------------------------------------------

benchEntry({ infra: infraChild, coordinator: coordinatorChild, participants: participantsChild, orchestrator: orchestratorChild, responders: respondersChild }, main);
