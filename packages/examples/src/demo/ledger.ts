/**
 * What became of each published invoice, as observed on the pipeline's
 * topics. Pure bookkeeping (no Kafka), so the demo's table is unit-tested.
 */

export interface PostedObservation {
  invoiceId: string;
  /** mesh-event-id of the posted record. */
  eventId: string;
  degraded: boolean;
}

export interface DeadLetterObservation {
  agent: string;
  invoiceId: string;
  eventId: string;
  /** mesh-error-kind: transient | permanent | timeout | invalid-input. */
  kind: string;
}

export interface RetryObservation {
  agent: string;
  eventId: string;
  /** mesh-attempt: the delivery that failed. */
  attempt: number;
}

export type InvoiceFate = { kind: 'posted'; degraded: boolean } | { kind: 'dead-lettered'; agent: string; errorKind: string };

export class OutcomeLedger {
  readonly published: readonly string[];
  private readonly expected: ReadonlySet<string>;
  private readonly fates = new Map<string, InvoiceFate>();
  private readonly postings = new Map<string, number>();
  private readonly seenEventIds = new Map<string, Set<string>>();
  private readonly deadLetters = new Map<string, DeadLetterObservation>();
  private readonly retries = new Map<string, Set<string>>();
  private redeliveries = 0;
  private doublePostings = 0;
  private waiters: Array<() => void> = [];

  constructor(publishedInvoiceIds: readonly string[]) {
    this.published = [...publishedInvoiceIds];
    this.expected = new Set(publishedInvoiceIds);
  }

  /**
   * A record seen on a pipeline topic. Returns false when its event id was
   * seen on that topic before: a redelivery, which idempotent consumers drop.
   */
  recordDelivery(topic: string, eventId: string): boolean {
    let seen = this.seenEventIds.get(topic);
    if (!seen) this.seenEventIds.set(topic, (seen = new Set()));
    if (seen.has(eventId)) {
      this.redeliveries++;
      return false;
    }
    seen.add(eventId);
    return true;
  }

  recordPosted(posted: PostedObservation): void {
    if (!this.expected.has(posted.invoiceId)) return;
    if (!this.recordDelivery('invoices.posted', posted.eventId)) return;
    const count = (this.postings.get(posted.invoiceId) ?? 0) + 1;
    this.postings.set(posted.invoiceId, count);
    // A second posting under a new event id is an effect twice: no id-based dedupe can hide it.
    if (count > 1) this.doublePostings++;
    else this.settle(posted.invoiceId, { kind: 'posted', degraded: posted.degraded });
  }

  recordDeadLetter(dead: DeadLetterObservation): void {
    if (!this.expected.has(dead.invoiceId)) return;
    const id = `${dead.agent}\u0000${dead.eventId}`;
    if (this.deadLetters.has(id)) return;
    this.deadLetters.set(id, dead);
    if (!this.fates.has(dead.invoiceId)) this.settle(dead.invoiceId, { kind: 'dead-lettered', agent: dead.agent, errorKind: dead.kind });
  }

  recordRetry(retry: RetryObservation): void {
    let seen = this.retries.get(retry.agent);
    if (!seen) this.retries.set(retry.agent, (seen = new Set()));
    seen.add(`${retry.eventId}\u0000${retry.attempt}`);
  }

  fateOf(invoiceId: string): InvoiceFate | undefined {
    return this.fates.get(invoiceId);
  }

  /** Published invoices that are neither posted nor dead-lettered yet. */
  unsettled(): string[] {
    return this.published.filter((id) => !this.fates.has(id));
  }

  get isSettled(): boolean {
    return this.fates.size === this.expected.size;
  }

  /** Resolves true once every published invoice is posted or dead-lettered; false when `timeoutMs` passes first. */
  whenSettled(timeoutMs: number): Promise<boolean> {
    if (this.isSettled) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== done);
        resolve(false);
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.waiters.push(done);
    });
  }

  /** Counts for the report, taken at one moment. */
  snapshot(): LedgerSnapshot {
    const fates = [...this.fates.values()];
    const posted = fates.filter((f): f is Extract<InvoiceFate, { kind: 'posted' }> => f.kind === 'posted');
    return {
      published: this.published.length,
      posted: posted.length,
      degraded: posted.filter((f) => f.degraded).length,
      deadLetters: [...this.deadLetters.values()].map((d) => ({ agent: d.agent, kind: d.kind })),
      retriesByAgent: Object.fromEntries([...this.retries].map(([agent, set]) => [agent, set.size])),
      redeliveries: this.redeliveries,
      doublePostings: this.doublePostings,
      unsettled: this.unsettled(),
    };
  }

  private settle(invoiceId: string, fate: InvoiceFate): void {
    this.fates.set(invoiceId, fate);
    if (this.isSettled) {
      const waiters = this.waiters;
      this.waiters = [];
      for (const w of waiters) w();
    }
  }
}

export interface LedgerSnapshot {
  published: number;
  posted: number;
  degraded: number;
  /** One entry per dead letter of a published invoice (an invoice dead-lettered twice counts twice). */
  deadLetters: Array<{ agent: string; kind: string }>;
  retriesByAgent: Record<string, number>;
  redeliveries: number;
  doublePostings: number;
  unsettled: string[];
}
