import { topicsOf } from '../../src/config.ts';
import type { applyBatch } from '../../src/processors/batch.ts';
import type { Prepared } from '../../src/processors/envelope.ts';
import { connectSerde } from '../../src/schemas/serde.ts';
import { connectDatabase, type Database } from '../../src/store/db.ts';
import { roundPool } from '../../src/store/round-pool.ts';
import { pino } from 'pino';
import { startTestStack, type TestStack } from './stack.ts';

export interface BatchSuite {
  stack: TestStack;
  /** The service's own pool (slonik), as the claims and the relay use it. */
  db: Database;
  deps: Parameters<typeof applyBatch>[1];
}

/** A suite's own stack with what `applyBatch` needs, started in beforeAll and stopped in afterAll. */
export function batchSuite(): BatchSuite {
  const suite = {} as BatchSuite;
  beforeAll(async () => {
    suite.stack = await startTestStack();
    suite.db = await connectDatabase(suite.stack.config.DATABASE_URL);
    const topics = topicsOf(suite.stack.config);
    suite.deps = { rounds: roundPool(suite.stack.config.DATABASE_URL, 3, pino({ level: 'silent' })), topics, serde: await connectSerde(suite.stack.config.SCHEMA_REGISTRY_URL, topics), reviewClaimMinutes: suite.stack.config.REVIEW_CLAIM_MINUTES };
  });
  afterAll(async () => {
    await suite.deps?.rounds.end();
    await suite.db?.end();
    await suite.stack?.stop();
  });
  return suite;
}

/** An undecodable record of the partition: the smallest batch that writes an outbox row. */
export const deadLetterAt = (partition: number, offset: number): Prepared => ({
  kind: 'dead-letter', code: 'BAD_MAGIC_BYTE', message: 'not a command',
  record: { partition, offset: String(offset), key: Buffer.from(`k${offset}`), value: Buffer.from('x'), timestamp: String(Date.now()), trace: {} },
});
