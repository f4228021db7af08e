import pg from 'pg';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { forPg } from '../store/database-url.ts';
import type { Database } from '../store/db.ts';
import { liveEventsBetween, liveHorizon, type LiveEvent, type LivePosition } from '../store/read/live-events.ts';

/** Whose outcomes a subscriber sees: every one (a MASTER), or one applicant's. */
export interface LiveScope { applicantId?: string | undefined }

export interface LiveSubscriber {
  /** Where the subscriber stands: its last event, or the feed's position when it joined with none. */
  readonly from: LivePosition;
  /** Catch-up was too long to replay: the subscriber should reload what it shows. */
  readonly behind: boolean;
  close(): void;
}

export interface LiveFeed {
  /**
   * Delivers every event in scope after `after` (or from now, when null), in order and without
   * gaps: the catch-up first, then what the feed reads as it is committed.
   */
  subscribe(scope: LiveScope, after: LivePosition | null, send: (events: LiveEvent[]) => void): Promise<LiveSubscriber>;
  close(): Promise<void>;
}

const PAGE = 500;
/** A subscriber further behind than this gets `behind` and joins at the feed's position instead. */
const CATCH_UP_LIMIT = 1000;
/** Reads also on this schedule: a notification lost while the listening connection was down, or a horizon held back by a long transaction, is picked up by the next tick. */
const POLL_MS = 5000;
const RELISTEN_MS = 2000;

const samePosition = (a: LivePosition, b: LivePosition) => a.writtenBy === b.writtenBy && a.id === b.id;

/**
 * One reader of application_events per process, fanned out to the connected consoles: a
 * notification (the live-events trigger) or a tick makes it read every final row past its
 * position, page by page, and hand each page to the subscribers whose scope it matches.
 * `databaseUrl` is for the LISTEN connection (slonik's pool cannot hold one); without it the
 * feed only polls.
 */
export function startLiveFeed(deps: {
  db: Database; logger: Logger; metrics: Pick<Metrics, 'liveSubscribers' | 'liveNotifications' | 'liveReads'>; databaseUrl?: string | undefined;
}): LiveFeed {
  const { metrics } = deps;
  const logger = deps.logger.child({ component: 'live-feed' });
  const subscribers = new Set<{ scope: LiveScope; deliver: (events: LiveEvent[]) => void }>();
  /** Null until the first read: the feed starts from the horizon it first sees, and needs no database to be created. */
  let position: LivePosition | null = null;
  /** Subscribers waiting for their first position: a read on their behalf must fix one. */
  let joining = 0;
  let reading: Promise<void> | null = null;
  let again = false;
  let closed = false;

  const leave = (subscriber: { scope: LiveScope; deliver: (events: LiveEvent[]) => void }) => {
    subscribers.delete(subscriber);
    metrics.liveSubscribers.set(subscribers.size);
  };

  const fanOut = (events: LiveEvent[]) => {
    for (const subscriber of subscribers) {
      const { applicantId } = subscriber.scope;
      // An owner's stream carries its own applications' outcomes, never the reviewers' own work.
      const visible = applicantId === undefined ? events : events.filter((event) => event.applicantId === applicantId && !event.reviewersOnly);
      if (visible.length > 0) subscriber.deliver(visible);
    }
  };

  const readAll = async () => {
    // With nobody subscribed or joining there is no one to hand rows to, and no query is made:
    // the processor commits a round every few milliseconds under load, and each commit notifies.
    // The next subscriber starts from the horizon it finds (and catches up from its own last id).
    if (subscribers.size === 0 && joining === 0) {
      position = null;
      return;
    }
    metrics.liveReads.inc();
    const horizon = await liveHorizon(deps.db);
    // The rows up to the horizon are not read for a subscriber that left meanwhile. Checked after
    // the await and acted on in the same tick: one that joined meanwhile gets the rows read below.
    if (position === null || subscribers.size === 0) {
      position = horizon;
      return;
    }
    for (;;) {
      const page = await liveEventsBetween(deps.db, position, horizon, PAGE);
      // The position moves with each page it hands out, in the same tick: a subscriber that joins
      // in between takes its catch-up through exactly what was already handed out.
      if (page.length > 0) {
        position = page.at(-1)!.position;
        fanOut(page);
      }
      if (page.length < PAGE) break;
    }
    position = horizon;
  };

  /** One read at a time; a notification during one makes another follow it. Resolves when the read it joined is done. */
  const readNow = (): Promise<void> => {
    if (closed) return Promise.resolve();
    if (reading !== null) {
      again = true;
      return reading;
    }
    reading = readAll().finally(() => {
      reading = null;
      if (again) {
        again = false;
        read();
      }
    });
    return reading;
  };
  const read = () => void readNow().catch((error: unknown) => logger.warn({ err: error }, 'live feed read failed; the next notification or tick retries'));

  let listener: pg.Client | null = null;
  let relisten: NodeJS.Timeout | undefined;
  const listen = async () => {
    if (closed || deps.databaseUrl === undefined) return;
    // pg reads the URL's sslmode, sslrootcert, sslcert and sslkey itself.
    const client = new pg.Client({ connectionString: forPg(deps.databaseUrl) });
    client.on('notification', () => {
      metrics.liveNotifications.inc();
      read();
    });
    client.on('error', (error) => {
      logger.warn({ err: error }, 'live feed lost its LISTEN connection; polling until it is back');
      void client.end().catch(() => {});
      listener = null;
      relisten = setTimeout(() => void listen(), RELISTEN_MS);
    });
    try {
      await client.connect();
      await client.query('LISTEN application_events');
      listener = client;
      read();
    } catch (error) {
      client.emit('error', error as Error);
    }
  };
  void listen();
  const tick = setInterval(read, POLL_MS);

  return {
    async subscribe(scope, after, send) {
      // The first subscriber of a feed that has not read yet fixes its position (and finds out
      // whether the database answers, before anything is sent).
      joining++;
      try {
        while (position === null) await readNow();
      } finally {
        joining--;
      }
      const buffered: LiveEvent[][] = [];
      let live = false;
      const subscriber = { scope, deliver: (events: LiveEvent[]) => (live ? send(events) : buffered.push(events)) };
      const through: LivePosition = position;
      subscribers.add(subscriber);
      metrics.liveSubscribers.set(subscribers.size);
      let behind = false;
      if (after !== null && !samePosition(after, through)) {
        const missed = await liveEventsBetween(deps.db, after, through, CATCH_UP_LIMIT + 1, scope.applicantId)
          .catch((error: unknown) => {
            leave(subscriber);
            throw error;
          });
        behind = missed.length > CATCH_UP_LIMIT;
        if (!behind && missed.length > 0) send(missed);
      }
      for (const events of buffered) send(events);
      live = true;
      return { from: after !== null && !behind ? after : through, behind, close: () => leave(subscriber) };
    },
    async close() {
      closed = true;
      clearInterval(tick);
      clearTimeout(relisten);
      for (const subscriber of subscribers) leave(subscriber);
      await reading;
      await listener?.end().catch(() => {});
    },
  };
}
