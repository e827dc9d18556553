'use strict';
// Where one event's latency goes: time stamps taken along the path its records travel (the producer that sends
// it, the broker that appends and serves it, the consumer loop and handler that take it), by hooks in the
// benchmark children, all on one host clock (performance.timeOrigin + performance.now(): sub-ms, the same epoch
// as Date.now() in every process of the machine); and the tables the driver makes of them.
//
// In the children (each keeps a Stamps, off until the driver turns it on for a phase):
//   hookKafkajs      every kafkajs client of the process: producer.send/sendBatch called, Broker.produce called
//                    (past the idempotent producer's broker lock), its request's socket write called
//                    (SocketRequest.send) and the request acknowledged; the fetch that brought a record issued (Broker.fetch
//                    called), its response's frame read (SocketRequest.completed) and decoded (Broker.fetch
//                    resolved), per record of the tracked topics.
//   markBatch        the consumer's eachBatch starts (called from the bench's own eachBatch wrapper).
//   hookBatchProducer  the mesh's BatchProducer.send called (the records handed over, before its coalescing).
//   hookStore        an idempotency store's claim and complete, per event id.
//   hookBroker       (the infra child) the embedded broker's Produce handler: request decoded, records
//                    appended; its Fetch handler called (the fetch arrived) and its response encoded (i.e.
//                    written), per topic/partition/offset.
// Records are known by their mesh-event-id header (commands, replies, outputs: all mesh records carry it) and
// linked to the event that caused them by mesh-causation-id; the broker knows them by their coordinates, which
// the consumer side reports. A child's stamps: event id -> { t: { stamp: ms }, topic, partition, offset, cause }.
const { AsyncLocalStorage } = require('node:async_hooks');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { fmt, percentile } = require('./report');

const now = () => performance.timeOrigin + performance.now();
const EVENT_ID = 'mesh-event-id';
const CAUSATION_ID = 'mesh-causation-id';
const MAX_EVENTS = 200000;

/** A header's value as a string: the mesh's producers pass strings, kafkajs's consumers hand Buffers (or arrays). */
function header(headers, name) {
  const v = headers ? headers[name] : undefined;
  if (v === undefined || v === null) return undefined;
  const last = Array.isArray(v) ? v[v.length - 1] : v;
  return last === undefined || last === null ? undefined : last.toString();
}

/** One child's stamps, taken only between start(topics) and stop(). */
class Stamps {
  constructor() {
    this.on = false;
    this.topics = new Set();
    this.events = new Map();
  }
  start(topics) {
    this.events.clear();
    this.topics = new Set(topics);
    this.on = true;
  }
  stop() {
    this.on = false;
    const out = Object.fromEntries(this.events);
    this.events.clear();
    return out;
  }
  tracks(topic) {
    return this.on && this.topics.has(topic);
  }
  /** The entry of an event, made when `create` (hooks that see a record of a tracked topic, or a command decided). */
  entry(id, create = true) {
    let e = this.events.get(id);
    if (!e && create && this.events.size < MAX_EVENTS) this.events.set(id, (e = { t: {} }));
    return e;
  }
  /** Stamps `name` on event `id` (the first time only: a record fetched twice counts from its first fetch). */
  mark(id, name, t = now(), create = true) {
    if (!this.on || !id) return undefined;
    const e = this.entry(id, create);
    if (e && e.t[name] === undefined) e.t[name] = t;
    return e;
  }
  /** Stamps events this child already follows (claims, completions: they also see ids of untracked topics). */
  markKnown(id, name, t = now()) {
    return this.mark(id, name, t, false);
  }
  /** Notes a record: its coordinates (consumer side) and the event that caused it. */
  note(id, fields) {
    const e = this.on && id ? this.entry(id) : undefined;
    if (!e) return;
    for (const [k, v] of Object.entries(fields)) if (v !== undefined && e[k] === undefined) e[k] = v;
  }
}

