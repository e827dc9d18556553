import type { AlertRule, MeshAlert } from '@agentmesh/runtime/internal/fleet';
import type { Admin } from 'kafkajs';
import { ALERTS_TOPIC } from './alert-publisher';
import type { ActiveAlert, AlertTransition } from './alerts';
import { isUndecodable, type MeshValueDecoder } from './decode';
import type { PartitionReader } from './partition-reader';

/** An alert's key on mesh.alerts (the record key the publisher writes), and in the ledger. */
export const alertKey = (a: { alert: string; subject: string }): string => `${a.alert}/${a.subject}`;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Avro decodes a union as the bare value or as `{ type: value }`, depending on the reader; both are taken. */
function bare(v: unknown): unknown {
  if (isRecord(v)) {
    const keys = Object.keys(v);
    if (keys.length === 1 && ['double', 'string', 'long'].includes(keys[0]!)) return v[keys[0]!];
  }
  return v;
}

function num(v: unknown): number | null {
  const b = bare(v);
  if (typeof b === 'number' && Number.isFinite(b)) return b;
  if (typeof b === 'bigint') return Number(b);
  if (b instanceof Date) return b.getTime();
  return null;
}

/** A decoded mesh.alerts value (Avro or JSON) as a MeshAlert; undefined when it is not one. */
export function meshAlertOf(value: unknown): MeshAlert | undefined {
  if (!isRecord(value)) return undefined;
  const { alert, state, severity, subject, summary } = value;
  const at = num(value.at);
  const since = num(value.since);
  if (typeof alert !== 'string' || typeof subject !== 'string' || (state !== 'FIRING' && state !== 'RESOLVED') || at === null || since === null) return undefined;
  const evaluator = bare(value.evaluator);
  return {
    alert,
    state,
    severity: typeof severity === 'string' ? severity : 'warning',
    subject,
    summary: typeof summary === 'string' ? summary : '',
    value: num(value.value),
    threshold: num(value.threshold),
    at,
    since,
    evaluator: typeof evaluator === 'string' ? evaluator : null,
  };
}

/** The newest record of each alert: records in the order the topic holds them (one partition per key), a later one wins. */
export function latestByAlert(records: readonly MeshAlert[], into = new Map<string, MeshAlert>()): Map<string, MeshAlert> {
  for (const r of records) {
    const before = into.get(alertKey(r));
    if (!before || r.at >= before.at) into.set(alertKey(r), r);
  }
  return into;
}

/** What the newest records say is firing now, as the tracker holds it: of rules it still knows, since when they fire. */
export function firingAlerts(latest: ReadonlyMap<string, MeshAlert>, rules: readonly AlertRule[]): ActiveAlert[] {
  const known = new Map(rules.map((r) => [r.name, r]));
  return [...latest.values()].flatMap((r) => {
    const rule = known.get(r.alert);
    if (r.state !== 'FIRING' || !rule) return [];
    return [
      {
        alert: r.alert,
        severity: rule.severity,
        subject: r.subject,
        summary: r.summary,
        value: r.value ?? Number.NaN,
        threshold: r.threshold ?? rule.fleet.above,
        state: 'firing' as const,
        since: r.since,
      },
    ];
  });
}

/** True when mesh.alerts already says what the transition would: another evaluator, or this one before a restart, announced it. */
export function alreadyAnnounced(latest: ReadonlyMap<string, MeshAlert>, t: AlertTransition): boolean {
  return latest.get(alertKey(t.alert))?.state === t.state;
}

/**
 * mesh.alerts as every evaluator wrote it, followed from one read to the next: an evaluator that starts takes up what
 * is firing (and since when) instead of announcing it again, and one of several running does not repeat the others.
 */
export class AlertLedger {
  readonly latest = new Map<string, MeshAlert>();
  private readonly next = new Map<number, bigint>();

  constructor(
    private readonly reader: PartitionReader,
    private readonly decoder: MeshValueDecoder,
  ) {}

  /** Reads what was published since the last read (everything, the first time). */
  async read(admin: Admin): Promise<void> {
    if (!(await admin.listTopics()).includes(ALERTS_TOPIC)) return;
    const offsets = await admin.fetchTopicOffsets(ALERTS_TOPIC);
    const ranges = offsets.map((o) => {
      const low = BigInt(o.low);
      const from = this.next.get(o.partition) ?? low;
      return { topic: ALERTS_TOPIC, partition: o.partition, start: from < low ? low : from, end: BigInt(o.high) };
    });
    const records: MeshAlert[] = [];
    await this.reader.read(ranges, async (record) => {
      const value = await this.decoder.decode(ALERTS_TOPIC, record.value);
      const alert = isUndecodable(value) ? undefined : meshAlertOf(value);
      if (alert) records.push(alert);
    });
    latestByAlert(records, this.latest);
    for (const r of ranges) this.next.set(r.partition, r.end);
  }

  /** Notes transitions this evaluator has just published, before it reads them back. */
  note(records: readonly MeshAlert[]): void {
    latestByAlert(records, this.latest);
  }
}
