import { existsSync, readFileSync } from 'node:fs';
import { pino } from 'pino';
import { startTracingIfWanted } from '../tracing/start.ts';
import { loadConfig, topicsOf, type ServiceConfig, type Topics } from '../config.ts';
import { stackFile } from './stack-file.ts';
import { createKafka } from '../kafka.ts';
import { connectSerde, registryAccess } from '../schemas/serde.ts';
import { CommandSender } from '../client/command-sender.ts';
import type { Kafka } from 'kafkajs';
import type { Serde } from '../schemas/serde.ts';

/** What a sending command may also need: the outcome watcher reads with the same client and registry. */
export interface SenderTools { kafka: Kafka; serde: Serde; topics: Topics }

export interface CliContext {
  config: ServiceConfig;
  privateKeyFile: string | null;
}

/** Addresses from the environment, else from the stack file `npm start` wrote for the embedded stack. */
export function cliContext(): CliContext {
  const config = loadConfig();
  const file = stackFile(config);
  const stack = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) as Record<string, string | null> : {};
  const merged = loadConfig({ ...stack, ...Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== undefined && v !== '')) } as Record<string, string>);
  if (!merged.KAFKA_BROKERS || !merged.SCHEMA_REGISTRY_URL) {
    throw new Error(`No broker or registry address: set KAFKA_BROKERS and SCHEMA_REGISTRY_URL, or run \`npm start\` first (it writes ${file}).`);
  }
  return { config: merged as ServiceConfig, privateKeyFile: stack.privateKeyFile ?? null };
}

export async function withSender<T>(context: CliContext, work: (sender: CommandSender, tools: SenderTools) => Promise<T>): Promise<T> {
  const logger = pino({ level: 'error' });
  const topics = topicsOf(context.config);
  const serde = await connectSerde(context.config.SCHEMA_REGISTRY_URL, topics, registryAccess(context.config));
  const kafka = createKafka(context.config, logger, '-cli');
  const sender = new CommandSender(kafka, serde, topics);
  // The send span starts the application's trace when OTEL_* asks for traces.
  const tracing = await startTracingIfWanted('backoffice-cli');
  await sender.connect();
  try {
    return await work(sender, { kafka, serde, topics });
  } finally {
    await sender.disconnect();
    await tracing?.stop();
  }
}
