/**
 * What the runtime (fetch, epochs, pipeline, publish, commit) asks of the rest of the service.
 * The handler decodes and applies; the outlet publishes committed outbox rows; the offsets port
 * commits to the group; flow control pauses fetching. Each is a plain interface so the runtime
 * runs against fakes in a test, without a broker or a database.
 */

/** Records of one partition, in offset order, as fetched: the unit the pipeline keeps in order. */
export interface Chunk<R> {
  partition: number;
  records: R[];
  /** Offset of the last record: the commit after it is this plus one. */
  lastOffset: string;
  /** Broker append time of the first record, in epoch milliseconds. */
  appendedAt: number;
  /** Runs `work` inside the chunk's trace context, so its queries and log lines belong to its batch span. */
  within<T>(work: () => T): T;
  /** Called once when the chunk leaves the pipeline, committed or abandoned (ends its trace spans). */
  settled(): void;
}

/** A round's transaction result: the outbox rows it committed, per partition in id order, and its report. */
export interface Applied<Row> {
  rows: Map<number, Row[]>;
  /** Counts and logs the round's outcomes; called once its offsets are committed. */
  report(): void;
}

/** An outbox row as the runtime sees it: its id orders a partition's rows. */
export interface OutboxRow { id: string }

export interface Handler<R, D, Row extends OutboxRow> {
  /** A token greater than every earlier holder's claim of the partition. */
  claim(partition: number): Promise<string>;
  decode(chunk: Chunk<R>): Promise<D>;
  /**
   * Applies the chunks in one transaction (more only to isolate a record PostgreSQL refuses),
   * checking every partition's claim in it; `live` turns false once the work is abandoned.
   */
  apply(work: { chunk: Chunk<R>; decoded: D }[], claims: ReadonlyMap<number, string>, live: () => boolean): Promise<Applied<Row>>;
}

export interface Outlet<Row extends OutboxRow> {
  /** One send of already committed rows, then the watermarks moved; resolves once the broker acknowledged all. */
  publish(rows: Row[]): Promise<void>;
  /** Publishes every row of the partition above its watermark, in id order; the highest id published, if any. */
  drain(partition: number): Promise<bigint | null>;
}

export interface Offsets {
  commit(offsets: { partition: number; offset: string }[]): Promise<void>;
}

export interface FlowControl {
  pause(partitions: number[]): void;
  resume(partitions: number[]): void;
}

export type Stage = 'fetch_wait' | 'decode' | 'transaction' | 'publish' | 'commit';

export interface Observer<R> {
  stage(stage: Stage, seconds: number): void;
  /** A chunk's outcomes reached the topics at `at` (epoch milliseconds). */
  published(chunk: Chunk<R>, at: number): void;
  /** Commands per transaction. */
  transaction(commands: number): void;
  /** Commands of a partition the pipeline holds (fetched, not yet committed or abandoned), at every change. */
  held(partition: number, commands: number): void;
}
