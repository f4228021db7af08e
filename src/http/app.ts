import express, { type NextFunction, type Request, type Response } from 'express';
import type { TokenVerifier } from '../auth/tokens.ts';
import type { CommandSender } from '../client/command-sender.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { Database } from '../store/db.ts';
import { problemHandler, sendProblem } from './problem.ts';
import { adminRoutes } from './routes/admin.ts';
import { applicationRoutes } from './routes/applications.ts';
import { commandRoutes } from './routes/commands.ts';
import { consoleRoutes, type DevSignIn } from './console.ts';
import { decisionRoutes } from './routes/decisions.ts';
import { eventRoutes } from './routes/events.ts';
import type { LiveFeed } from './live-feed.ts';
import { listingRoutes } from './routes/listings.ts';
import { openApiRoutes } from './openapi.ts';
import { opsRoutes, type Readiness } from './routes/ops.ts';
import { ownerRoutes } from './routes/owners.ts';
import { httpSpans } from '../tracing/http-spans.ts';

export type { Readiness };

export interface HttpDeps {
  db: Database;
  verifier: TokenVerifier;
  metrics: Metrics;
  readiness: Readiness;
  logger: Logger;
  /** The command gateway's producer (connects on first use). */
  sender: CommandSender;
  /** What GET /events streams. */
  live: LiveFeed;
  /** REVIEW_DEADLINE_HOURS: what /stats counts as overdue. */
  reviewDeadlineHours: number;
  /** Only on the embedded stack: the console's development sign-in. */
  devSignIn?: DevSignIn | undefined;
}

/** The route pattern a request matched (never the raw path, which would explode label cardinality). */
const routeLabel = (req: Request) => (req.route === undefined ? 'unmatched' : `${req.baseUrl}${String((req.route as { path: unknown }).path)}`);

function recordDuration(metrics: Metrics) {
  return (req: Request, res: Response, next: NextFunction) => {
    const stop = metrics.httpDuration.startTimer();
    let recorded = false;
    const record = () => {
      if (recorded) return;
      recorded = true;
      stop({ method: req.method, route: routeLabel(req), status: String(res.statusCode) });
    };
    res.once('finish', record);
    res.once('close', record);
    next();
  };
}

/**
 * The read API, thin routes over PostgreSQL, and the command gateway, thin routes onto the command topic. Errors are RFC 9457 problem documents; bad
 * input is always a 4xx, never a 5xx. The caller owns the server (`app.listen`).
 */
export function createHttpApp(deps: HttpDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // node:querystring: a repeated parameter becomes an array, which validation refuses.
  app.set('query parser', 'simple');

  app.use(httpSpans(routeLabel));
  app.use(recordDuration(deps.metrics));
  app.use((_req, res, next) => {
    res.set('X-Content-Type-Options', 'nosniff');
    next();
  });

  app.use(opsRoutes(deps));
  app.use(openApiRoutes());
  app.use(consoleRoutes(deps.devSignIn));
  app.use((_req, res, next) => {
    res.set('Cache-Control', 'private, no-store');
    next();
  });
  app.use(commandRoutes(deps));
  app.use(decisionRoutes(deps));
  app.use(applicationRoutes(deps));
  app.use(ownerRoutes(deps));
  app.use(listingRoutes(deps));
  app.use(adminRoutes(deps));
  app.use(eventRoutes(deps));

  app.use((req, res) => sendProblem(req, res, 'not-found', 'There is no resource at this path.'));
  app.use(problemHandler(deps.logger));
  return app;
}
