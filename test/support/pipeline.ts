import type { Kafka } from 'kafkajs';
import { pino, type Logger } from 'pino';
import { topicsOf, allTopics } from '../../src/config.ts';
import { createKafka } from '../../src/kafka.ts';
import { connectSerde, type Serde } from '../../src/schemas/serde.ts';
import { CommandSender } from '../../src/client/command-sender.ts';
import { EventReader } from '../../src/client/event-reader.ts';
import { startService, type RunningService } from '../../src/service.ts';
import type { TestStack } from './stack.ts';

export interface Pipeline {
  service: RunningService;
  sender: CommandSender;
  reader: EventReader;
  serde: Serde;
  /** The test's own kafkajs client (its producer's and reader's), for admin calls and raw reads. */
  kafka: Kafka;
  topics: ReturnType<typeof topicsOf>;
  http(path: string, token?: string): Promise<{ status: number; body: any; contentType: string | null }>;
  metricsText(): Promise<string>;
  stop(): Promise<void>;
}

/** The service in-process on a test stack, plus a real producer of commands and a reader of every outcome topic. */
export async function startPipeline(stack: TestStack, options: Parameters<typeof startService>[2] = {}, logger: Logger = pino({ level: stack.config.LOG_LEVEL })): Promise<Pipeline> {
  const topics = topicsOf(stack.config);
  const service = await startService(stack.config, logger, options);
  const serde = await connectSerde(stack.config.SCHEMA_REGISTRY_URL, topics);
  const kafka = createKafka(stack.config, logger, '-test');
  const sender = new CommandSender(kafka, serde, topics);
  await sender.connect();
  const reader = new EventReader(kafka, serde, { rawTopics: [topics.dlq] });
  await reader.start(allTopics(topics).filter((topic) => topic !== topics.commands));
  const pipeline: Pipeline = {
    service, sender, reader, serde, kafka, topics,
    async http(path, token) {
      const response = await fetch(`http://127.0.0.1:${this.service.httpPort}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
      const text = await response.text();
      return { status: response.status, body: text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text, contentType: response.headers.get('content-type') };
    },
    metricsText() { return this.service.metrics.registry.metrics(); },
    async stop() {
      await reader.stop();
      await sender.disconnect();
      await this.service.stop();
    },
  };
  return pipeline;
}

/** Resolves once `check` returns a value other than undefined; the condition is re-read from its source. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
