import type { Database } from '../store/db.ts';
import type { StoredOutboxMessage } from '../store/batch-store.ts';
import { claimPartition } from '../store/claims-store.ts';
import type { OutboxRelay } from './relay.ts';

/** This instance no longer owns the partition: another one claimed it, or kafkajs revoked it. */
export class PartitionMoved extends Error {}

/**
 * What this instance knows of one partition in its current epoch, which starts at the first
 * batch after a group join: the claim token, and whether the outbox rows an earlier holder left
 * unpublished were drained. Both are taken lazily and forgotten when the knowledge may be stale:
 * at the next join (a new assignment), and after a failed write (see `writeFailed`).
 */
export class PartitionEpoch {
  readonly partition: number;
  private readonly db: Database;
  private readonly relay: OutboxRelay;
  private token: string | null = null;
  private drained = false;

  constructor(partition: number, db: Database, relay: OutboxRelay) {
    this.partition = partition;
    this.db = db;
    this.relay = relay;
  }

  /**
   * The claim, taken at the epoch's first batch: a token greater than every earlier holder's,
   * which waits for that holder's running transaction, so the drain after it sees all it wrote.
   */
  async claim(): Promise<string> {
    this.token ??= await claimPartition(this.db, this.partition);
    return this.token;
  }

  /** Publishes, in id order, what an earlier holder committed and never published. */
  async drain(): Promise<void> {
    if (this.drained) return;
    await this.relay.drainLeftovers(this.partition);
    this.drained = true;
  }

  /** A batch's rows; when the partition has to be drained first, the drain publishes them too, in id order. */
  async publish(rows: StoredOutboxMessage[]): Promise<void> {
    if (this.drained) await this.relay.publish(rows);
    else await this.drain();
  }

  /**
   * A write failed. It may have committed rows the caller never saw (an isolated record, a
   * COMMIT whose answer was lost), so the partition is drained again before anything is
   * published; and a claim another instance overtook is taken again at the next attempt (which
   * first waits for a heartbeat: an instance the group moved the partition away from stops there).
   */
  writeFailed(error: unknown): void {
    this.drained = false;
    if (error instanceof PartitionMoved) this.token = null;
  }

  /** A new assignment: the partition may have had other holders since. */
  end(): void {
    this.token = null;
    this.drained = false;
  }
}

/** This instance's epochs, one per partition it has processed since it started. */
export class PartitionEpochs {
  private readonly db: Database;
  private readonly relay: OutboxRelay;
  private readonly epochs = new Map<number, PartitionEpoch>();

  constructor(db: Database, relay: OutboxRelay) {
    this.db = db;
    this.relay = relay;
  }

  of(partition: number): PartitionEpoch {
    let epoch = this.epochs.get(partition);
    if (!epoch) this.epochs.set(partition, epoch = new PartitionEpoch(partition, this.db, this.relay));
    return epoch;
  }

  /**
   * At a group join. The objects stay (a batch still in hand keeps its reference) and start a
   * new epoch each: claimed and drained again at their next batch.
   */
  endAll(): void {
    for (const epoch of this.epochs.values()) epoch.end();
  }
}
