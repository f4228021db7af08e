import type { Applied, Chunk, FlowControl, Handler, Observer, Offsets, Outlet, OutboxRow } from './ports.ts';
import type { PartitionEpochs } from './epochs.ts';
import type { Retrying } from './retry.ts';

export interface PipelineSettings {
  /** Commands a round's transaction takes at most (a partition's first chunk always fits). */
  maxBatch: number;
  /** Transactions in flight at once: under a backlog, JavaScript folds one while PostgreSQL runs another. */
  transactions: number;
  /** Commands of one partition accepted but not yet committed above which its fetching is paused. */
  maxOutstanding: number;
  /**
   * Least time between offset commits: the rounds published meanwhile share the next one. A
   * commit only bounds what is delivered again after a crash (deduplicated by commandId), so at
   * low load it need not cost a request per round. A stop commits at once.
   */
  commitIntervalMs: number;
}

export interface PipelineDeps<R, D, Row extends OutboxRow> {
  handler: Handler<R, D, Row>;
  outlet: Outlet<Row>;
  offsets: Offsets;
  flow: FlowControl;
  epochs: PartitionEpochs;
  retrying: Retrying;
  observer: Observer<R>;
}

/** Chunks of several partitions that share one transaction, one send and one offset commit. */
interface Round<R, Row extends OutboxRow> {
  generation: number;
  chunks: Chunk<R>[];
  applied?: Applied<Row>;
}

/** Commands ready in free partitions from which on they count as a backlog: a tenth of `maxBatch`. */
const BACKLOG_FRACTION = 10;

const seconds = (from: number) => (performance.now() - from) / 1000;

/**
 * The ordered per-partition pipeline between kafkajs's eachBatch and the offset commit, so that
 * eachBatch returns at once and kafkajs fetches again while earlier chunks are written,
 * published and committed (kafkajs 2.2.4 fetches only once every eachBatch of the last fetch
 * returned). Written here because kafkajs has no such stage and Kafka Streams' equivalent is Java.
 *
 * - Order: a partition has at most one transaction in flight, its chunks go in offset order, and
 *   its rows are published in the order their transactions committed (one send at a time).
 * - A round takes the waiting chunks of every partition that is free, up to `maxBatch` commands:
 *   at low load one transaction, one send and one commit carry every partition of a fetch (and
 *   what arrived while the last one ran). From a tenth of `maxBatch` waiting on (a backlog), the
 *   waiting commands are shared among the free transactions, so that up to `transactions` rounds
 *   run side by side.
 * - Rows are published only after their transaction committed, and an offset is committed only
 *   after everything before it in its partition was published.
 * - A partition with more than `maxOutstanding` commands in the pipeline is paused.
 * - A group join starts a new generation: waiting chunks are dropped and work in flight is
 *   neither published nor committed (the partition's next epoch drains what it committed, and
 *   kafkajs fetches again from the committed offsets).
 */
export class Pipeline<R, D, Row extends OutboxRow> {
  private readonly deps: PipelineDeps<R, D, Row>;
  private readonly settings: PipelineSettings;
  private generation = 0;
  private stopping = false;
  private readonly waiting = new Map<number, Chunk<R>[]>();
  private readonly inTransaction = new Set<number>();
  private readonly outstanding = new Map<number, number>();
  private readonly paused = new Set<number>();
  private transactions = 0;
  private scheduled = false;
  private toPublish: Round<R, Row>[] = [];
  private publishing = false;
  private toCommit: Round<R, Row>[] = [];
  private committing = false;
  private lastCommit = -Infinity;
  private commitPause: { timer: NodeJS.Timeout; resolve(): void } | null = null;
  private idle: (() => void)[] = [];

  constructor(deps: PipelineDeps<R, D, Row>, settings: PipelineSettings) {
    this.deps = deps;
    this.settings = settings;
  }

  /** Takes a fetched chunk; false once the pipeline stops (the chunk is left for the next holder). */
  accept(chunk: Chunk<R>): boolean {
    if (this.stopping) return false;
    const { partition } = chunk;
    const queue = this.waiting.get(partition) ?? [];
    queue.push(chunk);
    this.waiting.set(partition, queue);
    const outstanding = this.hold(partition, chunk.records.length);
    if (outstanding >= this.settings.maxOutstanding && !this.paused.has(partition)) {
      this.paused.add(partition);
      this.deps.flow.pause([partition]);
    }
    if (!this.scheduled) {
      this.scheduled = true;
      // After the other eachBatch calls of the same fetch handed their chunks over: one round for all.
      setImmediate(() => {
        this.scheduled = false;
        this.schedule();
      });
    }
    return true;
  }

  /** A group join: what this instance knew of its partitions may be stale. */
  newGeneration(): void {
    this.generation++;
    for (const queue of this.waiting.values()) for (const chunk of queue.splice(0)) this.release(chunk);
    this.deps.epochs.endAll();
    if (this.paused.size > 0 && !this.stopping) this.deps.flow.resume([...this.paused]);
    this.paused.clear();
    this.settle();
  }

  get isStopping(): boolean {
    return this.stopping;
  }

