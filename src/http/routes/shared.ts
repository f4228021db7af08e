import type { RequestHandler, Response } from 'express';
import type { CountedPage, Page } from '../../store/read/keyset.ts';
import { HttpProblem } from '../problem.ts';

/** For a known path asked with a method it does not serve. */
export const methodNotAllowed = (allowed: string[]): RequestHandler => () => {
  throw new HttpProblem('method-not-allowed', `This resource supports ${allowed.join(', ')} only.`, { Allow: allowed.join(', ') });
};

export const GET_ONLY = methodNotAllowed(['GET', 'HEAD']);

/** `{ items, nextCursor }`, and `total` for a counted page: nextCursor is null on the last page. */
export function sendPage<T, K, V>(res: Response, page: Page<T, K> | CountedPage<T, K>, view: (item: T) => V, encode: (key: K) => string): void {
  res.json({
    items: page.items.map(view), nextCursor: page.next === null ? null : encode(page.next), ...('total' in page ? { total: page.total } : {}),
  });
}
