'use strict';
// Timing counters kept in a benchmark child, and the instrumentation that feeds them (methods, kafkajs clients).
const { performance } = require('node:perf_hooks');
const { dist } = require('./report');

/** Timing counters: name -> calls, summed wall ms, summed items; and latency samples where their spread matters. */
class Counters {
  constructor() {
    this.map = new Map();
    this.samples = new Map(); // name -> values (ms)
  }
  sample(name, ms) {
    let v = this.samples.get(name);
    if (!v) this.samples.set(name, (v = []));
    if (v.length < 200000) v.push(ms);
  }
  add(name, ms, items = 0) {
    let c = this.map.get(name);
    if (!c) this.map.set(name, (c = { calls: 0, ms: 0, items: 0 }));
    c.calls++;
    c.ms += ms;
    c.items += items;
  }
  /** Times `fn` (awaited) under `name`; `items` is a count, or a function of fn's result (0 when fn threw). */
  async time(name, fn, items = 0) {
    const t0 = performance.now();
    let result;
    try {
      result = await fn();
      return result;
    } finally {
      let n = 0;
      if (typeof items !== 'function') n = items;
      else {
        try {
          n = items(result);
        } catch {
          /* no result (it threw) */
        }
      }
      this.add(name, performance.now() - t0, n);
    }
  }
  reset() {
    this.map.clear();
    this.samples.clear();
  }
  toJSON() {
    return Object.fromEntries(this.map);
  }
  samplesJSON() {
    return Object.fromEntries([...this.samples].map(([name, v]) => [name, dist(v)]));
  }
}

/**
 * Times every call of obj[method] under `name`; itemsOf(args, result) counts its items. `obj` may be a prototype
 * (the method then runs on the instance it is called on) or an instance (it runs on that, however it is called).
 */
function timedMethod(obj, method, counters, name, itemsOf = () => 0) {
  const orig = obj[method];
  obj[method] = function (...args) {
    return counters.time(
      name,
      () => orig.apply(this === undefined ? obj : this, args),
      (result) => itemsOf(args, result),
    );
  };
}

/**
 * Times the producer sends of every kafkajs client made from now on in this process, under the names given
 * (`heartbeat`: a send to mesh.heartbeats), and runs each consumer's eachBatch through around(payload, next).
 */
function instrumentKafkajs(kafkajs, counters, { sendBatch, send, heartbeat, eachBatch: around }) {
  const { Kafka } = kafkajs;
  const producer = Kafka.prototype.producer;
  Kafka.prototype.producer = function (...args) {
    const p = producer.apply(this, args);
    const sendBatchOf = p.sendBatch;
    const sendOne = p.send;
    p.sendBatch = (req) =>
      counters.time(
        sendBatch,
        () => sendBatchOf(req),
        () => req.topicMessages.reduce((n, t) => n + t.messages.length, 0),
      );
    p.send = (req) =>
      counters.time(
        req.topic === 'mesh.heartbeats' ? heartbeat : send,
        () => sendOne(req),
        () => req.messages.length,
      );
    return p;
  };
  const consumer = Kafka.prototype.consumer;
  Kafka.prototype.consumer = function (...args) {
    const c = consumer.apply(this, args);
    const run = c.run;
    c.run = (cfg) => run({ ...cfg, eachBatch: cfg.eachBatch ? (payload) => around(payload, () => cfg.eachBatch(payload)) : undefined });
    return c;
  };
}

module.exports = { Counters, timedMethod, instrumentKafkajs };
