import type { Message } from 'kafkajs';
import type { Database } from '../store/db.ts';
import type { StoredOutboxMessage } from '../store/batch-store.ts';
import { markPublished, unpublished } from '../store/outbox-store.ts';
import type { Publisher } from './publisher.ts';
import type { Outlet } from './runtime/ports.ts';

const DRAIN_PAGE = 1000;

/**
 * Publishes outbox rows in id order and moves each partition's watermark past them. The
 * pipeline hands over the rows its transactions just committed; rows a crash or a failed send
 * left behind are drained, per source partition, before that partition's next rows (the
 * partition's epoch decides when), so per-key order holds across restarts and rebalances.
 */
export class OutboxRelay implements Outlet<StoredOutboxMessage> {
  private readonly publisher: Publisher;
  private readonly db: Database;

  constructor(publisher: Publisher, db: Database) {
    this.publisher = publisher;
    this.db = db;
  }

  /** Every unpublished row of the partition, a page at a time, oldest first. */
  async drain(partition: number): Promise<bigint | null> {
    let highest: bigint | null = null;
    for (let page = DRAIN_PAGE; page === DRAIN_PAGE;) {
      const rows = await unpublished(this.db, partition, DRAIN_PAGE);
      await this.publish(rows);
      if (rows.length > 0) highest = BigInt(rows[rows.length - 1]!.id);
      page = rows.length;
    }
    return highest;
  }

  async publish(rows: StoredOutboxMessage[]): Promise<void> {
    if (rows.length === 0) return;
    const byTopic = new Map<string, Message[]>();
    for (const row of rows) {
      const messages = byTopic.get(row.topic) ?? [];
      messages.push({ key: row.key, value: row.value, headers: { ...row.headers, 'event-id': row.eventId } });
      byTopic.set(row.topic, messages);
    }
    await this.publisher.send([...byTopic].map(([topic, messages]) => ({ topic, messages })));
    await markPublished(this.db, rows);
  }
}
