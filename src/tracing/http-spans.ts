import { context, propagation, ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import type { NextFunction, Request, Response } from 'express';
import { tracer, tracingOn } from './switch.ts';

/**
 * One SERVER span per HTTP request, continuing the caller's `traceparent`, named by the route it
 * matched. Explicit rather than @opentelemetry/instrumentation-http and -express, which patch
 * node:http and express through require/import hooks (see db-spans.ts for why those are avoided).
 * `routeOf` is the read API's own route label, so spans and the latency histogram agree.
 */
export function httpSpans(routeOf: (req: Request) => string) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (!tracingOn()) return next();
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const span = tracer().startSpan(req.method, {
      kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method, 'url.path': req.path },
    }, parent);
    res.once('finish', () => {
      const route = routeOf(req);
      span.updateName(`${req.method} ${route}`);
      span.setAttributes({ 'http.route': route, 'http.response.status_code': res.statusCode });
      span.end();
    });
    context.with(trace.setSpan(parent, span), next);
  };
}
