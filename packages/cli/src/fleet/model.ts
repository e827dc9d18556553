import { percentile } from '@agentmesh/runtime/internal/fleet';
import { detectAnomalies, type Anomaly, type MetricWindow } from './anomalies';
import type { FleetHeartbeat } from './heartbeat';
import { crashed, DEFAULT_TTL, livenessOf, type Liveness, type LivenessTtl } from './liveness';
import { addRates, addRatesInto, counterDelta, errorRate, instanceRates, NO_RATES, outcomeDeltas, scaleRates, type OutcomeRates } from './rates';
import { healthHistory, type HealthCheck, type HealthHistory } from './trend';

/** One partition of a group as the cluster reports it, with the timestamp of its oldest unconsumed record when read. */
export interface PartitionOffsets {
  topic: string;
  partition: number;
  /** The group's committed offset; null where it has committed nothing (it starts from the log start). */
  committed: number | null;
  high: number;
  low: number;
  /** Epoch ms of the record at the group's position; null when there is none or it was not read. */
  oldestUnconsumedAt: number | null;
}

/** Everything the fleet model is built from: one read of the cluster. */
export interface FleetInput {
  now: number;
  windowMs: number;
  ttl?: LivenessTtl;
  /** Heartbeats of the window, any order. */
  heartbeats: readonly FleetHeartbeat[];
  /** By consumer group. */
  offsets: ReadonlyMap<string, readonly PartitionOffsets[]>;
  /** Records in each agent's (or coordinator group's) dead-letter topic. */
  dlqSizes: ReadonlyMap<string, number>;
  /** saga.stuck records of the window. */
  stuckSagas: ReadonlyArray<{ sagaType: string; at: number }>;
}

export interface FleetInstance {
  instanceId: string;
  host: string;
  pid: number;
  version: string | null;
  status: string;
  liveness: Liveness;
  /** Went silent without saying it was stopping. */
  crashed: boolean;
  lastSeenAt: number;
  partitions: Array<{ topic: string; partition: number }>;
  inFlight: number | null;
  breakers: Record<string, string>;
  openBreakers: string[];
  /** Replica restarts (by its supervisor) as its newest heartbeat counts them. */
  restarts: number;
  p50Ms: number | null;
  p99Ms: number | null;
  role: string | null;
  fencingToken: number | null;
  /** Fields of a newer heartbeat contract than this reader knows. */
  unknownFields: string[];
}

export interface PartitionLagView {
  topic: string;
  partition: number;
  lag: number;
  /** Age of the oldest unconsumed record; 0 with no lag; null when lagging but its record could not be read. */
  lagSeconds: number | null;
  /** The instance that owns it, by the newest heartbeats. */
  owner: string | null;
}

export interface FleetAgent {
  name: string;
  kind: 'agent' | 'coordinator';
  group: string;
  versions: string[];
  instances: FleetInstance[];
  /** Instances alive now. */
  alive: number;
  lag: { records: number; seconds: number | null; partitions: PartitionLagView[] };
  /** Per second, over the window. */
  rates: OutcomeRates;
  errorRate: number;
  retriesPerMinute: number;
  p50Ms: number | null;
  p99Ms: number | null;
  /** The agent's usual p99: the median of the p99s its heartbeats reported in the window. */
  normalP99Ms: number | null;
  /** On the instance with the most. */
  openBreakers: number;
  inFlight: number;
  /** Restarts after crashes within the window. */
  recentRestarts: number;
  /** A coordinator's saga.replies partitions it holds and cannot act on. */
  unclaimedPartitions: number;
  dlqSize: number;
  health: HealthHistory;
  anomalies: Anomaly[];
}

export interface Fleet {
  at: number;
  windowMs: number;
  agents: FleetAgent[];
  /** saga.stuck records in the window, by saga type. */
  stuckSagas: Record<string, number>;
  /** Heartbeats of a newer contract than this reader knows (shown with the fields it knows). */
  newerContractHeartbeats: number;
}

/** The slice of history one anomaly window covers. */
export const ANOMALY_WINDOW_MS = 30_000;
const DEFAULT_INTERVAL_MS = 5_000;

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function median(values: readonly number[]): number | null {
  return (
    percentile(
      [...values].sort((a, b) => a - b),
      0.5,
    ) ?? null
  );
}

const partitionKey = (topic: string, partition: number) => `${topic}\u0000${partition}`;

/** The usual gap between one instance's heartbeats. */
function intervalOf(beats: readonly FleetHeartbeat[]): number {
  const gaps = beats.slice(1).map((b, i) => b.sentAt - beats[i]!.sentAt);
  return median(gaps.filter((g) => g > 0)) ?? DEFAULT_INTERVAL_MS;
}

