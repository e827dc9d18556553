/** The part of kafkajs's RequestQueue (src/network/requestQueue/index.js) this reads and overrides. */
export interface RequestQueueLike {
  pending: unknown[];
  throttledUntil: number;
  scheduleCheckPendingRequests(): void;
}

/** kafkajs's RequestQueue class: one per broker connection. (`any[]`: TypeScript's form for a class a mixin extends.) */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type RequestQueueClass = new (...args: any[]) => RequestQueueLike;

/** Whether a queue has something a scheduled check could send: a waiting request, or a throttle still to run out. */
export function hasPendingWork(queue: Pick<RequestQueueLike, 'pending' | 'throttledUntil'>, now: number): boolean {
  return queue.pending.length > 0 || queue.throttledUntil > now;
}

/**
 * kafkajs 2.2.4 schedules a check of the queue after every answer a connection gets, with nothing waiting and no
 * throttle at a negative delay Node rounds up to 1 ms, and the check schedules the next one: every connection that
 * has had an answer wakes its process a thousand times a second, forever (an idle agent, a coordinator, the CLI's
 * long-running readers). With nothing waiting there is nothing to check: a request that has to wait schedules its
 * own check as it is queued, and a throttle sets throttledUntil first.
 */
export function quietRequestQueue<C extends RequestQueueClass>(RequestQueue: C): C {
  class QuietRequestQueue extends RequestQueue {
    override scheduleCheckPendingRequests(): void {
      if (hasPendingWork(this, Date.now())) super.scheduleCheckPendingRequests();
    }
  }
  return QuietRequestQueue as C;
}
