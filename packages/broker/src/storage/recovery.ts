/** What start-up recovery found and repaired, for the log and for tests. */
export type RecoveryEventKind =
  /** Bytes after the last whole, CRC-valid batch were cut off (a write torn by a crash). */
  | 'log-truncated'
  /** The offset index was missing, short or disagreed with the log and was rebuilt. */
  | 'index-rebuilt'
  /** A leftover file (temp file of an interrupted write, index without its log) was deleted. */
  | 'leftover-removed'
  /** The committed-offsets journal ended in a torn record, which was cut off. */
  | 'journal-truncated'
  /** A topic directory without readable metadata was skipped. */
  | 'topic-skipped'
  /** The previous broker did not shut down cleanly; the newest segments were verified in full. */
  | 'unclean-shutdown';

export interface RecoveryEvent {
  kind: RecoveryEventKind;
  path: string;
  detail: string;
}

/** The subset of a pino logger the storage uses (pino's Logger fits). */
export interface StorageLogger {
  warn(message: string): void;
  info(message: string): void;
}

/** Collects recovery events and logs each as one line. */
export class RecoveryReport {
  readonly events: RecoveryEvent[] = [];

  constructor(private readonly logger: StorageLogger | undefined) {}

  add(kind: RecoveryEventKind, path: string, detail: string): void {
    this.events.push({ kind, path, detail });
    const line = `storage recovery: ${kind} ${path}: ${detail}`;
    if (kind === 'leftover-removed' || kind === 'unclean-shutdown') this.logger?.info(line);
    else this.logger?.warn(line);
  }
}