/** A heartbeat is a healthy check when the instance was READY (or starting, or leaving cleanly) and failed under 5% of what it handled since the one before. */
function checksOf(beats: readonly FleetHeartbeat[], now: number, windowStart: number, ttl: LivenessTtl): HealthCheck[] {
  const checks: HealthCheck[] = beats.map((b, i) => {
    const since = i > 0 ? outcomeDeltas(beats[i - 1]!.counters, b.counters) : NO_RATES;
    return { at: b.sentAt, healthy: b.status !== 'DEGRADED' && errorRate(since) <= 0.05 };
  });
  const last = beats[beats.length - 1]!;
  if (crashed(last, now, ttl)) {
    // The heartbeats a crashed instance did not send count as failed checks.
    const interval = intervalOf(beats);
    for (let at = last.sentAt + interval; at <= now; at += interval) if (at >= windowStart) checks.push({ at, healthy: false });
  }
  return checks;
}

function instanceOf(beats: readonly FleetHeartbeat[], now: number, ttl: LivenessTtl): FleetInstance {
  const last = beats[beats.length - 1]!;
  return {
    instanceId: last.instanceId,
    host: last.host,
    pid: last.pid,
    version: last.version,
    status: last.status,
    liveness: livenessOf(last, now, ttl),
    crashed: crashed(last, now, ttl),
    lastSeenAt: last.sentAt,
    partitions: last.partitions.map((p) => ({ topic: p.topic, partition: p.partition })),
    inFlight: last.inFlight,
    breakers: last.breakers,
    openBreakers: last.openBreakers,
    restarts: last.counters.restarts ?? 0,
    p50Ms: last.latencyP50Ms,
    p99Ms: last.latencyP99Ms,
    role: last.role,
    fencingToken: last.fencingToken,
    unknownFields: last.unknownFields,
  };
}

/**
 * The agent's history in ANOMALY_WINDOW_MS slices of the clock (slice n covers [n, n+1) x ANOMALY_WINDOW_MS, the same
 * slices from one refresh to the next): what each instance reported between its heartbeats, as rates over the time
 * its heartbeats cover in the slice. Only slices wholly inside [from, to] are returned: a slice still filling, or one
 * the window cuts, would look unlike the others for no reason of the agent's.
 */
export function metricWindows(byInstance: ReadonlyArray<readonly FleetHeartbeat[]>, from: number, to: number): MetricWindow[] {
  interface Slice {
    counts: OutcomeRates;
    perSecond: OutcomeRates;
    p99: number;
    lag: Map<string, number>;
  }
  const slices = new Map<number, Slice>();
  for (const beats of byInstance) {
    const perInstance = new Map<number, { counts: OutcomeRates; spanMs: number }>();
    beats.forEach((b, i) => {
      const slot = Math.floor(b.sentAt / ANOMALY_WINDOW_MS);
      const slice = slices.get(slot) ?? { counts: NO_RATES, perSecond: NO_RATES, p99: 0, lag: new Map<string, number>() };
      slice.p99 = Math.max(slice.p99, b.latencyP99Ms ?? 0);
      slice.lag.set(b.instanceId, b.consumerLag);
      slices.set(slot, slice);
      if (i === 0) return;
      const own = perInstance.get(slot) ?? { counts: { ...NO_RATES }, spanMs: 0 };
      addRatesInto(own.counts, outcomeDeltas(beats[i - 1]!.counters, b.counters));
      own.spanMs += b.sentAt - beats[i - 1]!.sentAt;
      perInstance.set(slot, own);
    });
    for (const [slot, own] of perInstance) {
      const slice = slices.get(slot)!;
      slice.counts = addRates(slice.counts, own.counts);
      if (own.spanMs > 0) slice.perSecond = addRates(slice.perSecond, scaleRates(own.counts, 1000 / own.spanMs));
    }
  }
  return [...slices.entries()]
    .filter(([slot]) => slot * ANOMALY_WINDOW_MS >= from && (slot + 1) * ANOMALY_WINDOW_MS <= to)
    .sort(([a], [b]) => a - b)
    .map(([slot, s]) => ({
      at: slot * ANOMALY_WINDOW_MS,
      throughput: s.perSecond.processed,
      errorRate: errorRate(s.counts),
      p99Ms: s.p99,
      lag: [...s.lag.values()].reduce((a, b) => a + b, 0),
      retries: s.perSecond.retried,
    }));
}

function lagOf(offsets: readonly PartitionOffsets[], topics: ReadonlySet<string>, owners: ReadonlyMap<string, string>, now: number): FleetAgent['lag'] {
  const partitions: PartitionLagView[] = offsets
    .filter((o) => topics.has(o.topic))
    .map((o) => {
      const position = o.committed === null || o.committed < 0 ? o.low : Math.max(o.committed, o.low);
      const lag = Math.max(0, o.high - position);
      const lagSeconds = lag === 0 ? 0 : o.oldestUnconsumedAt === null ? null : Math.max(0, (now - o.oldestUnconsumedAt) / 1000);
      return { topic: o.topic, partition: o.partition, lag, lagSeconds, owner: owners.get(partitionKey(o.topic, o.partition)) ?? null };
    })
    .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  const seconds = partitions.map((p) => p.lagSeconds).filter((s): s is number => s !== null);
  return { records: partitions.reduce((n, p) => n + p.lag, 0), seconds: seconds.length > 0 ? Math.max(...seconds) : partitions.length > 0 ? null : 0, partitions };
}

