import { cachingPartitioner } from './processors/partitioner.ts';
import { createTokenVerifier } from './auth/tokens.ts';
import { CommandSender } from './client/command-sender.ts';
import { topicsOf, type ServiceConfig } from './config.ts';
import { createHttpApp } from './http/app.ts';
import { startLiveFeed } from './http/live-feed.ts';
import type { DevSignIn } from './http/console.ts';
import { listen } from './http/listen.ts';
import { ensureCommandTopic } from './command-topic.ts';
import { createKafka } from './kafka.ts';
import { untilDependenciesAnswer } from './dependency-gate.ts';
import type { Logger } from './logger.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { runProcessor } from './processors/processor.ts';
import { brokerProfile } from './processors/runtime/broker-profile.ts';
import { OutboxRelay } from './processors/relay.ts';
import { Publisher } from './processors/publisher.ts';
import { startOpsCollectors } from './ops/collectors.ts';
import { startRetention } from './ops/retention.ts';
import { exportHealth } from './ops/health-gauges.ts';
import { connectSerde, registryAccess } from './schemas/serde.ts';
import { connectDatabase, databaseAnswers } from './store/db.ts';
import { roundPool } from './store/round-pool.ts';
import { migrate } from './store/migrate.ts';

/**
 * The consumer's session timeout, and how long the broker may stay silent before the service
 * says it is not ready: an idle fetch waits at most 100 ms and heartbeats go every second, so a
 * reachable broker answers well within it.
 */
const SESSION_TIMEOUT_MS = 10_000;

/**
 * The processor's consumer's maxWaitTimeInMs. A fetch still answers as soon as records arrive,
 * but when the pipeline has paused every partition kafkajs sleeps this long before it looks again
 * (consumerGroup.fetch), and with the default 5 s a drained pipeline sat idle for seconds after
 * each resume.
 */
export const FETCH_MAX_WAIT_MS = 100;

/**
 * The processor's consumer's maxBytesPerPartition: 256 bytes for each command a round may take,
 * and at least 256 KiB. kafkajs keys and values are slices of the fetch's response, so one record
 * still in the pipeline keeps its whole fetch alive: 1 MiB a partition held 2,000-3,000 commands
 * a partition in memory under a backlog, while a round takes at most PROCESSOR_MAX_BATCH
 * (docs/performance.md, "the service's memory"). Scaled with the setting, a larger batch can
 * still be filled from one fetch.
 */
export function fetchBytesPerPartition(maxBatch: number): number {
  return Math.max(262_144, maxBatch * 256);
}

export interface RunningService {
  httpPort: number;
  metrics: Metrics;
  stop(): Promise<void>;
}

const GATEWAY_RETRY = { retries: 3, initialRetryTime: 100, maxRetryTime: 1000 };

/**
 * The same code path in production and on the embedded stack: only addresses differ, and the
 * embedded stack's development key, which lets the console sign people in for development.
 */
