'use strict';
// The mesh side of a benchmark child: agents run as `mesh run` assembles one agent process (runAgent), several
// of them gathered in one process.
const path = require('node:path');
const { withTimeout } = require('./processes');
const { timedMethod } = require('./counters');
const { hookStore } = require('./breakdown');
const { kafkaSecurity } = require('./kafka');

/** A child's pino logger at info, to `logFile` (asynchronous writes, flushed on stop). */
function childLogger(rt, pino, name, logFile) {
  return rt.createLogger({ name, level: 'info', destination: pino.destination({ dest: logFile, sync: false }) });
}

/**
 * The child's tracing (spans made and carried in headers, no exporter) and logger, both named `name`, and its
 * agents: add(agent, codec) starts one under startWorker with its own Redis idempotency store (`storeTimers`:
 * store method -> counter name, for the calls to time in `counters`), prom-client metrics and `codec`.
 * joined(what) waits (bounded) until every agent has joined its group; stop() stops them all. `stamps` (optional,
 * support/breakdown.js): each store's claim and complete are stamped per event id.
 */
function meshAgents(runtimeDist, pino, counters, { name, logFile, brokers, redisUrl, keyPrefix, defaultPartitions, storeTimers, stamps }) {
  const rt = require(runtimeDist);
  const { PrometheusWorkerMetrics } = require(path.join(runtimeDist, 'observability', 'prometheus-metrics'));
  const tracing = rt.setupTracing({ serviceName: name, exporter: 'none' });
  const logger = childLogger(rt, pino, name, logFile);
  const stores = [];
  const workers = [];
  return {
    rt,
    async add(agent, codec) {
      const store = rt.openIdempotencyStore({ redisUrl, logger, keyPrefix });
      stores.push(store);
      for (const [method, counter] of Object.entries(storeTimers)) timedMethod(store, method, counters, counter, ([, ids]) => ids.length);
      if (stamps) hookStore(store, stamps);
      workers.push(
        await rt.startWorker(agent, {
          brokers,
          kafka: kafkaSecurity(),
          codec,
          idempotency: store,
          logger,
          metrics: new PrometheusWorkerMetrics(),
          tracer: tracing.tracer,
          defaultPartitions,
          completionTtlMs: 30 * 60 * 1000, // the bench deletes its keys; this bounds what a killed run leaves behind
          drainTimeoutMs: 10000,
        }),
      );
    },
    joined: (what) => withTimeout(Promise.all(workers.map((w) => w.joined)), 60000, what),
    async stop() {
      await Promise.allSettled(workers.map((w) => w.stop()));
      await Promise.allSettled(stores.map((s) => s.close()));
      await tracing.shutdown().catch(() => {});
      logger.flush();
    },
  };
}

module.exports = { childLogger, meshAgents };
