/** The fields of the heartbeat contract this reader knows; any other field came from a newer contract. */
const KNOWN_FIELDS: ReadonlySet<string> = new Set([
  'agent',
  'instanceId',
  'host',
  'pid',
  'status',
  'sentAt',
  'assignedPartitions',
  'consumerLag',
  'openBreakers',
  'version',
  'topics',
  'counters',
  'idempotencyStore',
  'kind',
  'group',
  'partitions',
  'inFlight',
  'breakers',
  'latencyP50Ms',
  'latencyP99Ms',
  'role',
  'fencingToken',
]);

export interface OwnedPartitionLag {
  topic: string;
  partition: number;
  lag: number;
}

/** A heartbeat as the fleet model uses it: every field filled, whichever contract version sent it. */
export interface FleetHeartbeat {
  agent: string;
  instanceId: string;
  host: string;
  pid: number;
  /** STARTING, READY, DEGRADED, STOPPING, or a status of a newer contract, kept as sent. */
  status: string;
  sentAt: number;
  kind: 'agent' | 'coordinator';
  group: string;
  version: string | null;
  topics: string[];
  assignedPartitions: number;
  /** Records behind over the owned partitions, as the instance last read it. */
  consumerLag: number;
  partitions: OwnedPartitionLag[];
  inFlight: number | null;
  breakers: Record<string, string>;
  openBreakers: string[];
  counters: Record<string, number>;
  latencyP50Ms: number | null;
  latencyP99Ms: number | null;
  role: string | null;
  fencingToken: number | null;
  /** Fields this reader does not know: the sender speaks a newer contract. */
  unknownFields: string[];
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function num(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Date) return v.getTime();
  return null;
}

/** Avro decodes a union as the bare value or as `{ type: value }`, depending on the reader; both are taken. */
function unwrap(v: unknown): unknown {
  if (isRecord(v) && !(v instanceof Date)) {
    const keys = Object.keys(v);
    if (keys.length === 1 && ['string', 'long', 'int', 'double'].includes(keys[0]!)) return v[keys[0]!];
  }
  return v;
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter(isString) : []);

function numberMap(v: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (isRecord(v)) for (const [k, x] of Object.entries(v)) if (num(x) !== null) out[k] = num(x)!;
  return out;
}

function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isRecord(v)) for (const [k, x] of Object.entries(v)) if (isString(x)) out[k] = x;
  return out;
}

function partitions(v: unknown): OwnedPartitionLag[] {
  if (!Array.isArray(v)) return [];
  return v.flatMap((p) => (isRecord(p) && isString(p.topic) && num(p.partition) !== null ? [{ topic: p.topic, partition: num(p.partition)!, lag: Math.max(0, num(p.lag) ?? 0) }] : []));
}

/**
 * A decoded heartbeat value (Avro or JSON, of any contract version) as the fleet reads it; undefined when it is not
 * a heartbeat. Fields a newer contract added are listed, not refused; fields an older one lacks take their defaults.
 */
export function fleetHeartbeat(value: unknown): FleetHeartbeat | undefined {
  if (!isRecord(value)) return undefined;
  const sentAt = num(value.sentAt);
  if (!isString(value.agent) || !isString(value.instanceId) || !isString(value.status) || sentAt === null) return undefined;
  const breakers = stringMap(value.breakers);
  const open = strings(value.openBreakers);
  const group = unwrap(value.group);
  const version = unwrap(value.version);
  const role = unwrap(value.role);
  return {
    agent: value.agent,
    instanceId: value.instanceId,
    host: isString(value.host) ? value.host : '',
    pid: num(value.pid) ?? 0,
    status: value.status,
    sentAt,
    kind: unwrap(value.kind) === 'coordinator' ? 'coordinator' : 'agent',
    group: isString(group) ? group : value.agent,
    version: isString(version) ? version : null,
    topics: strings(value.topics),
    assignedPartitions: num(value.assignedPartitions) ?? 0,
    consumerLag: num(value.consumerLag) ?? 0,
    partitions: partitions(value.partitions),
    inFlight: num(unwrap(value.inFlight)),
    breakers,
    // Senders before the breakers map list only the open ones.
    openBreakers: open.length > 0 ? open : Object.keys(breakers).filter((b) => breakers[b] === 'open'),
    counters: numberMap(value.counters),
    latencyP50Ms: num(unwrap(value.latencyP50Ms)),
    latencyP99Ms: num(unwrap(value.latencyP99Ms)),
    role: isString(role) ? role : null,
    fencingToken: num(unwrap(value.fencingToken)),
    unknownFields: Object.keys(value).filter((k) => !KNOWN_FIELDS.has(k)),
  };
}