export async function startService(config: ServiceConfig, logger: Logger, options: { devSignIn?: DevSignIn } = {}): Promise<RunningService> {
  const metrics = createMetrics();
  await migrate(config.DATABASE_URL, logger);
  const db = await connectDatabase(config.DATABASE_URL, 8);
  const rounds = roundPool(config.DATABASE_URL, config.PROCESSOR_TRANSACTIONS, logger);
  const topics = topicsOf(config);
  const heldPort = await untilDependenciesAnswer(config, { metrics, logger });
  const serde = await connectSerde(config.SCHEMA_REGISTRY_URL, topics, registryAccess(config));
  const verifier = createTokenVerifier({
    publicKeyPem: config.AUTH_PUBLIC_KEY, jwksUrl: config.AUTH_JWKS_URL, issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE,
  });
  const broker = brokerProfile(config.KAFKA_BROKER_QUIRKS);
  const kafka = createKafka(config, logger);
  if (!broker.stampsAppendTime) logger.warn('go-mokapi cannot stamp append time: decisions are judged by processing time');
  else await ensureCommandTopic(kafka, topics.commands, logger);
  const publisher = new Publisher((settings) => kafka.producer(settings), cachingPartitioner);
  const consumer = kafka.consumer({
    groupId: config.KAFKA_GROUP_ID, sessionTimeout: SESSION_TIMEOUT_MS, heartbeatInterval: 1000, maxBytesPerPartition: fetchBytesPerPartition(config.PROCESSOR_MAX_BATCH), maxWaitTimeInMs: FETCH_MAX_WAIT_MS,
  });
  await consumer.connect();
  const relay = new OutboxRelay(publisher, db);
  // go-mokapi answers OffsetFetch only to group members: there, and only there, lag comes from
  // this instance's own commits (see consumer-lag.ts).
  const ops = startOpsCollectors({ kafka, consumer: broker.answersOffsetFetchToAnyone ? undefined : consumer, db, metrics, logger, groupId: config.KAFKA_GROUP_ID, topics, intervalMs: config.METRICS_POLL_INTERVAL_MS,
    reviewDeadlineHours: config.REVIEW_DEADLINE_HOURS,
  });
  const retention = startRetention({ db, metrics, logger }, {
    outboxRetentionSeconds: config.OUTBOX_RETENTION_SECONDS, idempotencyWindowDays: config.IDEMPOTENCY_WINDOW_DAYS, intervalMs: config.RETENTION_SWEEP_INTERVAL_MS,
  });
  const processor = await runProcessor({
    consumer, relay, db, rounds, serde, verifier, topics, metrics, logger: logger.child({ component: 'processor' }),
    partitionsConcurrently: config.PROCESSOR_PARTITIONS_CONCURRENTLY, maxBatch: config.PROCESSOR_MAX_BATCH,
    transactions: config.PROCESSOR_TRANSACTIONS, commitIntervalMs: config.PROCESSOR_COMMIT_INTERVAL_MS,
    decisionClock: { appendTime: broker.stampsAppendTime, skewMs: config.DECISION_MAX_SKEW_SECONDS * 1000 },
    reviewClaimMinutes: config.REVIEW_CLAIM_MINUTES,
  });

  const readiness = async () => {
    const database = await databaseAnswers(db);
    const brokerAnswering = Date.now() - processor.health.brokerAnsweredAt < SESSION_TIMEOUT_MS;
    const checks = { database, brokerAnswering, consumerJoined: processor.health.joined, stalledStep: processor.health.stalled ?? 'none' };
    return { ready: database && brokerAnswering && processor.health.joined && processor.health.stalled === null, checks };
  };
  exportHealth(metrics, readiness, processor.health);
  // The gateway answers a waiting HTTP caller: a few seconds of retries, then 503 with Retry-After.
  const sender = new CommandSender(createKafka(config, logger, '-gateway', GATEWAY_RETRY), serde, topics);
  await sender.connect();
  const live = startLiveFeed({ db, metrics, databaseUrl: config.DATABASE_URL, logger });
  const app = createHttpApp({ db, verifier, metrics, readiness, sender, live, reviewDeadlineHours: config.REVIEW_DEADLINE_HOURS, devSignIn: options.devSignIn, logger: logger.child({ component: 'http' }) });
  const server = await listen(app, heldPort ?? config.HTTP_PORT, config.HTTP_HOST);
  const httpPort = (server.address() as { port: number }).port;
  logger.info({ httpPort, topics: topics.commands, groupId: config.KAFKA_GROUP_ID }, 'service started');

  return {
    httpPort,
    metrics,
    async stop() {
      // Stop fetching and let the batch in hand finish, publish and commit before closing.
      await processor.stop();
      await ops.stop();
      await retention.stop();
      await publisher.stop();
      await sender.disconnect();
      await new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); });
      await live.close();
      await rounds.end();
      await db.end();
      logger.info('service stopped');
    },
  };
}
