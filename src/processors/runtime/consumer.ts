import type { Consumer, ConsumerRunConfig } from 'kafkajs';
import type { Logger } from '../../logger.ts';

export interface ConsumerHealth {
  joined: boolean;
  /** When the broker last answered one of the consumer's requests (fetches, heartbeats, commits). */
  brokerAnsweredAt: number;
}

export const BACKOFF_MS = [100, 250, 500, 1000, 2000, 5000];

/**
 * The consumer's life: subscribe and run, follow joins and stops, start it again after a crash
 * kafkajs gives up on, and stop it for good. `onJoin` runs at every group join (a new
 * assignment: what the previous one knew may be stale).
 */
export async function superviseConsumer(consumer: Consumer, options: {
  topic: string; run: ConsumerRunConfig; health: ConsumerHealth; onJoin(): void; logger: Logger;
}): Promise<{ stop(): Promise<void>; rejoin(): Promise<void> }> {
  const { health, logger } = options;
  let stopping = false;
  let rejoining = false;
  let restarts = 0;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    restarts = 0;
    health.joined = true;
    options.onJoin();
  });
  consumer.on(consumer.events.STOP, () => { health.joined = false; });
  // Group membership can outlive a broker outage (the coordinator restarts its session timers
  // when it reloads the group), so readiness also follows whether the broker answers at all.
  consumer.on(consumer.events.REQUEST, () => { health.brokerAnsweredAt = Date.now(); });
  // kafkajs restarts the consumer itself only after retriable errors; a non-retriable one (the
  // group coordinator not found while the broker is unreachable, say) leaves it disconnected
  // for good. Start it again, with backoff, until it is back or the service stops.
  const restart = () => {
    const delay = BACKOFF_MS[Math.min(restarts++, BACKOFF_MS.length - 1)]!;
    setTimeout(() => {
      if (stopping) return;
      consumer.connect()
        .then(() => (stopping ? undefined : consumer.run(options.run)))
        .catch((error: unknown) => {
          logger.warn({ err: error }, 'consumer restart failed; retrying');
          restart();
        });
    }, delay);
  };
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    health.joined = false;
    if (payload.restart || stopping) return;
    logger.warn({ err: payload.error }, 'consumer crashed and kafkajs will not restart it; restarting');
    restart();
  });
  await consumer.subscribe({ topics: [options.topic], fromBeginning: true });
  await consumer.run(options.run);
  return {
    /**
     * Leaves the group and joins again through a coordinator looked up afresh. kafkajs 2.2.4
     * commits offsets to the coordinator it joined through until the next join, even once that
     * broker answers that it is not the coordinator any more; when the coordinator moved while
     * every partition was paused (a rolling restart), nothing else brought a join, and the
     * commits failed for good.
     */
    async rejoin() {
      if (stopping || rejoining) return;
      rejoining = true;
      logger.warn('offset commits keep reaching a broker that is not the group coordinator; joining the group again');
      try {
        await consumer.stop();
        if (!stopping) await consumer.run(options.run);
      } catch (error) {
        logger.warn({ err: error }, 'rejoin failed; restarting the consumer');
        restart();
      } finally {
        rejoining = false;
      }
    },
    /** No restart after this; the batch in hand finishes, publishes and commits. */
    async stop() {
      stopping = true;
      await consumer.disconnect();
    },
  };
}
