import { Router, type Request } from 'express';
import { z } from 'zod';
import type { TokenVerifier } from '../../auth/tokens.ts';
import type { LiveEvent, LivePosition } from '../../store/read/live-events.ts';
import { authenticate, principalOf } from '../auth.ts';
import type { LiveFeed } from '../live-feed.ts';
import { parseParams } from '../params.ts';
import { GET_ONLY } from './shared.ts';

/** Comments keep idle connections open through proxies that drop silent ones. */
const HEARTBEAT_MS = 15_000;
/** A client that reads slower than this much piles up is cut off; it reconnects and resumes. */
const MAX_BUFFERED_BYTES = 1 << 20;

const eventId = (position: LivePosition) => `${position.writtenBy}-${position.id}`;

const streamId = z.string().regex(/^\d{1,20}-\d{1,19}$/, 'must be an id this stream sent (digits-digits)')
  .transform((text): LivePosition => {
    const [writtenBy, id] = text.split('-') as [string, string];
    return { writtenBy, id };
  });

export const eventsQuery = z.object({
  lastEventId: streamId.optional().describe('Where to resume, for clients that cannot send the Last-Event-ID header (which wins when both are given).'),
});
const eventsHeaders = z.object({ 'last-event-id': streamId.optional() });

/** The position a reconnecting client resumes from: EventSource's Last-Event-ID header, or `lastEventId`. */
function resumeFrom(req: Request): LivePosition | null {
  const header = parseParams(eventsHeaders, { 'last-event-id': req.get('last-event-id') || undefined }, 'header');
  return header['last-event-id'] ?? parseParams(eventsQuery, req.query, 'query').lastEventId ?? null;
}

const frame = (event: LiveEvent) => `id: ${eventId(event.position)}\nevent: outcome\ndata: ${JSON.stringify({
  eventId: event.eventId, applicationId: event.applicationId, applicantId: event.applicantId, type: event.type, version: event.version,
  occurredAt: new Date(event.occurredAt).toISOString(), adminId: event.adminId,
})}\n\n`;

/**
 * GET /events: the outcomes the processor commits, as Server-Sent Events, scoped like the JSON
 * routes (a MASTER sees all, an OWNER its own applications). Each event's id is its place in the
 * stream; a client that reconnects with the last one it saw gets everything after it, or a
 * `reset` event when that is too far back to replay.
 */
export function eventRoutes(deps: { verifier: TokenVerifier; live: LiveFeed }): Router {
  const router = Router();
  router.route('/events').get(authenticate(deps.verifier), async (req, res) => {
    const after = resumeFrom(req);
    const principal = principalOf(res);
    const write = (text: string) => {
      if (!res.headersSent) res.status(200).set({ 'Content-Type': 'text/event-stream; charset=utf-8', 'X-Accel-Buffering': 'no' });
      res.write(text);
      if (res.writableLength > MAX_BUFFERED_BYTES) res.destroy();
    };
    // Nothing is sent before the subscription stands: a database that does not answer is a 503 problem, not a stream that dies.
    const subscriber = await deps.live.subscribe(principal.role === 'MASTER' ? {} : { applicantId: principal.subject }, after,
      (events) => write(events.map(frame).join('')));
    // A client that resumed has its id and the catch-up moved it on; any other gets the feed's
    // position before its first event, so that a reconnect resumes from here.
    write('retry: 2000\n\n');
    if (after === null || subscriber.behind) write(`id: ${eventId(subscriber.from)}\n\n`);
    if (subscriber.behind) write('event: reset\ndata: {}\n\n');
    const heartbeat = setInterval(() => write(': heartbeat\n\n'), HEARTBEAT_MS);
    const stop = () => {
      clearInterval(heartbeat);
      subscriber.close();
    };
    if (res.destroyed) stop();
    else res.once('close', stop);
  }).all(GET_ONLY);
  return router;
}
