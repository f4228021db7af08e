import { randomUUID } from 'node:crypto';
import { Kafka } from 'kafkajs';
import { CommandSender } from '../src/client/command-sender.ts';
import { createTokenVerifier } from '../src/auth/tokens.ts';
import { applyBatch } from '../src/processors/batch.ts';
import { prepare } from '../src/processors/envelope.ts';
import { claimPartition } from '../src/store/claims-store.ts';
import { sql } from '../src/store/db.ts';
import { batchSuite } from './support/batch-suite.ts';
import { submitNew } from './support/commands.ts';

const suite = batchSuite();

test('timing', async () => {
  const kafka = new Kafka({ brokers: suite.stack.config.KAFKA_BROKERS, logCreator: () => () => {} });
  const sender = new CommandSender(kafka, suite.deps.serde, suite.deps.topics);
  const verifier = createTokenVerifier({ publicKeyPem: suite.stack.config.AUTH_PUBLIC_KEY!, issuer: 'backoffice-dev', audience: 'backoffice' });
  const token = await claimPartition(suite.db, 0);
  let offset = 0;
  const batchOf = async (n: number) => Promise.all(Array.from({ length: n }, () => {
    const input = submitNew('owner-t', 'RESTAURANT', randomUUID());
    const value = sender.encode({ ...input, commandId: randomUUID() } as never).value;
    return prepare({ partition: 0, offset: String(offset++), key: Buffer.from(input.applicationId), value, timestamp: String(Date.now()), trace: {} }, suite.deps.serde, verifier);
  }));
  for (const n of [6, 6, 6, 50, 1000]) {
    const times: number[] = [];
    for (let i = 0; i < (n === 1000 ? 3 : 40); i++) {
      const prepared = await batchOf(n);
      const t0 = performance.now();
      await applyBatch(prepared, suite.deps, [{ partition: 0, token }]);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    console.log(`n=${n} median ${times[Math.floor(times.length / 2)]!.toFixed(2)} ms`);
  }
  const t1 = performance.now();
  for (let i = 0; i < 100; i++) await suite.db.transaction(async (tx) => { await tx.query(sql.unsafe`SELECT 1`); });
  console.log(`empty tx with one SELECT: ${((performance.now() - t1) / 100).toFixed(2)} ms`);
  const t2 = performance.now();
  for (let i = 0; i < 100; i++) await suite.db.transaction(async (tx) => { await tx.query(sql.unsafe`SELECT * FROM load_batch('{0}'::int[], ${sql.array([token], 'int8')}, '{}'::uuid[], '{}'::uuid[], '{}'::uuid[])`); });
  console.log(`tx with empty load_batch: ${((performance.now() - t2) / 100).toFixed(2)} ms`);
});
