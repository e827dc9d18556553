import { journeyIdOf, type TraceRow } from './trace-row';

/**
 * The trace index's Redis keys, per Kafka cluster (the cluster id), so brokers that share a Redis,
 * or a broker started again without its data, never mix their journeys or their cursors.
 */
export class TraceIndexKeys {
  private readonly prefix: string;
  constructor(readonly cluster: string) {
    this.prefix = `mesh:trace:${cluster}:`;
  }
  /** Sorted set (by Kafka timestamp) of a journey's rows, as JSON. */
  journey(journeyId: string): string {
    return `${this.prefix}j:${journeyId}`;
  }
  /** String: the journey an event id belongs to. */
  event(eventId: string): string {
    return `${this.prefix}ev:${eventId}`;
  }
  /** Set: the journeys a trace id was seen in. */
  trace(traceId: string): string {
    return `${this.prefix}tr:${traceId}`;
  }
  /** Set: the journeys a saga's commands and replies belong to. */
  saga(sagaId: string): string {
    return `${this.prefix}saga:${sagaId}`;
  }
  /** Sorted set of a saga's records that name no journey (saga.stuck). */
  sagaRows(sagaId: string): string {
    return `${this.prefix}sj:${sagaId}`;
  }
  /** Hash `topic:partition` -> the next offset to index. */
  cursor(): string {
    return `${this.prefix}cursor`;
  }
}

/** The Redis writes that index a batch of rows, gathered per key so each key is written and given its expiry once. */
export interface IndexWrites {
  /** Sorted sets: key -> [score, member] pairs. */
  zadd: Map<string, Array<[number, string]>>;
  /** Strings: key -> value. */
  set: Map<string, string>;
  /** Sets: key -> members. */
  sadd: Map<string, Set<string>>;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function add(map: Map<string, Set<string>>, key: string, member: string): void {
  const set = map.get(key);
  if (set) set.add(member);
  else map.set(key, new Set([member]));
}

/** What to write for `rows`: each row under its journey, and the ways to find that journey (event id, trace id, saga id). */
export function indexWrites(keys: TraceIndexKeys, rows: readonly TraceRow[]): IndexWrites {
  const writes: IndexWrites = { zadd: new Map(), set: new Map(), sadd: new Map() };
  for (const row of rows) {
    const member = JSON.stringify(row);
    const journey = journeyIdOf(row);
    if (journey === undefined) {
      // Only saga records without a journey of their own get here; they join their saga's journeys when read.
      push(writes.zadd, keys.sagaRows(row.saga!.id), [row.timestamp, member]);
      continue;
    }
    push(writes.zadd, keys.journey(journey), [row.timestamp, member]);
    writes.set.set(keys.event(row.eventId), journey);
    if (row.traceId) add(writes.sadd, keys.trace(row.traceId), journey);
    if (row.saga) add(writes.sadd, keys.saga(row.saga.id), journey);
  }
  return writes;
}

/** Every key `writes` touches, to be given the index's expiry. */
export function keysWritten(writes: IndexWrites): string[] {
  return [...writes.zadd.keys(), ...writes.set.keys(), ...writes.sadd.keys()];
}
