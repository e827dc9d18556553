import { ALERT_RULES, type AlertRule } from '@agentmesh/runtime/internal/fleet';
import type { Admin, Kafka } from 'kafkajs';
import { AlertLedger, alreadyAnnounced, firingAlerts } from './alert-ledger';
import { ALERTS_TOPIC, AlertPublisher } from './alert-publisher';
import { AlertTracker, evaluateConditions, type ActiveAlert, type AlertTransition } from './alerts';
import type { LivenessTtl } from './liveness';
import { buildFleet, type Fleet } from './model';
import { MeshValueDecoder } from './decode';
import { MeshRecords, type FleetReadNotes } from './mesh-records';
import { PartitionReader } from './partition-reader';
import { readFleet } from './reader';

export interface FleetReaderOptions {
  kafka: Kafka;
  registryUrl: string;
  /** How much history the model is built from. */
  windowMs: number;
  ttl?: LivenessTtl;
  rules?: readonly AlertRule[];
  /**
   * Publish each alert transition on mesh.alerts (a long-running reader: `mesh alerts watch`, `mesh status --watch`, the
   * console). Such a reader first takes up what mesh.alerts says is firing, and leaves out what is already announced there.
   */
  publishAlerts?: boolean;
  /** Where transitions and publishing problems are told, one line each. */
  log?: (line: string) => void;
  /** Tell transitions through `log` too (default); off where the caller logs them its own way. */
  logTransitions?: boolean;
  clock?: () => number;
}

/** One refresh: the fleet, its alerts (pending and firing), and what changed since the last refresh. */
export interface FleetView {
  fleet: Fleet;
  alerts: ActiveAlert[];
  /** What changed since the last refresh; a publishing reader leaves out what mesh.alerts already said. */
  transitions: AlertTransition[];
  notes: FleetReadNotes;
}

/**
 * The one reader of the mesh's state that `mesh status`, `mesh agents show` and the console share. It follows
 * mesh.heartbeats and saga.stuck (each record read once, however often it refreshes); each refresh reads offsets and
 * DLQ sizes (readFleet), builds the model (buildFleet), evaluates ALERT_RULES over it, and tracks alerts across
 * refreshes so that they fire after their rule's `for` and resolve; with `publishAlerts`, transitions go to mesh.alerts.
 */
export class FleetReader {
  private admin: Admin | undefined;
  private readonly tracker: AlertTracker;
  private readonly rules: readonly AlertRule[];
  private readonly publisher: AlertPublisher | undefined;
  private readonly records: MeshRecords;
  private readonly partitions: PartitionReader;
  private readonly ledger: AlertLedger | undefined;
  private restored = false;
  /** Timestamps of the oldest unconsumed records read so far: a paused group's is read once, not at every refresh. */
  private recordTimes = new Map<string, number>();

  constructor(private readonly options: FleetReaderOptions) {
    this.rules = options.rules ?? ALERT_RULES;
    this.tracker = new AlertTracker(this.rules);
    const log = options.log ?? (() => undefined);
    this.publisher = options.publishAlerts ? new AlertPublisher(options.kafka, options.registryUrl, log) : undefined;
    this.partitions = new PartitionReader(options.kafka);
    this.records = new MeshRecords(this.partitions, options.registryUrl);
    this.ledger = options.publishAlerts ? new AlertLedger(this.partitions, new MeshValueDecoder(options.registryUrl)) : undefined;
  }

  async refresh(): Promise<FleetView> {
    const { kafka, windowMs, ttl, clock } = this.options;
    if (!this.admin) {
      const admin = kafka.admin();
      await admin.connect();
      this.admin = admin;
    }
    let read: Awaited<ReturnType<typeof readFleet>>;
    try {
      // Bounded: positions move on, so the remembered ones are dropped wholesale once there are many.
      if (this.recordTimes.size > 10_000) this.recordTimes = new Map();
      read = await readFleet({ admin: this.admin, partitions: this.partitions, records: this.records, recordTimes: this.recordTimes, windowMs, ...(ttl ? { ttl } : {}), ...(clock ? { clock } : {}) });
    } catch (error) {
      // A broker that went away: the next refresh connects afresh and reads the window again.
      this.records.forget();
      await this.partitions.close();
      await this.dropAdmin();
      throw error;
    }
    const fleet = buildFleet(read.input);
    if (this.ledger) {
      try {
        await this.ledger.read(this.admin);
        if (!this.restored) this.tracker.restore(firingAlerts(this.ledger.latest, this.rules));
        this.restored = true;
      } catch (error) {
        this.options.log?.(`could not read ${ALERTS_TOPIC} back: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    const ledger = this.ledger;
    // Until mesh.alerts has been read back once, what fires there is not known: evaluating now could announce it twice.
    const transitions = ledger && !this.restored ? [] : this.tracker.update(evaluateConditions(fleet, this.rules), fleet.at).filter((t) => !ledger || !alreadyAnnounced(ledger.latest, t));
    if (this.options.logTransitions ?? true)
      for (const t of transitions)
        this.options.log?.(`alert ${t.state.toLowerCase()}: ${t.alert.alert} ${t.alert.subject}: ${t.alert.summary} (${formatFigure(t.alert.value)} > ${t.alert.threshold})`);
    if (this.publisher && transitions.length > 0) {
      try {
        const records = await this.publisher.publish(transitions);
        ledger?.note(records);
      } catch (error) {
        this.options.log?.(`could not publish ${transitions.length} alert transition(s) to mesh.alerts: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return { fleet, alerts: this.tracker.alerts(), transitions, notes: read.notes };
  }

  async close(): Promise<void> {
    await this.publisher?.close();
    await this.partitions.close();
    await this.dropAdmin();
  }

  private async dropAdmin(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    await admin?.disconnect().catch(() => undefined);
  }
}

/** A figure for a line: whole numbers (and large ones, rounded) as they are, others to three significant digits. */
export function formatFigure(n: number): string {
  if (Number.isInteger(n) || Math.abs(n) >= 100) return String(Math.round(n));
  return String(Number(n.toPrecision(3)));
}