/** A child's control requests for its stamps (support/children.js serveControl). */
function stampRequests(stamps) {
  return {
    'stamps-start': (msg) => {
      stamps.start(msg.topics || []);
      return null;
    },
    'stamps-stop': () => stamps.stop(),
  };
}

/** The request a socket write or a response belongs to: set by Broker.produce/fetch, read by the request queue. */
const als = new AsyncLocalStorage();
const requestOf = new WeakMap(); // kafkajs request entry -> { kind, ids } | { kind, receivedAt }
const hooked = new WeakSet();

/** Stamps every tracked record of a produce request (topicData/topicMessages shape) under `name`; returns their ids. */
function markMessages(stamps, topics, name, t) {
  const ids = [];
  for (const td of topics) {
    const topic = td.topic;
    if (!stamps.tracks(topic)) continue;
    const lists = td.messages ? [td.messages] : td.partitions.map((p) => p.messages);
    for (const messages of lists) {
      for (const m of messages) {
        const id = header(m.headers, EVENT_ID);
        if (!id) continue;
        stamps.mark(id, name, t);
        ids.push(id);
      }
    }
  }
  return ids;
}

/**
 * Hooks kafkajs (the copy in `kafkajsDir`, the one the mesh resolves) for `stamps`: producers made from now on
 * (send/sendBatch called), and every Broker's Produce and Fetch with their socket write and response frame.
 */
function hookKafkajs(kafkajs, kafkajsDir, stamps) {
  const src = (p) => require(path.join(kafkajsDir, 'src', p));
  const Broker = src('broker');
  const RequestQueue = src(path.join('network', 'requestQueue'));
  const SocketRequest = src(path.join('network', 'requestQueue', 'socketRequest'));
  if (hooked.has(Broker)) throw new Error('hookKafkajs: kafkajs is hooked already in this process');
  hooked.add(Broker);

  const { Kafka } = kafkajs;
  const producer = Kafka.prototype.producer;
  Kafka.prototype.producer = function (...args) {
    const p = producer.apply(this, args);
    const sendBatch = p.sendBatch;
    const send = p.send;
    p.sendBatch = (req) => {
      if (stamps.on) markMessages(stamps, req.topicMessages || [], 'produce.sendBatch', now());
      return sendBatch(req);
    };
    p.send = (req) => {
      if (stamps.on) markMessages(stamps, [req], 'produce.sendBatch', now());
      return send(req);
    };
    return p;
  };

  const produce = Broker.prototype.produce;
  Broker.prototype.produce = function (req) {
    if (!stamps.on) return produce.call(this, req);
    const ids = markMessages(stamps, req.topicData || [], 'produce.request', now());
    if (ids.length === 0) return produce.call(this, req);
    return als
      .run({ kind: 'produce', ids }, () => produce.call(this, req))
      .then((res) => {
        const t = now();
        for (const id of ids) stamps.mark(id, 'produce.acked', t);
        return res;
      });
  };

  const fetch = Broker.prototype.fetch;
  Broker.prototype.fetch = function (req) {
    if (!stamps.on || !(req.topics || []).some((t) => stamps.tracks(t.topic))) return fetch.call(this, req);
    const ctx = { kind: 'fetch', receivedAt: undefined };
    const issuedAt = now();
    return als
      .run(ctx, () => fetch.call(this, req))
      .then((res) => {
        const t = now();
        for (const r of (res && res.responses) || []) {
          if (!stamps.tracks(r.topicName)) continue;
          for (const p of r.partitions || []) {
            for (const m of p.messages || []) {
              const id = header(m.headers, EVENT_ID);
              if (!id) continue;
              stamps.mark(id, 'consume.fetchIssued', issuedAt);
              stamps.mark(id, 'consume.received', ctx.receivedAt === undefined ? t : ctx.receivedAt);
              stamps.mark(id, 'consume.fetched', t);
              stamps.note(id, { topic: r.topicName, partition: p.partition, offset: m.offset, cause: header(m.headers, CAUSATION_ID) });
            }
          }
        }
        return res;
      });
  };

  // The request queue gets each request's entry in the context of the call that made it (Broker.produce/fetch
  // above); the socket request carries that entry to its write and to its response, whenever those happen.
  const push = RequestQueue.prototype.push;
  RequestQueue.prototype.push = function (pushed) {
    const ctx = stamps.on ? als.getStore() : undefined;
    if (ctx && pushed && pushed.entry && pushed.entry.apiName === (ctx.kind === 'produce' ? 'Produce' : 'Fetch')) requestOf.set(pushed.entry, ctx);
    return push.call(this, pushed);
  };
  // Stamped as the write is called: on loopback the kernel hands the bytes to the receiver inside the sender's
  // write syscall, so the broker may have decoded the request before that call returns.
  const sendRequest = SocketRequest.prototype.send;
  SocketRequest.prototype.send = function (...args) {
    const ctx = requestOf.get(this.entry);
    if (ctx && ctx.kind === 'produce') {
      const t = now();
      for (const id of ctx.ids) stamps.mark(id, 'produce.written', t);
    }
    return sendRequest.apply(this, args);
  };
  const completed = SocketRequest.prototype.completed;
  SocketRequest.prototype.completed = function (...args) {
    const ctx = requestOf.get(this.entry);
    if (ctx && ctx.kind === 'fetch') ctx.receivedAt = now();
    return completed.apply(this, args);
  };
}

