import pg from 'pg';
import type { Kafka } from 'kafkajs';
import { allTopics, topicSettings, type Topics } from '../../src/config.ts';
import { connectSerde } from '../../src/schemas/serde.ts';
import { ensureServiceTopics } from '../../dev/stack/choose.ts';
import { preload } from './kafka.ts';
import { startServiceProcess } from './service.ts';
import { PARTITIONS, prefixedTopics, type BenchStack } from './stack.ts';
import { plan, totals, type Tokens } from './workload.ts';

/** The processor's topics under a prefix of their own: the warm-up leaves the measured topics untouched. */
export const warmupTopics: Topics = prefixedTopics('warmup');

/**
 * The processor drains `commands` commands of the same workload on topics and a database of its
 * own, before anything is measured. A JVM broker compiles its fetch, produce and offset-commit
 * paths the first time they carry load: measured on 2026-12-02, the broker's C1 and C2 compiler
 * threads took 1.6 of the 3.8 s of broker CPU during a cold 20,000-command drain, on the same two
 * cores as the service and PostgreSQL, while the bare pipeline and the ceilings, which run later,
 * found it compiled. Warm, the broker is what production runs, and both sides meet the same one.
 */
export async function warmUp(options: {
  stack: BenchStack; kafka: Kafka; tokens: Tokens; commands: number; serviceDir?: string; extraEnv: Record<string, string>;
}): Promise<{ seconds: number; commands: number }> {
  const { stack } = options;
  await ensureServiceTopics(stack.broker, { topics: allTopics(warmupTopics), commandTopic: warmupTopics.commands, dlqTopic: warmupTopics.dlq, partitions: PARTITIONS });
  const planned = plan(options.commands, options.tokens, 7);
  const expected = totals(planned);
  const serde = await connectSerde(stack.registry.url, warmupTopics);
  await preload(options.kafka, serde, warmupTopics, planned, { lanes: 2, batch: 2000 });
  const databaseUrl = await stack.database('warmup');
  const started = performance.now();
  const service = await startServiceProcess({
    brokers: stack.broker.brokers, registryUrl: stack.registry.url, databaseUrl, publicKeyPem: stack.keys.publicKeyPem, groupId: 'bench-warmup',
    ...(options.serviceDir && { serviceDir: options.serviceDir }), extraEnv: { ...options.extraEnv, ...topicSettings(warmupTopics) },
  });
  const db = new pg.Client({ connectionString: databaseUrl });
  try {
    await service.ready(120_000);
    await db.connect();
    const deadline = performance.now() + 120_000;
    for (;;) {
      const processed = Number((await db.query('SELECT count(*) AS n FROM processed_commands')).rows[0].n);
      if (processed >= expected.processed) break;
      if (service.child.process.exitCode !== null) throw new Error(`warm-up service exited:\n${service.child.tail()}`);
      if (performance.now() > deadline) throw new Error(`warm-up incomplete: ${processed} of ${expected.processed} commands processed\n${service.child.tail()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return { seconds: (performance.now() - started) / 1000, commands: options.commands };
  } finally {
    await db.end().catch(() => {});
    await service.child.stop();
  }
}
