import { PartitionEpochs } from '../../src/processors/runtime/epochs.ts';
import { Pipeline, type PipelineSettings } from '../../src/processors/runtime/pipeline.ts';
import type { Applied, Chunk, Handler } from '../../src/processors/runtime/ports.ts';
import type { Retrying } from '../../src/processors/runtime/retry.ts';

/**
 * The runtime's pipeline against a fake handler, outlet and group: no broker, no database. Each
 * record is a number (its offset); the handler "commits" a row per record, numbered in commit
 * order like the outbox's identity column.
 */
type Row = { id: string; partition: number; offset: number };

function harness(settings: Partial<PipelineSettings> = {}, faults: { failPublishes?: number } = {}) {
  const log: string[] = [];
  let nextId = 0;
  const committedRows: Row[] = [];
  const sent: Row[] = [];
  const watermark = new Map<number, number>();
  const commits: { partition: number; offset: string }[][] = [];
  const gates: (() => void)[] = [];
  let holdTransactions = false;
  let { failPublishes = 0 } = faults;
  const rounds: number[][] = [];
  /** What the pipeline last reported holding, per partition. */
  const held = new Map<number, number>();
  const handler: Handler<number, number[], Row> = {
    claim: async (partition) => `token-${partition}`,
    decode: async (chunk) => chunk.records,
    async apply(work): Promise<Applied<Row>> {
      rounds.push(work.map(({ chunk }) => chunk.partition));
      if (holdTransactions) await new Promise<void>((resolve) => gates.push(resolve));
      const rows = new Map<number, Row[]>();
      for (const { chunk, decoded } of work) {
        const partitionRows = decoded.map((offset) => ({ id: String(++nextId), partition: chunk.partition, offset }));
        committedRows.push(...partitionRows);
        rows.set(chunk.partition, partitionRows);
      }
      return { rows, report: () => log.push(`report ${work.map(({ chunk }) => chunk.partition).join(',')}`) };
    },
  };
  const publish = (rows: Row[]) => {
    sent.push(...rows);
    // eslint-disable-next-line honesty/no-default-figure -- the fake's own watermark: no row published yet on a partition, and identities start at 1
    for (const row of rows) watermark.set(row.partition, Math.max(watermark.get(row.partition) ?? 0, Number(row.id)));
  };
  const epochs = new PartitionEpochs({
    claim: handler.claim,
    drain: async (partition) => {
      // eslint-disable-next-line honesty/no-default-figure -- the fake's own watermark: no row published yet on a partition, and identities start at 1
      const rows = committedRows.filter((row) => row.partition === partition && Number(row.id) > (watermark.get(partition) ?? 0));
      publish(rows);
      return rows.length > 0 ? BigInt(rows.at(-1)!.id) : null;
    },
  });
  const paused: number[][] = [];
  const retrying: Retrying = async (_step, _partitions, live, work) => {
    for (;;) {
      if (!live()) return { kind: 'abandoned' };
      try {
        return { kind: 'done', value: await work() };
      } catch {
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  };
  const pipeline = new Pipeline<number, number[], Row>({
    handler, epochs, retrying,
    outlet: {
      publish: async (rows) => {
        if (failPublishes-- > 0) throw new Error('send failed');
        publish(rows);
      },
      drain: async () => { throw new Error('the epochs drain, not the pipeline'); },
    },
    offsets: { commit: async (offsets) => { commits.push(offsets); } },
    flow: { pause: (partitions) => paused.push(partitions), resume: () => {} },
    observer: { stage: () => {}, published: () => {}, transaction: () => {}, held: (partition, commands) => held.set(partition, commands) },
  }, { maxBatch: 100, transactions: 2, maxOutstanding: 1000, commitIntervalMs: 0, ...settings });
  const chunk = (partition: number, from: number, to: number): Chunk<number> => {
    const records = Array.from({ length: to - from + 1 }, (_, index) => from + index);
    return { partition, records, lastOffset: String(to), appendedAt: Date.now(), within: (work) => work(), settled: () => {} };
  };
  return {
    pipeline, chunk, log, sent, commits, rounds, paused, committedRows, held,
    hold: () => { holdTransactions = true; },
    releaseAll: () => { holdTransactions = false; for (const gate of gates.splice(0)) gate(); },
    gates,
  };
}

/** The last committed offset per partition, over every commit. */
const lastCommitted = (commits: { partition: number; offset: string }[][]) => {
  const last = new Map<number, string>();
  for (const commit of commits) for (const { partition, offset } of commit) last.set(partition, offset);
  return Object.fromEntries(last);
};

test('the chunks of several partitions handed over together go in one transaction, one send and one offset commit', async () => {
  // 30 commands, under a tenth of maxBatch: not a backlog.
  const h = harness({ maxBatch: 1000 });
  for (const partition of [0, 1, 2]) h.pipeline.accept(h.chunk(partition, 0, 9));
  await h.pipeline.stop();
  expect(h.rounds).toEqual([[0, 1, 2]]);
  expect(h.commits).toEqual([[{ partition: 0, offset: '10' }, { partition: 1, offset: '10' }, { partition: 2, offset: '10' }]]);
  expect(h.sent.map((row) => row.id)).toEqual(h.committedRows.map((row) => row.id));
});

test('a backlog is shared among the free transactions, which run side by side', async () => {
  // 40 commands, over a tenth of maxBatch: two rounds of 20 at once, not one of 40.
  const h = harness({ maxBatch: 100, transactions: 2 });
  h.hold();
  for (const partition of [0, 1, 2, 3]) h.pipeline.accept(h.chunk(partition, 0, 9));
  await new Promise((resolve) => setImmediate(resolve));
  expect(h.rounds).toEqual([[0, 1], [2, 3]]);
  h.releaseAll();
  await h.pipeline.stop();
  expect(lastCommitted(h.commits)).toEqual({ 0: '10', 1: '10', 2: '10', 3: '10' });
});

test('a partition\'s chunks stay in offset order, and an offset is committed only after its rows were sent', async () => {
  const h = harness({ maxBatch: 10 });
  h.hold();
  h.pipeline.accept(h.chunk(0, 0, 9));
  h.pipeline.accept(h.chunk(0, 10, 19));
  h.pipeline.accept(h.chunk(1, 0, 9));
  await new Promise((resolve) => setImmediate(resolve));
  // Two transactions side by side, never two of one partition.
  expect(h.rounds).toEqual([[0], [1]]);
  expect(h.commits).toEqual([]);
  h.releaseAll();
  await h.pipeline.stop();
  const partition0 = h.sent.filter((row) => row.partition === 0).map((row) => row.offset);
  expect(partition0).toEqual(Array.from({ length: 20 }, (_, index) => index));
  expect(lastCommitted(h.commits)).toEqual({ 0: '20', 1: '10' });
});

test('after a failed send a partition is drained in id order before later rows, so none overtakes another', async () => {
  const h = harness({ maxBatch: 10 }, { failPublishes: 1 });
  h.pipeline.accept(h.chunk(0, 0, 9));
  h.pipeline.accept(h.chunk(0, 10, 19));
  await h.pipeline.stop();
  const firstSeen = new Map<string, number>();
  h.sent.forEach((row, index) => { if (!firstSeen.has(row.id)) firstSeen.set(row.id, index); });
  const order = [...firstSeen.keys()];
  expect(order.map(Number)).toEqual(order.map(Number).sort((a, b) => a - b));
  expect(order.length).toBe(20);
  expect(lastCommitted(h.commits)).toEqual({ 0: '20' });
});

test('a group join drops the waiting chunks, and work in flight from before it is neither sent nor committed', async () => {
  const h = harness({ maxBatch: 10, transactions: 1 });
  h.hold();
  h.pipeline.accept(h.chunk(0, 0, 9));
  h.pipeline.accept(h.chunk(0, 10, 19));
  await new Promise((resolve) => setImmediate(resolve));
  expect(h.rounds).toEqual([[0]]);
  expect(Object.fromEntries(h.held)).toEqual({ 0: 20 });
  h.pipeline.newGeneration();
  expect(Object.fromEntries(h.held)).toEqual({ 0: 10 });
  h.releaseAll();
  await h.pipeline.stop();
  expect(h.rounds).toEqual([[0]]);
  expect(h.sent).toEqual([]);
  expect(h.commits).toEqual([]);
  expect(h.log).toEqual([]);
  expect(Object.fromEntries(h.held)).toEqual({ 0: 0 });
});

test('a partition with too much in the pipeline is paused; stop takes nothing new and finishes what it holds', async () => {
  const h = harness({ maxBatch: 10, maxOutstanding: 15 });
  h.hold();
  h.pipeline.accept(h.chunk(3, 0, 9));
  h.pipeline.accept(h.chunk(3, 10, 19));
  expect(h.paused).toEqual([[3]]);
  expect(Object.fromEntries(h.held)).toEqual({ 3: 20 });
  const stopped = h.pipeline.stop();
  expect(h.pipeline.accept(h.chunk(3, 20, 29))).toBe(false);
  h.releaseAll();
  await stopped;
  expect(lastCommitted(h.commits)).toEqual({ 3: '20' });
  expect(Object.fromEntries(h.held)).toEqual({ 3: 0 });
});

test('rounds published within the commit interval share one offset commit, and a stop commits at once', async () => {
  const h = harness({ maxBatch: 10, commitIntervalMs: 60_000 });
  h.pipeline.accept(h.chunk(0, 0, 9));
  while (h.commits.length === 0) await new Promise((resolve) => setImmediate(resolve));
  h.pipeline.accept(h.chunk(0, 10, 19));
  h.pipeline.accept(h.chunk(1, 0, 9));
  while (h.sent.length < 30) await new Promise((resolve) => setImmediate(resolve));
  expect(h.commits.length).toBe(1);
  await h.pipeline.stop();
  expect(h.commits).toEqual([[{ partition: 0, offset: '10' }], [{ partition: 0, offset: '20' }, { partition: 1, offset: '10' }]]);
});