/** The consumer's eachBatch starts (call it first thing in the bench's eachBatch wrapper); the records' coordinates. */
function markBatch(stamps, batch, onRecord) {
  if (!stamps.tracks(batch.topic)) return;
  const t = now();
  for (const m of batch.messages) {
    const id = header(m.headers, EVENT_ID);
    if (!id) continue;
    stamps.mark(id, 'consume.batch', t);
    stamps.note(id, { topic: batch.topic, partition: batch.partition, offset: m.offset, cause: header(m.headers, CAUSATION_ID) });
    if (onRecord) onRecord(id, m);
  }
}

/** The mesh's BatchProducer (runtime dist): the records handed to send(), before its coalescing. */
function hookBatchProducer(BatchProducer, stamps) {
  const send = BatchProducer.prototype.send;
  BatchProducer.prototype.send = function (records) {
    if (stamps.on) {
      const t = now();
      for (const r of records) {
        if (!stamps.tracks(r.topic)) continue;
        const id = header(r.headers, EVENT_ID);
        stamps.mark(id, 'produce.handed', t);
        stamps.note(id, { cause: header(r.headers, CAUSATION_ID) });
      }
    }
    return send.call(this, records);
  };
}

/** An idempotency store's claim and complete (the instance's own methods), per event id this child follows. */
function hookStore(store, stamps) {
  const around = (method, ids, name) => {
    const orig = store[method];
    store[method] = function (...args) {
      if (!stamps.on) return orig.apply(this === undefined ? store : this, args);
      const list = ids(args);
      for (const id of list) stamps.markKnown(id, `${name}.start`);
      return orig.apply(this === undefined ? store : this, args).then((r) => {
        const t = now();
        for (const id of list) stamps.markKnown(id, `${name}.done`, t);
        return r;
      });
    };
  };
  around('claim', (a) => a[1], 'claim');
  around('complete', (a) => a[1].map((c) => c.eventId), 'complete');
}

/**
 * The embedded broker (its dist, in this process): Produce decoded and appended, Fetch responses encoded (the
 * socket write follows at once), per topic/partition/offset of the tracked topics. `stamps.events` is then keyed
 * by coordinates, `topic/partition/offset` -> { t: { received, appended, fetchSent } }.
 */
