import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import type { Logger } from './logger.ts';
import type { ServiceConfig } from './config.ts';

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error', [logLevel.WARN]: 'warn', [logLevel.INFO]: 'info', [logLevel.DEBUG]: 'debug',
};

const RETRY = { retries: 8, initialRetryTime: 100, maxRetryTime: 5000 };

/**
 * kafkajs logs through our JSON logger, so one stream carries everything. `retry` shortens the
 * patience of a client that answers a waiting caller (the HTTP gateway) instead of a pipeline.
 */
export function createKafka(config: ServiceConfig, logger: Logger, clientSuffix = '', retry = RETRY): Kafka {
  const kafkaLogger = logger.child({ component: 'kafkajs' });
  return new Kafka({
    clientId: `${config.KAFKA_CLIENT_ID}${clientSuffix}`,
    brokers: config.KAFKA_BROKERS,
    logLevel: logLevel.WARN,
    retry,
    logCreator: () => ({ level, log }: LogEntry) => {
      const { message, ...rest } = log;
      kafkaLogger[LEVELS[level] ?? 'info']({ ...rest, namespace: undefined }, message);
    },
  });
}
