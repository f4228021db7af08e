import type { Database } from '../store/db.ts';
import { claimPartition } from '../store/claims-store.ts';

/** This instance no longer owns the partition: another one claimed it, or kafkajs revoked it. */
export class PartitionMoved extends Error {}

/**
 * This instance's claims on its partitions: taken at the first batch of each after a join,
 * forgotten at the next join, and taken again after being overtaken. An instance that lost the
 * partition learns it from the group before it tries again (the retry waits for a heartbeat,
 * which fails for it); one that still owns it takes it back from a claim that came late.
 */
export class PartitionClaims {
  private readonly db: Database;
  private readonly tokens = new Map<number, string>();

  constructor(db: Database) {
    this.db = db;
  }

  forgetAll(): void {
    this.tokens.clear();
  }

  forget(partition: number): void {
    this.tokens.delete(partition);
  }

  async tokenFor(partition: number): Promise<string> {
    const held = this.tokens.get(partition);
    if (held) return held;
    const token = await claimPartition(this.db, partition);
    this.tokens.set(partition, token);
    return token;
  }
}
