import { HandlerTimeoutError } from '../failure/errors';

/** A call's view of its deadline: the signal is made on first use, so calls that never read it cost no controller. */
export interface DeadlineSignal {
  readonly signal: AbortSignal;
}

/** One call under a DeadlineQueue: its deadline, its lazily made signal, and how to settle it. */
class PendingCall<T> implements DeadlineSignal {
  settled = false;
  private expiredWith: HandlerTimeoutError | undefined;
  private controller: AbortController | undefined;

  constructor(
    readonly deadline: number,
    private readonly resolve: (value: T) => void,
    private readonly reject: (error: unknown) => void,
    private readonly onSettled: () => void,
  ) {}

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.expiredWith) this.controller.abort(this.expiredWith);
    }
    return this.controller.signal;
  }

  succeed(value: T): void {
    if (this.settle()) this.resolve(value);
  }

  fail(error: unknown): void {
    if (this.settle()) this.reject(error);
  }

  /** Called by the queue's timer (which has counted the call out already). */
  expire(error: HandlerTimeoutError): void {
    this.settled = true;
    this.expiredWith = error;
    this.controller?.abort(error);
    this.reject(error);
  }

  private settle(): boolean {
    if (this.settled) return false;
    this.settled = true;
    this.onSettled();
    return true;
  }
}

/**
 * Deadlines for calls that all share one timeout (an agent's `timeoutMs`), on one timer.
 *
 * Calls are started in time order with the same timeout, so their deadlines come in order too:
 * a FIFO whose head is the next to expire. One timer is armed for the head and re-armed only when
 * it fires, instead of a timer and an AbortController per call, which were a measurable part of
 * the worker's CPU and garbage per event. The timer is referenced only while calls run, so an
 * idle queue never keeps the process alive.
 *
 * A call that overruns rejects with HandlerTimeoutError even if it ignores its signal, so a hung
 * handler never holds a partition; its signal (if it asked for one) is aborted.
 */
export class DeadlineQueue {
  private readonly queue: Array<PendingCall<unknown>> = [];
  private head = 0;
  private running = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly settleOne = (): void => {
    if (--this.running === 0) {
      this.timer?.unref();
      // Nothing runs: drop the settled entries now rather than when the timer fires.
      this.queue.length = 0;
      this.head = 0;
    }
  };

  constructor(
    readonly timeoutMs: number,
    private readonly now: () => number = performanceNow,
  ) {}

  /** Runs `call` under the deadline; the result is the call's, or HandlerTimeoutError when it overruns. */
  run<T>(call: (deadline: DeadlineSignal) => Promise<T> | T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const pending = new PendingCall<T>(this.now() + this.timeoutMs, resolve, reject, this.settleOne);
      this.add(pending as PendingCall<unknown>);
      let result: Promise<T> | T;
      try {
        result = call(pending);
      } catch (error) {
        pending.fail(error);
        return;
      }
      Promise.resolve(result).then(
        (value) => pending.succeed(value),
        (error: unknown) => pending.fail(error),
      );
    });
  }

  /** Calls still running (started and neither finished nor expired). */
  get pending(): number {
    return this.running;
  }

  private add(call: PendingCall<unknown>): void {
    this.queue.push(call);
    if (this.running++ === 0) this.timer?.ref();
    if (this.timer === undefined) this.arm(call.deadline);
  }

  private arm(at: number): void {
    this.timer = setTimeout(() => this.fire(), Math.max(0, at - this.now()));
    if (this.running === 0) this.timer.unref();
  }

  private fire(): void {
    this.timer = undefined;
    const now = this.now();
    while (this.head < this.queue.length) {
      const call = this.queue[this.head]!;
      if (!call.settled && call.deadline > now) break;
      this.head++;
      if (call.settled) continue;
      this.running--;
      call.expire(new HandlerTimeoutError(this.timeoutMs));
    }
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      // Settled entries behind a long-running head are dropped in bulk, not one shift at a time.
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    const next = this.queue[this.head];
    if (next) this.arm(next.deadline);
  }
}

function performanceNow(): number {
  return performance.now();
}
