import { readFileSync } from 'node:fs';
import { Kafka, logLevel, type KafkaConfig, type LogEntry, type SASLOptions } from 'kafkajs';
import type { Logger } from './logger.ts';
import type { Config, ServiceConfig } from './config.ts';
import './kafkajs-idle-fix.ts';

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error', [logLevel.WARN]: 'warn', [logLevel.INFO]: 'info', [logLevel.DEBUG]: 'debug',
};

const RETRY = { retries: 8, initialRetryTime: 100, maxRetryTime: 5000 };

const read = (path: string | undefined) => (path === undefined ? undefined : readFileSync(path, 'utf8'));

/**
 * TLS and SASL as configured: the one place every Kafka client of the service and its tools
 * (processor, relay, gateway, lag poller, CLI, DLQ tool) takes them from. TLS without a CA file
 * trusts Node's bundled CAs.
 */
export function kafkaConnection(config: Config): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const protocol = config.KAFKA_SECURITY_PROTOCOL;
  const tls = protocol === 'SSL' || protocol === 'SASL_SSL';
  const ssl = tls
    ? { ca: read(config.KAFKA_SSL_CA_FILE), cert: read(config.KAFKA_SSL_CERT_FILE), key: read(config.KAFKA_SSL_KEY_FILE), passphrase: config.KAFKA_SSL_KEY_PASSWORD }
    : undefined;
  const sasl = protocol.startsWith('SASL_')
    ? { mechanism: config.KAFKA_SASL_MECHANISM!.toLowerCase(), username: config.KAFKA_SASL_USERNAME!, password: config.KAFKA_SASL_PASSWORD! } as SASLOptions
    : undefined;
  return { ...(ssl ? { ssl } : {}), ...(sasl ? { sasl } : {}) };
}

/**
 * kafkajs logs through our JSON logger, so one stream carries everything. `retry` shortens the
 * patience of a client that answers a waiting caller (the HTTP gateway) instead of a pipeline.
 */
export function createKafka(config: ServiceConfig, logger: Logger, clientSuffix = '', retry = RETRY): Kafka {
  const kafkaLogger = logger.child({ component: 'kafkajs' });
  return new Kafka({
    clientId: `${config.KAFKA_CLIENT_ID}${clientSuffix}`,
    brokers: config.KAFKA_BROKERS,
    ...kafkaConnection(config),
    logLevel: logLevel.WARN,
    retry,
    logCreator: () => ({ level, log }: LogEntry) => {
      const { message, ...rest } = log;
      kafkaLogger[LEVELS[level] ?? 'info']({ ...rest, namespace: undefined }, message);
    },
  });
}
