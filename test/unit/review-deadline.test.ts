import { reviewDueAt } from '../../src/domain/review-deadline.ts';

const submitted = Date.parse('2026-12-01T09:00:00Z');

test('a PENDING application is due the deadline\'s hours after its submission', () => {
  expect(reviewDueAt({ status: 'PENDING', createdAt: submitted }, 48)).toBe(Date.parse('2026-12-03T09:00:00Z'));
  expect(reviewDueAt({ status: 'PENDING', createdAt: submitted }, 1)).toBe(Date.parse('2026-12-01T10:00:00Z'));
});

test.each(['APPROVED', 'REJECTED', 'WITHDRAWN'] as const)('a %s application is due no more', (status) => {
  expect(reviewDueAt({ status, createdAt: submitted }, 48)).toBeNull();
});
