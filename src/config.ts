import { z } from 'zod';
import { connectionSecurityProblem, pemFile, postgresUrl, SECRETS, withSecretFiles } from './config-security.ts';

const hostPort = /^(\[[0-9a-fA-F:.]+\]|[a-zA-Z0-9.-]+):\d{1,5}$/;
const brokerList = z.string().trim().min(1)
  .transform((value) => value.split(',').map((part) => part.trim()).filter(Boolean))
  .refine((brokers) => brokers.length > 0 && brokers.every((broker) => hostPort.test(broker) && Number(broker.slice(broker.lastIndexOf(':') + 1)) <= 65535),
    'must be a comma-separated list of host:port');
const bool = z.enum(['true', 'false']).transform((value) => value === 'true');
const topic = (name: string) => z.string().trim().regex(/^[a-zA-Z0-9._-]{1,249}$/, 'must be a valid Kafka topic name').default(name);
const port = z.coerce.number().int().min(0).max(65535);

/**
 * Every setting the service reads, with its default. KAFKA_BROKERS, SCHEMA_REGISTRY_URL and
 * DATABASE_URL are optional only because `npm start` fills each missing one with an embedded
 * part; the service itself always receives all three.
 */
export const configSchema = z.object({
  KAFKA_BROKERS: brokerList.optional(),
  SCHEMA_REGISTRY_URL: z.url().optional(),
  DATABASE_URL: postgresUrl.optional(),
  DATABASE_URL_FILE: z.string().min(1).optional(),
  HTTP_HOST: z.string().default('0.0.0.0'),
  HTTP_PORT: port.default(8080),
  AUTH_PUBLIC_KEY: z.string().includes('BEGIN PUBLIC KEY', { message: 'must be a PEM public key (SPKI)' }).optional(),
  AUTH_JWKS_URL: z.url().optional(),
  AUTH_ISSUER: z.string().min(1).default('backoffice-dev'),
  AUTH_AUDIENCE: z.string().min(1).default('backoffice'),
  KAFKA_CLIENT_ID: z.string().min(1).default('backoffice-approval-processor'),
  KAFKA_GROUP_ID: z.string().min(1).default('backoffice-approval-processor'),
  KAFKA_SECURITY_PROTOCOL: z.enum(['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL']).default('PLAINTEXT'),
  KAFKA_SSL_CA_FILE: pemFile.optional(),
  KAFKA_SSL_CERT_FILE: pemFile.optional(),
  KAFKA_SSL_KEY_FILE: pemFile.optional(),
  KAFKA_SSL_KEY_PASSWORD: z.string().optional(),
  KAFKA_SSL_KEY_PASSWORD_FILE: z.string().min(1).optional(),
  KAFKA_SASL_MECHANISM: z.enum(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']).optional(),
  KAFKA_SASL_USERNAME: z.string().min(1).optional(),
  KAFKA_SASL_PASSWORD: z.string().optional(),
  KAFKA_SASL_PASSWORD_FILE: z.string().min(1).optional(),
  SCHEMA_REGISTRY_USERNAME: z.string().min(1).optional(),
  SCHEMA_REGISTRY_PASSWORD: z.string().optional(),
  SCHEMA_REGISTRY_PASSWORD_FILE: z.string().min(1).optional(),
  SCHEMA_REGISTRY_CA_FILE: pemFile.optional(),
  /** `go-mokapi` only when that development broker is the broker (set by the embedded stack). */
  KAFKA_BROKER_QUIRKS: z.enum(['none', 'go-mokapi']).default('none'),
  TOPIC_COMMANDS: topic('backoffice.application-commands'),
  TOPIC_EVENTS: topic('backoffice.application-events'),
  TOPIC_LISTINGS_RESTAURANT: topic('backoffice.listings.restaurant'),
  TOPIC_LISTINGS_PERFORMANCE: topic('backoffice.listings.performance'),
  TOPIC_LISTINGS_EXHIBITION: topic('backoffice.listings.exhibition'),
  TOPIC_NOTIFICATIONS: topic('backoffice.notifications'),
  TOPIC_DLQ: topic('backoffice.application-commands.dlq'),
  /** How long reviewers have to decide an application, counted from its submission: later, it is overdue. */
  REVIEW_DEADLINE_HOURS: z.coerce.number().int().min(1).max(8760).default(48),
  /** How long a MASTER's review claim on an application holds, counted from the claim command's issuedAt. */
  REVIEW_CLAIM_MINUTES: z.coerce.number().int().min(1).max(1440).default(15),
  /** The recipient id of the reviewers (MASTER admins) on the notifications topic: new and amended applications are announced to it. */
  REVIEWERS_RECIPIENT_ID: z.string().trim().min(1).max(100).regex(/^[^\p{Cc}]+$/u, 'must not contain control characters').default('backoffice-reviewers'),
  DECISION_MAX_SKEW_SECONDS: z.coerce.number().int().min(0).max(86_400).default(300),
  PROCESSOR_PARTITIONS_CONCURRENTLY: z.coerce.number().int().min(1).max(64).default(3),
  PROCESSOR_MAX_BATCH: z.coerce.number().int().min(1).max(5000).default(1000),
  /** Transactions the pipeline runs side by side under a backlog (at low load one carries every partition of a fetch). */
  PROCESSOR_TRANSACTIONS: z.coerce.number().int().min(1).max(16).default(3),
  /** Least time between offset commits (the rounds published meanwhile share one); at most this much more is delivered again after a crash. */
  PROCESSOR_COMMIT_INTERVAL_MS: z.coerce.number().int().min(0).max(60_000).default(200),
  /** How long a published outbox row is kept (for an operator to look at) before the sweep deletes it. */
  OUTBOX_RETENTION_SECONDS: z.coerce.number().int().min(0).max(30 * 86_400).default(60),
  /** How long a commandId is remembered: a redelivery within it is a duplicate, after it a new command. */
  IDEMPOTENCY_WINDOW_DAYS: z.coerce.number().int().min(1).max(3650).default(7),
  RETENTION_SWEEP_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(10_000),
  METRICS_POLL_INTERVAL_MS: z.coerce.number().int().min(100).max(300_000).default(5000),
  /** Read by the OpenTelemetry SDK itself (src/tracing/start.ts); declared so that it is validated and documented. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  OTEL_SERVICE_NAME: z.string().min(1).default('backoffice-approval-processor'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  EMBEDDED_DATA_DIR: z.string().default('.data'),
  EMBEDDED_STACK: z.enum(['auto', 'kafka', 'mokapi']).default('auto'),
  EMBEDDED_KAFKA_PORT: port.default(19092),
  EMBEDDED_REGISTRY_PORT: port.default(18081),
  EMBEDDED_POSTGRES_PORT: port.default(15432),
  EMBEDDED_KAFKA_VERSION: z.string().regex(/^\d+\.\d+\.\d+$/, 'must be a Kafka version such as 4.4.0').default('4.4.0'),
  EMBEDDED_APICURIO_VERSION: z.string().regex(/^\d+\.\d+\.\d+(\.Final)?$/, 'must be an Apicurio Registry version such as 3.3.3').default('3.3.3'),
});

export type Config = z.infer<typeof configSchema>;
export type ServiceConfig = Config & { KAFKA_BROKERS: string[]; SCHEMA_REGISTRY_URL: string; DATABASE_URL: string };

export class ConfigError extends Error {}

/** Parses the environment; the first problem becomes one message that names the variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const blanksRemoved = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const resolved = withSecretFiles(blanksRemoved);
  if (!resolved.ok) throw new ConfigError(`Invalid configuration: ${resolved.variable} ${resolved.message}`);
  const parsed = configSchema.safeParse(resolved.env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0] ?? 'environment');
    // A secret's value is never repeated, not even a wrong one (it may be the right one misplaced).
    const value = (SECRETS as readonly string[]).includes(variable) ? undefined : env[variable];
    throw new ConfigError(`Invalid configuration: ${variable} ${issue.message}${value === undefined ? '' : ` (got "${value}")`}`);
  }
  if (parsed.data.AUTH_PUBLIC_KEY && parsed.data.AUTH_JWKS_URL) {
    throw new ConfigError('Invalid configuration: AUTH_PUBLIC_KEY and AUTH_JWKS_URL are exclusive; set one');
  }
  const inconsistent = connectionSecurityProblem(parsed.data);
  if (inconsistent) throw new ConfigError(`Invalid configuration: ${inconsistent}`);
  return parsed.data;
}

/** Where the outcomes go: the topics, and the reviewers' recipient id on the notifications topic. */
export function topicsOf(config: Config) {
  return {
    commands: config.TOPIC_COMMANDS,
    events: config.TOPIC_EVENTS,
    listings: {
      RESTAURANT: config.TOPIC_LISTINGS_RESTAURANT,
      PERFORMANCE: config.TOPIC_LISTINGS_PERFORMANCE,
      EXHIBITION: config.TOPIC_LISTINGS_EXHIBITION,
    },
    notifications: config.TOPIC_NOTIFICATIONS,
    dlq: config.TOPIC_DLQ,
    /** Not a topic: the key under which the reviewers' notifications go on the notifications topic. */
    reviewersRecipientId: config.REVIEWERS_RECIPIENT_ID,
  } as const;
}
export type Topics = ReturnType<typeof topicsOf>;

/** The TOPIC_* settings that give a service `topics` (topicsOf read the other way). */
export const topicSettings = (topics: Topics): Record<string, string> => ({
  TOPIC_COMMANDS: topics.commands, TOPIC_EVENTS: topics.events, TOPIC_NOTIFICATIONS: topics.notifications, TOPIC_DLQ: topics.dlq,
  TOPIC_LISTINGS_RESTAURANT: topics.listings.RESTAURANT, TOPIC_LISTINGS_PERFORMANCE: topics.listings.PERFORMANCE, TOPIC_LISTINGS_EXHIBITION: topics.listings.EXHIBITION,
});
export const allTopics = (topics: Topics): string[] =>
  [topics.commands, topics.events, ...Object.values(topics.listings), topics.notifications, topics.dlq];