  /** Takes no more chunks and resolves once everything accepted was committed or abandoned. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.endCommitPause();
    if (this.isIdle()) return;
    await new Promise<void>((resolve) => this.idle.push(resolve));
  }

  private schedule(): void {
    const ready = this.ready();
    // At low load what arrives while a round runs goes into the next one together: one
    // transaction, one send and one commit for all. A backlog is shared among the free
    // transactions instead, so that they run side by side: one round carrying every partition
    // holds them all, and its length sets the next round's size (at 2,000/s, rounds of ~480
    // commands one at a time with a core idle).
    const backlog = ready >= this.settings.maxBatch / BACKLOG_FRACTION;
    const free = this.settings.transactions - this.transactions;
    const limit = backlog ? Math.min(this.settings.maxBatch, Math.ceil(ready / free)) : this.settings.maxBatch;
    while (this.transactions < this.settings.transactions) {
      if (this.transactions > 0 && !backlog) break;
      const round = this.nextRound(limit);
      if (!round) break;
      this.transactions++;
      void this.transact(round);
    }
    this.settle();
  }

  /** Commands waiting in partitions that have no transaction in flight. */
  private ready(): number {
    let commands = 0;
    for (const [partition, queue] of this.waiting) {
      if (!this.inTransaction.has(partition)) for (const chunk of queue) commands += chunk.records.length;
    }
    return commands;
  }

  /** The waiting chunks of free partitions, up to `limit` commands (a partition's first chunk always goes). */
  private nextRound(limit: number): Round<R, Row> | null {
    const chunks: Chunk<R>[] = [];
    let commands = 0;
    for (const [partition, queue] of [...this.waiting]) {
      if (queue.length === 0 || this.inTransaction.has(partition)) continue;
      if (chunks.length > 0 && commands + queue[0]!.records.length > limit) continue;
      const taken: Chunk<R>[] = [];
      while (queue.length > 0 && (taken.length === 0 || commands + queue[0]!.records.length <= limit)) {
        const chunk = queue.shift()!;
        taken.push(chunk);
        commands += chunk.records.length;
      }
      chunks.push(merged(taken));
      this.inTransaction.add(partition);
      // Served last next time, so that no partition waits behind the others for long.
      this.waiting.delete(partition);
      this.waiting.set(partition, queue);
      if (commands >= limit) break;
    }
    return chunks.length === 0 ? null : { generation: this.generation, chunks };
  }

  private live(round: Round<R, Row>): () => boolean {
    return () => round.generation === this.generation;
  }

  private async transact(round: Round<R, Row>): Promise<void> {
    const applied = await this.applyRound(round);
    for (const chunk of round.chunks) this.inTransaction.delete(chunk.partition);
    this.transactions--;
    if (applied) {
      round.applied = applied;
      this.toPublish.push(round);
      void this.publishLoop();
    } else this.abandon(round);
    this.schedule();
  }

  /** Decode, claim, then the transaction, each retried while the round is live; null once abandoned. */
  private async applyRound(round: Round<R, Row>): Promise<Applied<Row> | null> {
    const { handler, epochs, retrying, observer } = this.deps;
    const partitions = round.chunks.map((chunk) => chunk.partition);
    const live = this.live(round);
    // Cached per epoch: taken again only after a failure dropped one (another instance overtook it).
    const claims = async () => new Map(await Promise.all(partitions.map(async (p) => [p, await epochs.of(p).claim()] as const)));
    const started = performance.now();
    for (const chunk of round.chunks) observer.stage('fetch_wait', (Date.now() - chunk.appendedAt) / 1000);
    const decoded = await retrying('decode', partitions, live, () => Promise.all(round.chunks.map((chunk) => handler.decode(chunk))));
    if (decoded.kind === 'abandoned') return null;
    observer.stage('decode', seconds(started));
    if ((await retrying('claim', partitions, live, claims)).kind === 'abandoned') return null;
    const writing = performance.now();
    const work = round.chunks.map((chunk, index) => ({ chunk, decoded: decoded.value[index]! }));
    const applied = await retrying('database', partitions, live, async () => handler.apply(work, await claims(), live).catch((error: unknown) => {
      for (const p of partitions) epochs.of(p).writeFailed(error);
      throw error;
    }));
    if (applied.kind === 'abandoned') return null;
    observer.stage('transaction', seconds(writing));
    observer.transaction(round.chunks.reduce((sum, chunk) => sum + chunk.records.length, 0));
    return applied.value;
  }

