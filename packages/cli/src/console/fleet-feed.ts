import type { AlertTransition, FleetView } from '../fleet';
import { initialConnection, nextConnection, type Connection } from './connection';
import { FleetHistory } from './history';

/** The one call the feed makes of the fleet reader. */
export interface FleetSource {
  refresh(): Promise<FleetView>;
  close(): Promise<void>;
}

export interface FleetFeedOptions {
  everyMs: number;
  /** Refreshes kept for the charts. */
  historySize: number;
  /** A refresh that takes longer counts as the broker being away (the refresh itself is awaited before the next). */
  refreshTimeoutMs: number;
  brokers: readonly string[];
  windowText: string;
  /** Alert transitions kept for the alerts page. */
  transitionsKept?: number;
  clock?: () => number;
}

/**
 * The console's one long-running reader of the fleet, shared by every browser: refreshes every few seconds, keeps the
 * newest view, the charts' history, the recent alert transitions and how the connection stands. A failed refresh keeps
 * the last view (shown as stale under a banner); the reader connects afresh on the next.
 */
export class FleetFeed {
  readonly history: FleetHistory;
  private view: FleetView | undefined;
  private conn: Connection;
  private readonly transitions: AlertTransition[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly clock: () => number;
  private waiters: Array<() => void> = [];

  constructor(
    private readonly source: FleetSource,
    private readonly options: FleetFeedOptions,
  ) {
    this.clock = options.clock ?? Date.now;
    this.history = new FleetHistory(options.historySize);
    this.conn = initialConnection(this.clock());
  }

  start(): void {
    void this.tick();
  }

  latest(): FleetView | undefined {
    return this.view;
  }

  connection(): Connection {
    return this.conn;
  }

  recentTransitions(): readonly AlertTransition[] {
    return this.transitions;
  }

  /** Resolves after the next refresh settles (or at once when stopped). */
  nextRefresh(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    for (const w of this.waiters.splice(0)) w();
    // A refresh under way finishes first (its clients are closed with it), but no longer than a refresh may take.
    let bound: NodeJS.Timeout | undefined;
    await Promise.race([this.running, new Promise<void>((resolve) => (bound = setTimeout(resolve, this.options.refreshTimeoutMs)))]);
    clearTimeout(bound);
    await this.source.close().catch(() => undefined);
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    const refresh = this.source.refresh();
    this.running = refresh.then(
      () => undefined,
      () => undefined,
    );
    let timeout: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timeout = setTimeout(() => resolve('timeout'), this.options.refreshTimeoutMs);
    });
    const where = { brokers: this.options.brokers, window: this.options.windowText };
    try {
      const result = await Promise.race([refresh, timedOut]);
      if (result === 'timeout') {
        this.conn = nextConnection(this.conn, { error: new Error(`no answer within ${this.options.refreshTimeoutMs / 1000} s`) }, this.clock(), where);
        this.notify();
        // The slow refresh finishes (or fails) before the next one starts: no pile-up against a dead broker.
        await this.running;
      } else {
        this.view = result;
        this.history.add(result.fleet);
        this.transitions.push(...result.transitions);
        const kept = this.options.transitionsKept ?? 200;
        if (this.transitions.length > kept) this.transitions.splice(0, this.transitions.length - kept);
        this.conn = nextConnection(this.conn, { agents: result.fleet.agents.length }, this.clock(), where);
      }
    } catch (error) {
      this.conn = nextConnection(this.conn, { error }, this.clock(), where);
    } finally {
      clearTimeout(timeout);
    }
    this.notify();
    if (!this.stopped) this.timer = setTimeout(() => void this.tick(), this.options.everyMs);
  }

  private notify(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}
