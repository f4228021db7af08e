import type { Message } from 'kafkajs';
import type { Database } from '../store/db.ts';
import type { StoredOutboxMessage } from '../store/batch-store.ts';
import { markPublished, unpublished } from '../store/outbox-store.ts';
import type { Publisher } from './publisher.ts';

const DRAIN_PAGE = 1000;

/**
 * Publishes outbox rows in id order and marks them published. The processor hands over the rows
 * its transaction just wrote; rows a crash left behind are drained, per source partition, before
 * that partition's next batch, so per-key order holds across restarts and rebalances.
 */
export class OutboxRelay {
  private readonly publisher: Publisher;
  private readonly db: Database;
  private readonly drained = new Set<number>();

  constructor(publisher: Publisher, db: Database) {
    this.publisher = publisher;
    this.db = db;
  }

  /** A new assignment may bring partitions whose previous owner died between commit and publish. */
  forgetDrained(): void {
    this.drained.clear();
  }

  /** Rows of the partition may have been committed without the caller knowing (a failed attempt that did commit). */
  forget(partition: number): void {
    this.drained.delete(partition);
  }

  /** A batch's rows; when the partition has to be drained first, the drain publishes them too, in id order. */
  async publishBatch(partition: number, rows: StoredOutboxMessage[]): Promise<void> {
    if (this.drained.has(partition)) await this.publish(rows);
    else await this.drainLeftovers(partition);
  }

  async drainLeftovers(partition: number): Promise<number> {
    if (this.drained.has(partition)) return 0;
    let total = 0;
    for (;;) {
      const rows = await unpublished(this.db, partition, DRAIN_PAGE);
      await this.publish(rows);
      total += rows.length;
      if (rows.length < DRAIN_PAGE) break;
    }
    this.drained.add(partition);
    return total;
  }

  async publish(rows: StoredOutboxMessage[]): Promise<void> {
    if (rows.length === 0) return;
    const byTopic = new Map<string, Message[]>();
    for (const row of rows) {
      const messages = byTopic.get(row.topic) ?? [];
      messages.push({ key: row.key, value: row.value, headers: { ...row.headers, 'event-id': row.event_id } });
      byTopic.set(row.topic, messages);
    }
    await this.publisher.send([...byTopic].map(([topic, messages]) => ({ topic, messages })));
    await markPublished(this.db, rows.map((row) => row.id));
  }
}