  /**
   * Sends the rows of every round whose transaction committed since the last send, in one send.
   * A partition not drained in its epoch (new epoch, failed write or send) is drained first: the
   * drain publishes its rows above the watermark in id order, this round's among them.
   */
  private async publishLoop(): Promise<void> {
    if (this.publishing) return;
    this.publishing = true;
    while (this.toPublish.length > 0) {
      const rounds = this.current(this.toPublish.splice(0));
      if (rounds.length === 0) continue;
      const partitions = [...new Set(rounds.flatMap((round) => round.chunks.map((chunk) => chunk.partition)))];
      const started = performance.now();
      const live = () => rounds.every((round) => round.generation === this.generation);
      // Inside the first chunk's trace: its drain and watermark queries belong to its batch span.
      const published = await this.deps.retrying('publish', partitions, live, () => rounds[0]!.chunks[0]!.within(async () => {
        const drainedNow = new Set<number>();
        try {
          for (const partition of partitions) {
            const epoch = this.deps.epochs.of(partition);
            if (epoch.isDrained) continue;
            await epoch.drain();
            drainedNow.add(partition);
          }
          const rows = rounds.flatMap((round) => [...round.applied!.rows]
            .filter(([p]) => !drainedNow.has(p))
            .flatMap(([p, rows]) => rows.filter((row) => !this.deps.epochs.of(p).drainedRow(row.id))));
          await this.deps.outlet.publish(rows);
        } catch (error) {
          for (const partition of partitions) this.deps.epochs.of(partition).publishFailed();
          throw error;
        }
      }));
      if (published.kind === 'abandoned') {
        for (const round of rounds) this.abandon(round);
        continue;
      }
      const at = Date.now();
      this.deps.observer.stage('publish', seconds(started));
      for (const round of rounds) for (const chunk of round.chunks) this.deps.observer.published(chunk, at);
      this.toCommit.push(...rounds);
      void this.commitLoop();
    }
    this.publishing = false;
    this.settle();
  }

  /** One offset commit for every round published since the last one: the highest offset per partition. */
  private async commitLoop(): Promise<void> {
    if (this.committing) return;
    this.committing = true;
    while (this.toCommit.length > 0) {
      const wait = this.lastCommit + this.settings.commitIntervalMs - performance.now();
      if (wait > 0 && !this.stopping) {
        await new Promise<void>((resolve) => { this.commitPause = { timer: setTimeout(resolve, wait), resolve }; });
        this.commitPause = null;
      }
      const rounds = this.current(this.toCommit.splice(0));
      if (rounds.length === 0) continue;
      const next = new Map<number, bigint>();
      for (const round of rounds) {
        for (const chunk of round.chunks) next.set(chunk.partition, BigInt(chunk.lastOffset) + 1n);
      }
      const offsets = [...next].map(([partition, offset]) => ({ partition, offset: String(offset) }));
      const started = performance.now();
      const live = () => rounds.every((round) => round.generation === this.generation);
      const committed = await this.deps.retrying('commit', [...next.keys()], live, () => this.deps.offsets.commit(offsets));
      this.lastCommit = performance.now();
      if (committed.kind === 'abandoned') {
        for (const round of rounds) this.abandon(round);
        continue;
      }
      this.deps.observer.stage('commit', seconds(started));
      for (const round of rounds) {
        round.applied!.report();
        for (const chunk of round.chunks) this.release(chunk);
      }
    }
    this.committing = false;
    this.settle();
  }

  private endCommitPause(): void {
    if (!this.commitPause) return;
    clearTimeout(this.commitPause.timer);
    this.commitPause.resolve();
  }

  /** Rounds of the current generation; the others are dropped (a join came between). */
  private current(rounds: Round<R, Row>[]): Round<R, Row>[] {
    const live = rounds.filter((round) => round.generation === this.generation);
    for (const round of rounds) if (round.generation !== this.generation) this.abandon(round);
    return live;
  }

  /**
   * Work that stopped short of its commit. Later chunks of its partitions must not commit past it:
   * on a join the generation already moved on; while stopping it is moved on here.
   */
  private abandon(round: Round<R, Row>): void {
    if (round.generation === this.generation) this.newGeneration();
    for (const chunk of round.chunks) this.release(chunk);
  }

  private release(chunk: Chunk<R>): void {
    const { partition } = chunk;
    const outstanding = this.hold(partition, -chunk.records.length);
    if (this.paused.has(partition) && outstanding < this.settings.maxOutstanding && !this.stopping) {
      this.paused.delete(partition);
      this.deps.flow.resume([partition]);
    }
    chunk.settled();
  }

  private hold(partition: number, commands: number): number {
    const outstanding = (this.outstanding.get(partition) ?? 0) + commands;
    this.outstanding.set(partition, outstanding);
    this.deps.observer.held(partition, outstanding);
    return outstanding;
  }

  private isIdle(): boolean {
    return this.transactions === 0 && !this.publishing && !this.committing && !this.scheduled
      && this.toPublish.length === 0 && this.toCommit.length === 0 && [...this.waiting.values()].every((queue) => queue.length === 0);
  }

  private settle(): void {
    if (this.idle.length === 0 || !this.isIdle()) return;
    for (const resolve of this.idle.splice(0)) resolve();
  }
}

/** Consecutive chunks of one partition as one. */
function merged<R>(chunks: Chunk<R>[]): Chunk<R> {
  if (chunks.length === 1) return chunks[0]!;
  return {
    partition: chunks[0]!.partition,
    records: chunks.flatMap((chunk) => chunk.records),
    lastOffset: chunks[chunks.length - 1]!.lastOffset,
    appendedAt: chunks[0]!.appendedAt,
    within: chunks[0]!.within,
    settled: () => { for (const chunk of chunks) chunk.settled(); },
  };
}
