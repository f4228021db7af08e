import { targetBounds } from '../../bench/lib/bounds.ts';

/** The bench's lower bounds under the latency targets: the bare relay's p99 at each rate. */

test('a bare relay slower than a latency target bounds it at that rate only', () => {
  expect(targetBounds({ 500: 61.25, 2000: 120 })).toEqual({
    500: { relay_p99_ms: 61.3, target_ms: 50, bound: true },
    2000: { relay_p99_ms: 120, target_ms: 150, bound: false },
  });
});

test('a rate whose relay was not measured gives no bound', () => {
  expect(targetBounds({ 500: 50, 2000: NaN })).toEqual({ 500: { relay_p99_ms: 50, target_ms: 50, bound: false } });
  expect(targetBounds({})).toEqual({});
});
