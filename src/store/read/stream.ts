import type { Readable } from 'node:stream';
import type { QuerySqlToken } from 'slonik';
import { z } from 'zod';
import { sql, type Database } from '../db.ts';

/**
 * A cursor is one statement for as long as it is read, so the pool's 30 s statement timeout would
 * cut a large export short for a client that downloads slowly; this bounds how long a client may
 * hold a connection and a snapshot instead.
 */
const EXPORT_TIMEOUT_MS = 10 * 60_000;
const setConfigRow = z.object({ set_config: z.string() });

/**
 * Every row of `query`, mapped, handed to `consume` as an object stream. slonik reads it through
 * a cursor (pg-query-stream) only as fast as `consume` takes it, so memory stays flat whatever
 * the row count. Resolves once both the query and `consume` are done; rejects with the first
 * failure of either (a consumer that gives up destroys the stream, which ends the query).
 * Everything is read on one snapshot, in a transaction of its own.
 */
export function streamRows<S extends z.ZodType, T>(
  db: Database, query: QuerySqlToken<S>, map: (row: z.infer<S>) => T, consume: (items: Readable) => Promise<void>,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let consumed: Promise<void> | undefined;
    const streamed = db.transaction(async (tx) => {
      await tx.query(sql.type(setConfigRow)`SELECT set_config('statement_timeout', ${String(EXPORT_TIMEOUT_MS)}, true)`);
      await tx.stream(query, (rows) => {
        consumed = consume(rows.map((datum: { data: z.infer<S> }) => map(datum.data)));
        consumed.catch(reject);
      });
    });
    streamed.then(() => (consumed ?? Promise.resolve()).then(resolve), reject);
  });
}
