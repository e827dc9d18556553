'use strict';
// kafkajs clients of the benchmarks: the driver's client, the bare sides' consumers, publishing a workload.
const { performance } = require('node:perf_hooks');
const { sleep } = require('./processes');

/**
 * TLS and SASL of the bench's clients in the sasl mode: BENCH_KAFKA_SECURITY ({ caFile, user, password }, set by
 * the driver for its children) as kafkajs config; nothing otherwise.
 */
function kafkaSecurity(env = process.env) {
  if (!env.BENCH_KAFKA_SECURITY) return {};
  const { caFile, user, password } = JSON.parse(env.BENCH_KAFKA_SECURITY);
  return { ssl: { ca: [require('node:fs').readFileSync(caFile, 'utf8')] }, sasl: { mechanism: 'scram-sha-512', username: user, password } };
}

/** The driver's client: quiet, a few quick retries; over SASL_SSL when `security` says so. */
function kafkaClient(kafkajs, brokers, clientId, security = kafkaSecurity()) {
  return new kafkajs.Kafka({ clientId, brokers, logLevel: kafkajs.logLevel.NOTHING, retry: { retries: 5, initialRetryTime: 100 }, ...security });
}

/**
 * A bare side's consumer: the mesh worker's consumer settings, minus what the guarantees need; connected and
 * subscribed to `topics` from the beginning. `joined` resolves once it has joined its group.
 */
async function plainConsumer(kafka, groupId, topics) {
  const consumer = kafka.consumer({ groupId, sessionTimeout: 30000, heartbeatInterval: 3000, maxWaitTimeInMs: 100 });
  await consumer.connect();
  const joined = new Promise((resolve) => consumer.on(consumer.events.GROUP_JOIN, resolve));
  await consumer.subscribe({ topics, fromBeginning: true });
  return { consumer, joined };
}

/**
 * Publishes `records` (acks -1) and returns key -> clock() at the send of its record. A burst when `rate` is 0:
 * `batch` records a send, `inFlight` sends in flight; otherwise steady at `rate` records/s: a small batch every
 * 10 ms tick, on schedule (catching up if the event loop was late).
 */
async function publish(producer, topic, records, { rate, batch, inFlight, clock }) {
  const sentAt = new Map();
  const batches = [];
  if (rate > 0) {
    const tickMs = 10;
    const perTick = Math.max(1, Math.round((rate * tickMs) / 1000));
    for (let i = 0; i < records.length; i += perTick) batches.push(records.slice(i, i + perTick));
    const t0 = performance.now();
    const sends = [];
    for (let b = 0; b < batches.length; b++) {
      const wait = t0 + (b * perTick * 1000) / rate - performance.now();
      if (wait > 1) await sleep(wait);
      const now = clock();
      for (const r of batches[b]) sentAt.set(r.key, now);
      sends.push(producer.send({ topic, acks: -1, messages: batches[b] }));
    }
    await Promise.all(sends);
    return sentAt;
  }
  for (let i = 0; i < records.length; i += batch) batches.push(records.slice(i, i + batch));
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const messages = batches[next++];
      const now = clock();
      for (const r of messages) sentAt.set(r.key, now);
      await producer.send({ topic, acks: -1, messages });
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return sentAt;
}

module.exports = { kafkaClient, plainConsumer, publish, kafkaSecurity };
