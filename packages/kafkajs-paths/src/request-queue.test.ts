import { hasPendingWork, quietRequestQueue } from './request-queue';

/** kafkajs 2.2.4's scheduling, as it is: a check after every answer, however idle the queue. */
class KafkajsLikeQueue {
  pending: unknown[] = [];
  throttledUntil = -1;
  scheduled = 0;
  constructor(readonly broker: string) {}
  scheduleCheckPendingRequests(): void {
    this.scheduled++;
  }
}

describe('hasPendingWork', () => {
  it('is true for a waiting request or a throttle still running, false for an idle queue', () => {
    expect(hasPendingWork({ pending: [], throttledUntil: -1 }, 1_000)).toBe(false);
    expect(hasPendingWork({ pending: [], throttledUntil: 999 }, 1_000)).toBe(false);
    expect(hasPendingWork({ pending: [{}], throttledUntil: -1 }, 1_000)).toBe(true);
    expect(hasPendingWork({ pending: [], throttledUntil: 1_500 }, 1_000)).toBe(true);
  });
});

describe('quietRequestQueue', () => {
  const Quiet = quietRequestQueue(KafkajsLikeQueue);

  it('schedules no check for an idle queue', () => {
    const queue = new Quiet('b1');
    queue.scheduleCheckPendingRequests();
    expect(queue.scheduled).toBe(0);
  });

  it("schedules kafkajs's check when a request waits or a throttle runs", () => {
    const waiting = new Quiet('b1');
    waiting.pending.push({});
    waiting.scheduleCheckPendingRequests();
    expect(waiting.scheduled).toBe(1);
    const throttled = new Quiet('b1');
    throttled.throttledUntil = Date.now() + 60_000;
    throttled.scheduleCheckPendingRequests();
    expect(throttled.scheduled).toBe(1);
  });

  it('is a subclass: constructor arguments and instanceof as before', () => {
    const queue = new Quiet('b7');
    expect(queue.broker).toBe('b7');
    expect(queue).toBeInstanceOf(KafkajsLikeQueue);
    expect(Quiet).not.toBe(KafkajsLikeQueue);
  });
});

describe("kafkajs 2.2.4's own RequestQueue, quieted", () => {
  // The real class, with its real scheduling: an idle queue must arm no timer (it re-armed a 1 ms one forever).
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- kafkajs's internal file, as in 2.2.4 (pinned)
  const RequestQueue = require('kafkajs/src/network/requestQueue') as new (options: Record<string, unknown>) => {
    throttleCheckTimeoutId: unknown;
    scheduleCheckPendingRequests(): void;
    destroy(): void;
  };

  it('arms no timer for an idle queue', () => {
    const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, namespace: () => logger };
    const queue = new RequestQueue({
      instrumentationEmitter: null,
      maxInFlightRequests: null,
      requestTimeout: 1_000,
      enforceRequestTimeout: false,
      clientId: 't',
      broker: 'b',
      logger,
      isConnected: () => true,
    });
    queue.scheduleCheckPendingRequests();
    const armed = queue.throttleCheckTimeoutId !== null && queue.throttleCheckTimeoutId !== undefined;
    queue.destroy();
    expect(armed).toBe(false);
  });
});
