import { hasPendingWork } from '@agentmesh/runtime/internal/fleet';

/** The part of kafkajs's RequestQueue (src/network/requestQueue) the fix below reads and wraps. */
interface RequestQueueLike {
  pending: unknown[];
  throttledUntil: number;
  scheduleCheckPendingRequests(this: RequestQueueLike): void;
}

export { hasPendingWork };

let quieted = false;

/**
 * The fix @agentmesh/kafkajs-paths puts in place through the kafkajs patch, for where no patch is applied (a user's
 * project). kafkajs 2.2.4 re-arms a timer after every answer a connection gets (RequestQueue.scheduleCheckPendingRequests) with
 * nothing waiting and no throttle, at a negative delay Node rounds up to 1 ms, and so on forever: each connection of an
 * idle long-running process (`mesh status --watch`, the console, `mesh alerts watch`) wakes a thousand times a second.
 * With nothing waiting there is nothing to check: a request that has to wait schedules its own check as it is queued.
 */
export function quietIdleRequestQueues(): void {
  if (quieted) return;
  quieted = true;
  let RequestQueue: { prototype: RequestQueueLike } | undefined;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a kafkajs internal file, as in kafkajs 2.2.4 (pinned)
    RequestQueue = require('kafkajs/src/network/requestQueue') as { prototype: RequestQueueLike };
  } catch {
    return; // another kafkajs layout: left as it is
  }
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the queue as `this`
  const schedule = RequestQueue.prototype.scheduleCheckPendingRequests;
  if (typeof schedule !== 'function') return;
  RequestQueue.prototype.scheduleCheckPendingRequests = function (this: RequestQueueLike) {
    if (hasPendingWork(this, Date.now())) schedule.call(this);
  };
}
