import type { CheckResult, SupervisedConsumer } from './supervised-consumer';

/**
 * A worker's group member, opened and closed as the instance's role asks: always open for an agent whose
 * instances are all active; only while active for a one-active agent, whose standbys stay out of the group
 * (a member would take a share of the partitions). Pauses asked for while closed are dropped: a new member
 * starts from the committed offsets anyway.
 */
export class ConsumerSlot {
  private current: SupervisedConsumer | undefined;
  private closedAs: CheckResult = { ok: false, detail: 'not started' };
  private markJoined: () => void = () => undefined;
  /** Resolves the first time a member of this slot joins its group. */
  readonly joined: Promise<void> = new Promise<void>((resolve) => (this.markJoined = resolve));

  constructor(private readonly open: () => SupervisedConsumer) {}

  async start(): Promise<void> {
    if (this.current) return;
    const consumer = this.open();
    this.current = consumer;
    void consumer.joined.then(() => this.markJoined());
    await consumer.start();
  }

  /**
   * Closes the member (drains it for at most drainTimeoutMs, or abandons its batches: SupervisedConsumer.stop);
   * `closedAs` is the group line of readiness meanwhile.
   */
  async stop(drainTimeoutMs: number, closedAs: CheckResult = { ok: false, detail: 'stopped' }, abandon = false): Promise<'drained' | 'timeout'> {
    const consumer = this.current;
    this.current = undefined;
    this.closedAs = closedAs;
    return consumer ? consumer.stop(drainTimeoutMs, abandon) : 'drained';
  }

  /** Set the readiness line shown while no member is open (a standby says so). */
  set idle(check: CheckResult) {
    if (!this.current) this.closedAs = check;
  }

  isOpen(): boolean {
    return this.current !== undefined;
  }

  isJoined(): boolean {
    return this.current?.isJoined() ?? false;
  }

  pausedFor(): string | undefined {
    return this.current?.pausedFor();
  }

  groupCheck(): CheckResult {
    return this.current?.groupCheck() ?? this.closedAs;
  }

  pauseAll(reason: string, ms: number): void {
    this.current?.pauseAll(reason, ms);
  }
}
