import { SpanKind, SpanStatusCode, type Span } from '@opentelemetry/api';
import type { Interceptor } from 'slonik';
import { tracer, tracingOn } from './switch.ts';

/**
 * One CLIENT span per PostgreSQL query, through slonik's interceptors. Explicit rather than
 * @opentelemetry/instrumentation-pg: that one patches `pg` through require/import hooks, which
 * never see a module loaded by jest's ESM loader (the tests) and need `--import` loader hooks in
 * production; an interceptor works the same in both, and slonik is the only way to the database.
 */
export function databaseSpans(): Interceptor {
  const open = new Map<string, Span>();
  const end = (queryId: string, error?: Error) => {
    const span = open.get(queryId);
    if (!span) return null;
    open.delete(queryId);
    if (error) {
      span.recordException(error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
    }
    span.end();
    return null;
  };
  return {
    name: 'opentelemetry',
    beforeQueryExecution: (queryContext, query) => {
      if (!tracingOn()) return null;
      const operation = /^\s*([A-Za-z]+)/.exec(query.sql)?.[1]?.toUpperCase() ?? 'QUERY';
      open.set(queryContext.queryId, tracer().startSpan(`${operation} postgresql`, {
        kind: SpanKind.CLIENT, attributes: { 'db.system.name': 'postgresql', 'db.operation.name': operation, 'db.query.text': query.sql.slice(0, 2000) },
      }));
      return null;
    },
    afterQueryExecution: (queryContext) => end(queryContext.queryId),
    queryExecutionError: (queryContext, _query, error) => end(queryContext.queryId, error),
  };
}
