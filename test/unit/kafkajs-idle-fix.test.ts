import { createRequire } from 'node:module';
import { scheduleCheckPendingRequests } from '../../src/kafkajs-idle-fix.ts';
import '../../src/kafka.ts';

/** kafkajs's request queue with the idle-loop fix: a timer only for a waiting request or a throttle. */
const queue = (state: { throttledUntil?: number; pending?: unknown[] } = {}) => {
  const checks: number[] = [];
  return {
    throttledUntil: state.throttledUntil ?? -1, pending: state.pending ?? [], throttleCheckTimeoutId: null as NodeJS.Timeout | null,
    checkPendingRequests: () => { checks.push(Date.now()); },
    checks,
  };
};

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('an idle, unthrottled queue schedules nothing (kafkajs 2.2.4 re-armed a 1 ms timer forever)', () => {
  const idle = queue();
  scheduleCheckPendingRequests.call(idle);
  expect(idle.throttleCheckTimeoutId).toBeNull();
});

test('a waiting request is checked again', async () => {
  const waiting = queue({ pending: ['a request'] });
  scheduleCheckPendingRequests.call(waiting);
  expect(waiting.throttleCheckTimeoutId).not.toBeNull();
  await settle(50);
  expect(waiting.checks).toHaveLength(1);
  expect(waiting.throttleCheckTimeoutId).toBeNull();
});

test('a throttle the broker asked for is checked once it ends', async () => {
  const throttled = queue({ throttledUntil: Date.now() + 30 });
  scheduleCheckPendingRequests.call(throttled);
  expect(throttled.throttleCheckTimeoutId).not.toBeNull();
  await settle(80);
  expect(throttled.checks).toHaveLength(1);
});

test('the service\'s kafkajs clients get the fix', () => {
  const RequestQueue = createRequire(import.meta.url)('kafkajs/src/network/requestQueue/index.js') as { prototype: { scheduleCheckPendingRequests: unknown } };
  expect(RequestQueue.prototype.scheduleCheckPendingRequests).toBe(scheduleCheckPendingRequests);
});
