import { databaseSpans } from '../tracing/db-spans.ts';
import { tracingOn } from '../tracing/switch.ts';
import { createPool, SchemaValidationError, sql, type DatabasePool, type Interceptor, type QueryResultRow } from 'slonik';
import { z } from 'zod';
import { tlsOf } from './database-url.ts';

export { sql };
export type Database = DatabasePool;

/**
 * Checks each row of a `sql.type(schema)` query against its schema: slonik hands the schema to
 * interceptors but does not apply it itself (its README's result-parser recipe). Queries
 * without a schema pass untouched.
 */
const rowSchemas: Interceptor = {
  name: 'row-schemas',
  transformRow: (context, query, row) => {
    if (!context.resultParser) return row;
    const checked = context.resultParser['~standard'].validate(row);
    if (checked instanceof Promise) throw new TypeError('row schemas must be synchronous');
    if (checked.issues) throw new SchemaValidationError(query, row, checked.issues);
    return checked.value as QueryResultRow;
  },
};

/** Every pool's limits: slonik's and the processor's rounds' (src/store/round-pool.ts). */
export const POOL_LIMITS = { statementTimeoutMs: 30_000, connectionTimeoutMs: 5_000, idleInTransactionMs: 60_000 } as const;

export const connectDatabase = (url: string, maximumPoolSize = 10): Promise<Database> => {
  const ssl = tlsOf(url);
  return createPool(url, {
    ...(ssl ? { ssl } : {}),
    maximumPoolSize, statementTimeout: POOL_LIMITS.statementTimeoutMs, connectionTimeout: POOL_LIMITS.connectionTimeoutMs,
    idleInTransactionSessionTimeout: POOL_LIMITS.idleInTransactionMs,
    // slonik's default runs DISCARD ALL on every release: one more round trip per transaction and
    // per pooled query. Nothing here leaves session state behind (no SET without LOCAL, no temp
    // tables, no named prepared statements), so there is nothing to discard.
    resetConnection: async () => {},
    // Spans only when tracing is on (started before the pool): an untraced service pays nothing per query.
    interceptors: tracingOn() ? [rowSchemas, databaseSpans()] : [rowSchemas],
  });
};

const answeredRow = z.object({ answered: z.literal(1) });

/** Whether the database answers a query at all; a readiness check. */
export const databaseAnswers = (db: Database): Promise<boolean> =>
  db.oneFirst(sql.type(answeredRow)`SELECT 1 AS answered`).then(() => true, () => false);
