/** This instance no longer holds these partitions: another one claimed them since. */
export class PartitionMoved extends Error {
  readonly partitions: readonly number[];

  constructor(message: string, partitions: readonly number[]) {
    super(message);
    this.partitions = partitions;
  }
}

/** What an epoch asks of the handler's side: the claim, and publishing what an earlier holder left. */
export interface EpochPorts {
  /** A token greater than every earlier holder's, taken once the previous holder's transaction ended. */
  claim(partition: number): Promise<string>;
  /** Publishes, in id order, every row of the partition above its watermark; the highest id published, if any. */
  drain(partition: number): Promise<bigint | null>;
}

/**
 * What this instance knows of one partition in its current epoch, which starts at the first
 * chunk after a group join: the claim token, and whether the outbox rows above the watermark were
 * drained. Both are taken lazily and forgotten when the knowledge may be stale: at the next join
 * (a new assignment), and after a failed write or send (see `writeFailed`, `publishFailed`).
 */
export class PartitionEpoch {
  readonly partition: number;
  private readonly ports: EpochPorts;
  private token: string | null = null;
  private through = -1n;
  /** Moves on whenever a drain's result may not be the whole story any more (see `drain`). */
  private knowledge = 0;
  /** The `knowledge` the last finished drain started under: drained while nothing moved it on since. */
  private drainedAt = -1;

  constructor(partition: number, ports: EpochPorts) {
    this.partition = partition;
    this.ports = ports;
  }

  async claim(): Promise<string> {
    this.token ??= await this.ports.claim(this.partition);
    return this.token;
  }

  get isDrained(): boolean {
    return this.drainedAt === this.knowledge;
  }

  /**
   * Publishes what an earlier holder (or a failed send) left above the watermark, in id order;
   * this includes every row this epoch committed, so a drained partition's own rows follow it.
   */
  async drain(): Promise<void> {
    if (this.isDrained) return;
    const asked = this.knowledge;
    const highest = await this.ports.drain(this.partition);
    if (highest !== null && highest > this.through) this.through = highest;
    // A join, a failed write or a failed send while the drain read leaves the partition undrained:
    // rows it could not see yet (a round of the old generation committing after its read, then
    // dropped) would otherwise stay behind the partition's later rows, and their watermark would
    // pass them unpublished (the rolling restart lost such rounds).
    this.drainedAt = asked;
  }

  /**
   * Whether the last drain already published this row: a round committed while the drain read
   * the partition has its rows sent by the drain, and sending them again would only duplicate.
   */
  drainedRow(id: string): boolean {
    return BigInt(id) <= this.through;
  }

  /**
   * A write failed. It may have committed rows the caller never saw (an isolated record, a COMMIT
   * whose answer was lost), so the partition is drained before anything else is published; and a
   * claim another instance overtook is taken again at the next attempt.
   */
  writeFailed(error: unknown): void {
    this.forget();
    if (error instanceof PartitionMoved && error.partitions.includes(this.partition)) this.token = null;
  }

  /** A send failed: later rows of the partition must not overtake the rows it carried. */
  publishFailed(): void {
    this.forget();
  }

  /** A new assignment: the partition may have had other holders since. */
  end(): void {
    this.token = null;
    this.forget();
  }

  private forget(): void {
    this.knowledge++;
  }
}

/** This instance's epochs, one per partition it has processed since it started. */
export class PartitionEpochs {
  private readonly ports: EpochPorts;
  private readonly epochs = new Map<number, PartitionEpoch>();

  constructor(ports: EpochPorts) {
    this.ports = ports;
  }

  of(partition: number): PartitionEpoch {
    let epoch = this.epochs.get(partition);
    if (!epoch) this.epochs.set(partition, epoch = new PartitionEpoch(partition, this.ports));
    return epoch;
  }

  /** At a group join: every partition is claimed and drained again at its next chunk. */
  endAll(): void {
    for (const epoch of this.epochs.values()) epoch.end();
  }
}
