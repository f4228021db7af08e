import {
  Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type CounterConfiguration, type GaugeConfiguration, type HistogramConfiguration,
} from 'prom-client';

/**
 * Operators scrape many services into one Prometheus, where a bare `commands_total` collides with
 * another service's: every name the service exports starts with the application's prefix
 * (Prometheus' naming practice). Metrics are defined only through `metricsOn`, which adds it.
 */
export const METRIC_PREFIX = 'backoffice_';

type Definition<Configuration> = Omit<Configuration, 'registers'>;

/** Defines metrics on `registry`, each named `METRIC_PREFIX` + the name it is given. */
export function metricsOn(registry: Registry) {
  const prefixed = <Configuration extends { name: string }>(definition: Configuration) => ({
    ...definition, name: `${METRIC_PREFIX}${definition.name}`, registers: [registry],
  });
  return {
    counter: <T extends string>(definition: Definition<CounterConfiguration<T>>) => new Counter<T>(prefixed(definition)),
    gauge: <T extends string>(definition: Definition<GaugeConfiguration<T>>) => new Gauge<T>(prefixed(definition)),
    histogram: <T extends string>(definition: Definition<HistogramConfiguration<T>>) => new Histogram<T>(prefixed(definition)),
  };
}

/** One registry per service instance, so tests can run several in one process. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  const { counter, gauge, histogram } = metricsOn(registry);
  return {
    registry,
    commands: counter({
      name: 'commands_total', help: 'Commands taken off the command topic, by command type and outcome (accepted, rejected, duplicate, dlq).',
      labelNames: ['type', 'outcome'] as const,
    }),
    rejections: counter({ name: 'command_rejections_total', help: 'CommandRejected outcomes by code.', labelNames: ['code'] as const }),
    dlq: counter({ name: 'dlq_messages_total', help: 'Records sent to the dead-letter topic, by reason.', labelNames: ['reason'] as const }),
    latency: histogram({
      name: 'command_processing_seconds', help: 'From the command record timestamp on the broker to its outcome events published.',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    }),
    batchSize: histogram({
      name: 'processor_batch_commands', help: 'Commands applied per database transaction.',
      buckets: [1, 5, 10, 50, 100, 250, 500, 1000, 2500],
    }),
    transactionSeconds: histogram({
      name: 'processor_transaction_seconds', help: 'Duration of a batch transaction.',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    }),
    stageSeconds: histogram({
      name: 'processor_stage_seconds',
      help: 'Time in each stage of the pipeline: fetch_wait (append to the start of its round, per chunk), decode, transaction, publish (send and watermark, per send), commit (per offset commit).',
      labelNames: ['stage'] as const, buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    }),
    appendToOutcome: histogram({
      name: 'processor_append_to_outcome_seconds', help: 'From the command record\'s append time on the broker to the acknowledgement of its outcome records.',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10],
    }),
    pipelineCommands: gauge({
      name: 'processor_pipeline_commands', help: 'Commands this instance holds in its pipeline per command partition: fetched, not yet committed to the group (or abandoned at a rebalance).',
      labelNames: ['partition'] as const,
    }),
    retries: counter({ name: 'processor_retries_total', help: 'Batch steps retried after a dependency failed.', labelNames: ['step'] as const }),
    liveSubscribers: gauge({ name: 'live_feed_subscribers', help: 'Console streams (GET /events) this instance feeds.' }),
    liveNotifications: counter({ name: 'live_feed_notifications_total', help: 'Commits of outcomes this instance was notified of (LISTEN application_events).' }),
    liveReads: counter({ name: 'live_feed_reads_total', help: 'Reads of application_events by the live feed; none while no console stream is open.' }),
    outboxBacklog: gauge({ name: 'outbox_backlog', help: 'Outbox rows not yet published (polled from PostgreSQL).' }),
    consumerLag: gauge({
      name: 'consumer_lag_messages', help: 'Records on the command topic not yet committed by the consumer group, per partition (polled).',
      labelNames: ['group', 'topic', 'partition'] as const,
    }),
    pendingApplications: gauge({ name: 'applications_pending', help: 'Applications waiting for a decision (polled from PostgreSQL).' }),
    oldestPendingAge: gauge({
      name: 'applications_oldest_pending_age_seconds', help: 'Age of the oldest PENDING application; 0 when none is pending (polled).',
    }),
    overdueApplications: gauge({
      name: 'applications_overdue', help: 'PENDING applications past the review deadline (REVIEW_DEADLINE_HOURS from submission; polled).',
    }),
    retentionDeleted: counter({
      name: 'retention_deleted_rows_total', help: 'Rows the retention sweep deleted: published outbox rows, processed commands past the idempotency window.',
      labelNames: ['table'] as const,
    }),
    collectorErrors: counter({
      name: 'ops_collector_errors_total', help: 'Failed polls of the operational collectors (consumer lag, database gauges, retention sweep).',
      labelNames: ['collector'] as const,
    }),
    collectorLastSuccess: gauge({
      name: 'ops_collector_last_success_timestamp_seconds', help: 'Unix time of the last successful poll of each operational collector.',
      labelNames: ['collector'] as const,
    }),
    httpDuration: histogram({
      name: 'http_request_duration_seconds', help: 'HTTP read API request duration by route and status.',
      labelNames: ['method', 'route', 'status'] as const, buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
