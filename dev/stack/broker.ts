/** What every embedded broker offers, whichever runs: Apache Kafka, or the go-mokapi fallback. */
export interface EmbeddedBroker {
  kind: 'apache-kafka' | 'go-mokapi';
  /** What ran, for logs and results: `apache-kafka 4.4.0` or `go-mokapi`. */
  label: string;
  brokers: string[];
  port: number;
  pid: number;
  /** null while the broker runs; once it has exited, how (code or signal) and its last output. */
  exitReason(): string | null;
  /** The last few kilobytes the broker wrote to stderr. */
  stderrTail(): string;
  /**
   * Makes sure the topics exist with at least `partitions` partitions. Kafka creates them at run
   * time; go-mokapi only serves the topics declared at its start and refuses any other.
   */
  ensureTopics(topics: string[], partitions: number, configs?: Record<string, string>): Promise<void>;
  stop(): Promise<void>;
}

/** The command topic's settings on a real broker: append time stamped by the broker. */
export const COMMAND_TOPIC_CONFIGS = { 'message.timestamp.type': 'LogAppendTime' } as const;

/**
 * A dead letter is the original record plus headers (reason and origin): with the broker's
 * default limit of about 1 MB on both topics, a command record near the limit could never be
 * dead-lettered and would stall its partition. The DLQ takes twice the default.
 */
export const DLQ_TOPIC_CONFIGS = { 'max.message.bytes': '2097152' } as const;

/**
 * What the service is told when go-mokapi is the broker, and only then: no idempotent producer
 * (it checks sequences per request, not per batch) and its other quirks (KAFKA_BROKER_QUIRKS).
 */
export const MOKAPI_ENV = { KAFKA_BROKER_QUIRKS: 'go-mokapi' } as const;
