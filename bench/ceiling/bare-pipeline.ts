import pg from 'pg';
import type { Kafka } from 'kafkajs';
import { brokerCeiling, type EmittedShape } from './broker.ts';
import { partitionSlice, type WrittenRows } from './database.ts';

/**
 * Bare pipeline ceiling: what the job needs with none of its logic. The broker ceiling's kafkajs
 * pipe (consume the same N command records, produce the same output records with acks=-1,
 * commit offsets), and per batch, before producing, one transaction that writes the rows the
 * processor wrote for those commands with plain multi-row INSERTs into a fresh database. No
 * decode, no decisions, no reads or locks, no publish marks.
 */
export async function barePipeline(options: {
  kafka: Kafka; commandTopic: string; ends: Map<number, number>; emitted: EmittedShape[]; concurrency: number; idempotent: boolean;
  databaseUrl: string; rows: WrittenRows;
}): Promise<{ commands: number; messages: number; seconds: number; clientCpuMicros: number }> {
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.concurrency });
  try {
    // Connections are opened before the pipe starts.
    const clients = await Promise.all(Array.from({ length: options.concurrency }, () => pool.connect()));
    clients.forEach((client) => client.release());
    return await brokerCeiling({
      ...options,
      write: async (partition, from, to, end) => {
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          for (const statement of partitionSlice(options.rows, partition, from, to, end)) await client.query({ text: statement.text, values: statement.values });
          await client.query('COMMIT');
        } finally {
          client.release();
        }
      },
    });
  } finally {
    await pool.end();
  }
}
