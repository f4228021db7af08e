import pg from 'pg';
import type { QuerySqlToken } from 'slonik';
import type { z } from 'zod';
import type { Logger } from '../logger.ts';
import { querySpan } from '../tracing/db-spans.ts';
import { forPg } from './database-url.ts';
import { POOL_LIMITS } from './db.ts';
import { isSqlState } from './sql-state.ts';

/** A round's transaction between its load and its write: the write commits it, or it is abandoned. */
export interface OpenRound {
  /** Sends the write and COMMIT together; resolves with the write's rows once both answered. */
  commitWith<T extends z.ZodType>(write: QuerySqlToken<T>): Promise<z.output<T>[]>;
  /** Rolls back, if the round is still open (after a failed load or write it is already closed). */
  abandon(): Promise<void>;
}

export interface RoundPool {
  /** Sends BEGIN and the load together; resolves with the load's rows and the open round. */
  begin<T extends z.ZodType>(load: QuerySqlToken<T>): Promise<{ rows: z.output<T>[]; round: OpenRound }>;
  end(): Promise<void>;
}

/** int8 as bigint, as slonik's type parsers give it (src/store/tables.ts); everything else as pg parses it. */
const INT8 = 20;
const types = { getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === INT8 ? BigInt : pg.types.getTypeParser(oid, format))) as typeof pg.types.getTypeParser };

type Statement = QuerySqlToken<z.ZodType> | string;

const parseRows = <T extends z.ZodType>(query: QuerySqlToken<T>, rows: unknown[]): z.output<T>[] => rows.map((row) => query.parser.parse(row));

/**
 * The processor's rounds on their own pool of pipelining clients (pg's `pipeline` mode): BEGIN
 * goes out with the round's load and COMMIT with its write, so a round costs two round trips to
 * PostgreSQL instead of four. Each round trip costs the busy machine a wake-up of the backend
 * and of the service, 1.5-2 ms at 500 commands/s even for BEGIN (docs/performance.md). slonik
 * cannot do this: its transaction() awaits START TRANSACTION before the body runs, and its
 * client sends a query only once the previous one answered. The statements are slonik's `sql`
 * tokens, checked against their row schemas as slonik's pool checks them (src/store/db.ts).
 *
 * Pipelined, a failed statement does not stop the next one from being sent: a COMMIT behind a
 * failed write ends the aborted transaction as a rollback, and a load behind a failed BEGIN
 * fails too. A client whose round failed is discarded, unless PostgreSQL answered both statements
 * of a refused write and its COMMIT: the transaction is over then, and the connection idle.
 */
export function roundPool(databaseUrl: string, size: number, logger: Logger): RoundPool {
  // pg reads the URL's sslmode, sslrootcert, sslcert and sslkey itself.
  const pool = new pg.Pool({
    connectionString: forPg(databaseUrl), max: size, pipeline: true, types, statement_timeout: POOL_LIMITS.statementTimeoutMs,
    idle_in_transaction_session_timeout: POOL_LIMITS.idleInTransactionMs, connectionTimeoutMillis: POOL_LIMITS.connectionTimeoutMs,
  });
  // An idle client's connection can end (PostgreSQL restarted): the pool drops it, and the next round connects again.
  pool.on('error', (error) => logger.warn({ err: error }, 'a PostgreSQL connection of the processor\'s pool failed while idle'));

  const sent = (client: pg.PoolClient, query: Statement) => {
    // slonik's tokens number their parameters $slonik_1, ...; slonik turns them into $1, ... as it executes.
    const text = typeof query === 'string' ? query : query.sql.replaceAll('$slonik_', '$');
    const span = querySpan(text);
    const answer = typeof query === 'string' ? client.query(text) : client.query(text, query.values as unknown[]);
    return answer.then((result) => { span.end(); return result; }, (error: Error) => { span.end(error); throw error; });
  };

  /** Two statements sent together: both results, or the first failure and whether PostgreSQL answered both. */
  const both = async (client: pg.PoolClient, first: Statement, second: Statement): Promise<
    { failure: null; results: [pg.QueryResult, pg.QueryResult] } | { failure: Error; answered: boolean }
  > => {
    const settled = await Promise.allSettled([sent(client, first), sent(client, second)]);
    const failed = settled.find((result) => result.status === 'rejected');
    if (!failed) return { failure: null, results: settled.map((result) => (result as PromiseFulfilledResult<pg.QueryResult>).value) as [pg.QueryResult, pg.QueryResult] };
    return { failure: failed.reason as Error, answered: settled.every((result) => result.status === 'fulfilled' || isSqlState((result.reason as { code?: unknown } | null)?.code)) };
  };

  return {
    async begin(load) {
      const client = await pool.connect();
      // pg-pool listens for a checked-out client's errors no longer, and pg emits a connection's
      // failure (PostgreSQL restarted, idle_in_transaction_session_timeout) while no statement is
      // waiting as an 'error' event: unheard, it would end the process. The round's next
      // statement fails instead, and the pipeline retries the round.
      const lost = (error: Error) => logger.warn({ err: error }, 'the PostgreSQL connection of a round in flight failed');
      client.on('error', lost);
      let open = true;
      const close = (error?: Error) => {
        open = false;
        // A client released with an error is discarded: it keeps the listener for what it may still emit.
        if (!error) client.off('error', lost);
        client.release(error);
      };
      const begun = await both(client, 'BEGIN', load);
      if (begun.failure) {
        close(begun.failure);
        throw begun.failure;
      }
      const round: OpenRound = {
        async commitWith(write) {
          if (!open) throw new Error('the round was already committed or abandoned');
          const committed = await both(client, write, 'COMMIT');
          if (committed.failure) {
            // PostgreSQL answered both (a refused write, then COMMIT as a rollback): the connection is idle and can be reused.
            close(committed.answered ? undefined : committed.failure);
            throw committed.failure;
          }
          close();
          return parseRows(write, committed.results[0].rows);
        },
        async abandon() {
          if (!open) return;
          open = false;
          await sent(client, 'ROLLBACK').then(() => close(), (error: Error) => close(error));
        },
      };
      try {
        return { rows: parseRows(load, begun.results[1].rows), round };
      } catch (error) {
        await round.abandon();
        throw error;
      }
    },
    end: () => pool.end(),
  };
}
