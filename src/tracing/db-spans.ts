import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { Interceptor } from 'slonik';
import { tracer, tracingOn } from './switch.ts';

/** A query's span, ended with the query's error if it failed. */
export interface QuerySpan { end(error?: Error): void }

const UNTRACED: QuerySpan = { end: () => {} };

/** One CLIENT span for a PostgreSQL query, a child of the active span; nothing when tracing is off. */
export function querySpan(text: string): QuerySpan {
  if (!tracingOn()) return UNTRACED;
  const operation = /^\s*([A-Za-z]+)/.exec(text)?.[1]?.toUpperCase() ?? 'QUERY';
  const span = tracer().startSpan(`${operation} postgresql`, {
    kind: SpanKind.CLIENT, attributes: { 'db.system.name': 'postgresql', 'db.operation.name': operation, 'db.query.text': text.slice(0, 2000) },
  });
  return {
    end(error) {
      if (error) {
        span.recordException(error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
      }
      span.end();
    },
  };
}

/**
 * A span per query of slonik's pool, through its interceptors (the processor's rounds, on their
 * own pool, open theirs in src/store/round-pool.ts). Explicit rather than
 * @opentelemetry/instrumentation-pg: that one patches `pg` through require/import hooks, which
 * never see a module loaded by jest's ESM loader (the tests) and need `--import` loader hooks in
 * production; explicit spans work the same in both.
 */
export function databaseSpans(): Interceptor {
  const open = new Map<string, QuerySpan>();
  const end = (queryId: string, error?: Error) => {
    open.get(queryId)?.end(error);
    open.delete(queryId);
    return null;
  };
  return {
    name: 'opentelemetry',
    beforeQueryExecution: (queryContext, query) => {
      if (tracingOn()) open.set(queryContext.queryId, querySpan(query.sql));
      return null;
    },
    afterQueryExecution: (queryContext) => end(queryContext.queryId),
    queryExecutionError: (queryContext, _query, error) => end(queryContext.queryId, error),
  };
}