function hookBroker(brokerDist, stamps) {
  const { produceApi } = require(path.join(brokerDist, 'handlers', '00-produce'));
  const { fetchApi } = require(path.join(brokerDist, 'handlers', '01-fetch'));
  let decodedAt;
  const decode = produceApi.decode;
  produceApi.decode = function (...args) {
    if (stamps.on) decodedAt = now();
    return decode.apply(this, args);
  };
  const handle = produceApi.handle;
  produceApi.handle = function (req, ctx) {
    const res = handle.call(this, req, ctx);
    if (!stamps.on || !res || !res.topics) return res;
    const t = now();
    for (const topic of res.topics) {
      if (!stamps.tracks(topic.name)) continue;
      const partitions = ctx.cluster.topics.get(topic.name);
      for (const p of topic.partitions) {
        if (p.errorCode !== 0 || !(p.baseOffset >= 0) || !partitions) continue;
        // A Produce is handled synchronously: what it appended ends at the high watermark now.
        const end = Math.min(partitions.partitions[p.index].highWatermark, p.baseOffset + 100000);
        for (let o = p.baseOffset; o < end; o++) {
          const e = stamps.entry(`${topic.name}/${p.index}/${o}`);
          if (e && e.t.appended === undefined) Object.assign(e.t, { received: decodedAt === undefined ? t : decodedAt, appended: t });
        }
      }
    }
    return res;
  };
  // When each fetch arrived (its handler called: a long poll then waits there), by its response.
  const arrivals = new WeakMap();
  const fetchHandle = fetchApi.handle;
  fetchApi.handle = function (req, ctx) {
    const res = fetchHandle.call(this, req, ctx);
    if (!stamps.on || !res) return res;
    const t = now();
    if (!(res instanceof Promise)) {
      arrivals.set(res, t);
      return res;
    }
    return res.then((r) => {
      if (r) arrivals.set(r, t);
      return r;
    });
  };
  const encode = fetchApi.encode;
  fetchApi.encode = function (w, response, version) {
    if (stamps.on && response && response.topics) {
      const t = now();
      const arrived = arrivals.get(response);
      for (const topic of response.topics) {
        if (!stamps.tracks(topic.name)) continue;
        for (const p of topic.partitions) {
          for (const batch of p.records || []) {
            const base = Number(batch.readBigInt64BE(0));
            const last = base + batch.readInt32BE(23);
            for (let o = base; o <= last; o++) {
              const e = stamps.entry(`${topic.name}/${p.index}/${o}`);
              if (e && e.t.fetchSent === undefined) Object.assign(e.t, { fetchSent: t, fetchArrived: arrived === undefined ? t : arrived });
            }
          }
        }
      }
    }
    return encode.call(this, w, response, version);
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Driver: joining the children's stamps, and the table of a path.

/**
 * The children's stamps merged by event id, with the broker's (by coordinates) as broker.<stamp>, and two points
 * derived between the append and the fetch response that carried the record, so that the wait splits into
 * consecutive parts: fetch.issued = max(appended, when the consumer issued that fetch: kafkajs fetches once per
 * broker and issues the next fetch only when its batches are handled), fetch.arrived = max(that, when the fetch
 * reached the broker); then fetchSent (a long poll waking, or a fetch answered at once).
 */
function joinStamps(children, broker) {
  const out = new Map();
  for (const events of children) {
    for (const [id, e] of Object.entries(events || {})) {
      let m = out.get(id);
      if (!m) out.set(id, (m = { t: {} }));
      for (const [k, v] of Object.entries(e)) if (k !== 't' && m[k] === undefined) m[k] = v;
      for (const [k, v] of Object.entries(e.t)) if (m.t[k] === undefined || v < m.t[k]) m.t[k] = v;
    }
  }
  for (const m of out.values()) {
    if (m.topic === undefined || !broker) continue;
    const b = broker[`${m.topic}/${m.partition}/${m.offset}`];
    if (b) for (const [k, v] of Object.entries(b.t)) m.t[`broker.${k}`] = v;
    const { t } = m;
    if (t['broker.appended'] !== undefined && t['consume.fetchIssued'] !== undefined && t['broker.fetchArrived'] !== undefined) {
      t['fetch.issued'] = Math.max(t['broker.appended'], t['consume.fetchIssued']);
      t['fetch.arrived'] = Math.max(t['fetch.issued'], t['broker.fetchArrived']);
    }
  }
  return out;
}

/** Events by the event that caused them. */
function byCause(events) {
  const out = new Map();
  for (const [id, e] of events) if (e.cause !== undefined) out.set(e.cause, { id, ...e });
  return out;
}

function stats(values) {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  const mean = v.length ? v.reduce((a, x) => a + x, 0) / v.length : null;
  return { n: v.length, p50: percentile(v, 50), p90: percentile(v, 90), p99: percentile(v, 99), mean };
}

/** Share of the samples, around the median total, whose segment means make the `mid` column. */
const MID_BAND = 0.2;

/**
 * The breakdown of a path over `samples` (each: role -> event entry). `points` are the path's stamps in order,
 * [{ at: [role, stamp], label, where, area }], a segment ending at each point but the first. A point stamped in
 * under half the samples is left out (its segment merges into the next, and the table says so); the figures are
 * over the samples with every remaining point. Per segment: p50, p99, mean, and `mid`, its mean over the fifth of
 * the samples whose totals lie around the median total (the 40th to 60th percentile): the means add up to the
 * total's mean exactly, the mids to about the total's p50 (its band's mean), while the p50s need not add up to
 * anything (where segments are skewed, or wait for one another, their p50s sum to less than the total's).
 * `offPath`: [{ label, from, to }] of things that happen beside the path (not in its total).
 */
function pathBreakdown(samples, points, offPath = []) {
  const at = (s, [role, stamp]) => (s[role] ? s[role].t[stamp] : undefined);
  const kept = points.filter((p) => samples.filter((s) => at(s, p.at) !== undefined).length * 2 >= samples.length && samples.length > 0);
  const dropped = points.filter((p) => !kept.includes(p)).map((p) => `${p.at[0]} ${p.at[1]}`);
  const first = kept[0];
  const last = kept[kept.length - 1];
  const totalOf = (s) => at(s, last.at) - at(s, first.at);
  const complete = kept.length < 2 ? [] : samples.filter((s) => kept.every((p) => at(s, p.at) !== undefined)).sort((a, b) => totalOf(a) - totalOf(b));
  const lo = Math.floor(complete.length * (0.5 - MID_BAND / 2));
  const mid = complete.slice(lo, Math.max(lo + 1, Math.ceil(complete.length * (0.5 + MID_BAND / 2))));
  const mean = (list, f) => (list.length ? list.reduce((a, s) => a + f(s), 0) / list.length : null);
  const segments = [];
  for (let i = 1; i < kept.length; i++) {
    const from = kept[i - 1];
    const to = kept[i];
    const d = (s) => at(s, to.at) - at(s, from.at);
    // A segment that swallowed dropped points says so.
    const merged = points.slice(points.indexOf(from) + 1, points.indexOf(to)).map((p) => p.label);
    const label = merged.length ? `${merged.join(' + ')} + ${to.label}` : to.label;
    segments.push({ label, where: to.where, area: to.area, from: from.at.join(' '), to: to.at.join(' '), ...stats(complete.map(d)), mid: mean(mid, d) });
  }
  const total = { ...stats(complete.map(totalOf)), mid: mean(mid, totalOf) };
  const sum = (k) => segments.reduce((a, s) => a + (s[k] || 0), 0);
  const areas = {};
  for (const s of segments) areas[s.area] = (areas[s.area] || 0) + (s.mid || 0);
  const off = offPath.map((o) => ({ label: o.label, ...stats(samples.map((s) => (at(s, o.to) !== undefined && at(s, o.from) !== undefined ? at(s, o.to) - at(s, o.from) : NaN))) }));
  return { samples: samples.length, complete: complete.length, midSamples: mid.length, dropped, segments, total, sumP50: sum('p50'), sumMid: sum('mid'), sumMean: sum('mean'), areas, offPath: off };
}

/**
 * Prints a breakdown: one row per segment (where, what; p50, mid, p99, mean in ms), their sums, the total measured
 * on the same stamps, and `measured`: [{ label, p50, mean }] measured otherwise, with the remainders (what the
 * named segments leave unexplained): its p50 - the sum of the p50s, its p50 - the sum of the mids, its mean - the
 * sum of the means.
 */
function printBreakdown(title, bd, { measured = [{ label: 'measured: the total on the same stamps', ...(bd ? bd.total : {}) }] } = {}) {
  const w = 8;
  const num = (x) => fmt(x, 1).padStart(w);
  console.log(title);
  if (!bd || bd.complete === 0) {
    console.log(`  no complete samples (${bd ? bd.samples : 0} sampled)`);
    return;
  }
  const labelWidth = Math.max(52, ...bd.segments.map((s) => s.label.length), ...bd.offPath.map((o) => o.label.length), ...measured.map((m) => m.label.length)) + 2;
  const cols = (a, b, c, d) => `${a}${b}${c}${d}`;
  console.log(`  ${'where'.padEnd(13)}${'segment (consecutive)'.padEnd(labelWidth)}${cols('p50'.padStart(w), 'mid'.padStart(w), 'p99'.padStart(w), 'mean'.padStart(w))}`);
  for (const s of bd.segments) console.log(`  ${String(s.where).padEnd(13)}${s.label.padEnd(labelWidth)}${cols(num(s.p50), num(s.mid), num(s.p99), num(s.mean))}`);
  const pad = ' '.repeat(13);
  console.log(`  ${pad}${'sum of the segments'.padEnd(labelWidth)}${cols(num(bd.sumP50), num(bd.sumMid), ''.padStart(w), num(bd.sumMean))}`);
  console.log(`  ${pad}${'total on the same stamps (first -> last, per sample)'.padEnd(labelWidth)}${cols(num(bd.total.p50), num(bd.total.mid), num(bd.total.p99), num(bd.total.mean))}`);
  for (const m of measured) {
    console.log(`  ${pad}${m.label.padEnd(labelWidth)}${cols(num(m.p50), ''.padStart(w), num(m.p99), num(m.mean))}`);
    const rem = (a, b) => (a === null || a === undefined || b === null || b === undefined ? '-' : fmt(Math.round((a - b) * 10) / 10 + 0, 1));
    console.log(
      `  ${pad}unexplained remainder, ms: measured p50 - sum of the mids ${rem(m.p50, bd.sumMid)}; measured p50 - sum of the p50s ${rem(m.p50, bd.sumP50)}; ` +
        `measured mean - sum of the means ${rem(m.mean, bd.sumMean)}`,
    );
  }
  console.log(
    `  (mid: the segment's mean over the ${fmt(bd.midSamples)} samples whose totals lie around the median, p40-p60: the mids add up to about the ` +
      "total's p50, the means to its mean; p50s of skewed segments sum to less)",
  );
  const areas = Object.entries(bd.areas).sort((a, b) => b[1] - a[1]);
  console.log(`  by area (sum of the mids): ${areas.map(([k, v]) => `${k} ${fmt(v, 1)}`).join(', ')}`);
  if (bd.offPath.length > 0) {
    console.log('  beside the path (not in the total):');
    for (const o of bd.offPath) console.log(`  ${pad}${o.label.padEnd(labelWidth)}${cols(num(o.p50), ''.padStart(w), num(o.p99), num(o.mean))}`);
  }
  const notes = [`${fmt(bd.complete)} of ${fmt(bd.samples)} samples have every stamp`];
  if (bd.dropped.length) notes.push(`not stamped (merged into the next segment): ${bd.dropped.join(', ')}`);
  console.log(`  (${notes.join('; ')})`);
}

module.exports = { now, header, Stamps, stampRequests, hookKafkajs, markBatch, hookBatchProducer, hookStore, hookBroker, joinStamps, byCause, pathBreakdown, printBreakdown };