function agentOf(name: string, beats: readonly FleetHeartbeat[], input: FleetInput, ttl: LivenessTtl): FleetAgent {
  const windowStart = input.now - input.windowMs;
  const byInstance = new Map<string, FleetHeartbeat[]>();
  for (const b of beats) pushTo(byInstance, b.instanceId, b);
  const series = [...byInstance.values()].map((list) => list.sort((a, b) => a.sentAt - b.sentAt));
  const instances = series.map((list) => instanceOf(list, input.now, ttl)).sort((a, b) => a.instanceId.localeCompare(b.instanceId));
  const newest = series.map((list) => list[list.length - 1]!);
  const live = series.filter((list) => livenessOf(list[list.length - 1]!, input.now, ttl) !== 'gone');

  let counts = NO_RATES;
  let spanMs = 0;
  let recentRestarts = 0;
  for (const list of series) {
    const r = instanceRates(list);
    counts = addRates(counts, r.counts);
    spanMs = Math.max(spanMs, r.spanMs);
    recentRestarts += counterDelta(list[0]!.counters.restarts, list[list.length - 1]!.counters.restarts);
  }
  const rates = spanMs > 0 ? scaleRates(counts, 1000 / spanMs) : NO_RATES;

  const owners = new Map<string, string>();
  for (const list of live) for (const p of list[list.length - 1]!.partitions) owners.set(partitionKey(p.topic, p.partition), list[list.length - 1]!.instanceId);
  const latest = newest.reduce((a, b) => (b.sentAt > a.sentAt ? b : a));
  const topics = new Set<string>();
  for (const b of beats) for (const t of b.topics) topics.add(t);
  const p99s = beats.map((b) => b.latencyP99Ms).filter((v): v is number => v !== null);
  // A heartbeat's latency covers its own interval only (null when idle): each live instance's newest figure counts.
  const newestOf = (list: readonly FleetHeartbeat[], pick: (b: FleetHeartbeat) => number | null) => {
    for (let i = list.length - 1; i >= 0; i--) {
      const v = pick(list[i]!);
      if (v !== null) return v;
    }
    return null;
  };
  const liveP99 = live.map((l) => newestOf(l, (b) => b.latencyP99Ms)).filter((v): v is number => v !== null);
  const liveP50 = live.map((l) => newestOf(l, (b) => b.latencyP50Ms)).filter((v): v is number => v !== null);
  const checks = series.flatMap((list) => checksOf(list, input.now, windowStart, ttl));

  return {
    name,
    kind: latest.kind,
    group: latest.group,
    versions: [...new Set(newest.map((b) => b.version).filter((v): v is string => v !== null))].sort(),
    instances,
    alive: instances.filter((i) => i.liveness === 'alive').length,
    // A coordinator's triggers are consumed by a group of their own.
    lag: lagOf([...(input.offsets.get(latest.group) ?? []), ...(latest.kind === 'coordinator' ? (input.offsets.get(`${latest.group}.triggers`) ?? []) : [])], topics, owners, input.now),
    rates,
    errorRate: errorRate(counts),
    retriesPerMinute: rates.retried * 60,
    p50Ms: median(liveP50),
    p99Ms: liveP99.length > 0 ? Math.max(...liveP99) : null,
    normalP99Ms: median(p99s),
    openBreakers: Math.max(0, ...live.map((l) => l[l.length - 1]!.openBreakers.length)),
    inFlight: live.reduce((n, l) => n + (l[l.length - 1]!.inFlight ?? 0), 0),
    recentRestarts,
    unclaimedPartitions: live.reduce((n, l) => n + (l[l.length - 1]!.counters.unclaimedPartitions ?? 0), 0),
    dlqSize: input.dlqSizes.get(name) ?? 0,
    health: healthHistory(checks, windowStart, input.now),
    anomalies: detectAnomalies(metricWindows(series, windowStart, input.now)),
  };
}

/** The fleet as one read of the cluster shows it: every agent and coordinator with its instances, lag, rates, health and anomalies. */
export function buildFleet(input: FleetInput): Fleet {
  const ttl = input.ttl ?? DEFAULT_TTL;
  const byAgent = new Map<string, FleetHeartbeat[]>();
  for (const b of input.heartbeats) if (b.sentAt >= input.now - input.windowMs) pushTo(byAgent, b.agent, b);
  const stuckSagas: Record<string, number> = {};
  for (const s of input.stuckSagas) stuckSagas[s.sagaType] = (stuckSagas[s.sagaType] ?? 0) + 1;
  return {
    at: input.now,
    windowMs: input.windowMs,
    agents: [...byAgent.entries()].map(([name, beats]) => agentOf(name, beats, input, ttl)).sort((a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name)),
    stuckSagas,
    newerContractHeartbeats: input.heartbeats.reduce((n, b) => (b.unknownFields.length > 0 ? n + 1 : n), 0),
  };
}
