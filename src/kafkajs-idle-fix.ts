import { createRequire } from 'node:module';

/**
 * kafkajs 2.2.4, its last release, re-arms a timer every millisecond on every connection it
 * holds, forever: RequestQueue.scheduleCheckPendingRequests computes `throttledUntil - now`,
 * which is negative when nothing is throttled (throttledUntil starts at -1), and schedules the
 * check with it even when no request is pending; the check schedules the next one
 * (tulios/kafkajs#1556, #1704, #1751; the fix in #1667 was never merged). Measured on 2026-12-02:
 * one idle consumer cost 0.09 cores, and the service at 500 commands/s spent 2.5 times as much
 * CPU per command as while draining. Node 24 warns about it (TimeoutNegativeWarning).
 *
 * Installed once per process, before any client connects: a check is scheduled only when a
 * request waits, or until a broker-requested throttle ends. A request that cannot go at once is
 * queued with a scheduled check (push), and every answered request checks the queue
 * (fulfillRequest), so nothing waits on a poll.
 */
interface RequestQueueState {
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  pending: unknown[];
  checkPendingRequests(): void;
}

const CHECK_PENDING_REQUESTS_INTERVAL_MS = 10;

const require = createRequire(import.meta.url);
const RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as { prototype: RequestQueueState & { scheduleCheckPendingRequests(): void } };

export function scheduleCheckPendingRequests(this: RequestQueueState): void {
  if (this.throttleCheckTimeoutId) return;
  const untilUnthrottled = this.throttledUntil - Date.now();
  if (this.pending.length === 0 && untilUnthrottled <= 0) return;
  const delay = untilUnthrottled > 0 ? untilUnthrottled : CHECK_PENDING_REQUESTS_INTERVAL_MS;
  this.throttleCheckTimeoutId = setTimeout(() => {
    this.throttleCheckTimeoutId = null;
    this.checkPendingRequests();
  }, delay);
}

RequestQueue.prototype.scheduleCheckPendingRequests = scheduleCheckPendingRequests;
