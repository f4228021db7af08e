import type { Consumer, Kafka } from 'kafkajs';
import type { Topics } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { Database } from '../store/db.ts';
import { consumerLagCollector } from './consumer-lag.ts';
import { databaseGaugesCollector } from './database-gauges.ts';
import { startPoller } from './poller.ts';

export interface OpsCollectorsDeps {
  kafka: Kafka;
  /** The processor's consumer: where the broker keeps group offsets from non-members, lag comes from its commits. */
  consumer?: Consumer;
  db: Database;
  metrics: Metrics;
  logger: Logger;
  groupId: string;
  topics: Topics;
  intervalMs: number;
  reviewDeadlineHours: number;
}

export interface OpsCollectors {
  /** One poll of every collector now; resolves when all are done. */
  pollNow(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The gauges that are state, not events: consumer lag per partition, outbox backlog, pending
 * applications and the oldest one's age. Each is polled on its own schedule so that a broker
 * outage does not stop the database gauges and the other way round. Starting never fails: a
 * dependency that is down shows as backoffice_ops_collector_errors_total until it is back. Start
 * it before the consumer runs, so that it sees the consumer's first group join.
 */
export function startOpsCollectors(deps: OpsCollectorsDeps): OpsCollectors {
  const logger = deps.logger.child({ component: 'ops-collectors' });
  const lag = consumerLagCollector({
    kafka: deps.kafka, consumer: deps.consumer, groupId: deps.groupId, topics: [deps.topics.commands], metrics: deps.metrics, logger,
  });
  const database = databaseGaugesCollector({ db: deps.db, metrics: deps.metrics, reviewDeadlineHours: deps.reviewDeadlineHours });
  const pollers = [
    startPoller('consumer_lag', deps.intervalMs, () => lag.poll(), { metrics: deps.metrics, logger }),
    startPoller('database', deps.intervalMs, () => database.poll(), { metrics: deps.metrics, logger }),
  ];
  return {
    async pollNow() {
      await Promise.all(pollers.map((poller) => poller.pollNow()));
    },
    async stop() {
      await Promise.all(pollers.map((poller) => poller.stop()));
      await lag.close();
    },
  };
}
