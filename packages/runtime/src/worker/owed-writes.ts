import { StoreUnavailableError } from '../redis/errors';

/** A write to the idempotency store (or the key lines beside it) owed once a batch's outputs are out. */
export interface OwedWrite {
  run(): Promise<void>;
}

/** How long an event handed on while the store was away is remembered if it is not fetched again. */
const HANDED_ON_TTL_MS = 10 * 60_000;

/**
 * Store writes a batch owes after its outputs went out (completions, lease releases, key-line moves), kept
 * in this process while the store is away and run, in order, before anything else is claimed. The events of
 * a batch left uncommitted are remembered as handed on: fetched again, they are duplicates, not a second go
 * at their side effects.
 */
export class OwedWrites {
  private readonly queue: OwedWrite[] = [];
  private readonly handedOn = new Map<string, number>();
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly clock: () => number) {}

  get size(): number {
    return this.queue.length;
  }

  /** Whether the event's outcome went out from this process while the store was away (forgotten once seen again). */
  takeHandedOn(eventId: string): boolean {
    if (this.handedOn.size === 0) return false;
    const at = this.handedOn.get(eventId);
    if (at === undefined) return false;
    this.handedOn.delete(eventId);
    return this.clock() - at < HANDED_ON_TTL_MS;
  }

  /**
   * Runs a batch's writes in order: directly while nothing is owed (batches of other partitions write side
   * by side), otherwise behind what is owed. When the store is unreachable the failed write and the rest are
   * kept and the error returned; any other error is thrown.
   */
  async perform(writes: readonly OwedWrite[]): Promise<Error | undefined> {
    if (this.queue.length === 0) {
      for (const [i, write] of writes.entries()) {
        try {
          await write.run();
        } catch (err) {
          // Only an unreachable store is waited out; anything else is a bug, thrown (the batch is redone).
          if (!(err instanceof StoreUnavailableError)) throw err;
          this.queue.push(...writes.slice(i));
          return err;
        }
      }
      return undefined;
    }
    this.queue.push(...writes);
    return this.flush().then(
      () => undefined,
      (err: unknown) => asError(err),
    );
  }

  /** Runs what is owed, one flush at a time; rejects at the first failure, keeping it and what follows. */
  flush(): Promise<void> {
    const run = async () => {
      while (this.queue.length > 0) {
        await this.queue[0]!.run();
        this.queue.shift();
      }
      this.prune();
    };
    const result = this.tail.then(run);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Events of a batch left uncommitted after their outcomes went out: fetched again, they are not handled again. */
  rememberHandedOn(eventIds: readonly string[]): void {
    const now = this.clock();
    for (const id of eventIds) this.handedOn.set(id, now);
  }

  private prune(): void {
    const now = this.clock();
    for (const [id, at] of this.handedOn) if (now - at >= HANDED_ON_TTL_MS) this.handedOn.delete(id);
  }
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
