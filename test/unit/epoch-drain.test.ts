import { PartitionEpoch } from '../../src/processors/runtime/epochs.ts';

/**
 * A drain reads the rows above the watermark at one moment. Whatever makes the epoch forget what
 * it knew while that read is under way (a group join, a failed write, a failed send) may stand
 * for rows the read could not see: the partition must not count as drained after it, or its next
 * rows would move the watermark past them unpublished (the rolling restart's lost round).
 */
function epochWithPendingDrain() {
  let finish: (highest: bigint | null) => void = () => {};
  const drains: number[] = [];
  const epoch = new PartitionEpoch(0, {
    claim: async () => '1',
    drain: (partition) => {
      drains.push(partition);
      return new Promise<bigint | null>((resolve) => { finish = resolve; });
    },
  });
  return { epoch, drains, finish: (highest: bigint | null) => finish(highest) };
}

test('a drain that nothing interrupted leaves the partition drained, through the highest id it published', async () => {
  const { epoch, finish } = epochWithPendingDrain();
  const draining = epoch.drain();
  finish(42n);
  await draining;
  expect(epoch.isDrained).toBe(true);
  expect(epoch.drainedRow('42')).toBe(true);
  expect(epoch.drainedRow('43')).toBe(false);
});

test.each([
  ['a group join', (epoch: PartitionEpoch) => epoch.end()],
  ['a failed write', (epoch: PartitionEpoch) => epoch.writeFailed(new Error('connection lost'))],
  ['a failed send', (epoch: PartitionEpoch) => epoch.publishFailed()],
])('%s while the drain reads: the partition is drained again before its next rows', async (_, forget) => {
  const { epoch, drains, finish } = epochWithPendingDrain();
  const draining = epoch.drain();
  forget(epoch);
  finish(42n);
  await draining;
  expect(epoch.isDrained).toBe(false);
  // What it did publish stays known, so the next drain's rows are not sent twice by the rounds.
  expect(epoch.drainedRow('42')).toBe(true);
  const again = epoch.drain();
  finish(null);
  await again;
  expect(drains).toEqual([0, 0]);
  expect(epoch.isDrained).toBe(true);
});
