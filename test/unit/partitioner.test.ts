import { randomUUID } from 'node:crypto';
import { Partitioners } from 'kafkajs';
import { cachingPartitioner } from '../../src/processors/partitioner.ts';

/** The cached partitioner puts every record where kafkajs's DefaultPartitioner (murmur2, as Java) would. */
const metadata = (count: number) => Array.from({ length: count }, (_, partitionId) => ({ partitionId, leader: 1, replicas: [1], isr: [1], partitionErrorCode: 0 }));

test('keyed records: the same partition as the DefaultPartitioner, asked once or again, per partition count', () => {
  const cached = cachingPartitioner();
  const plain = Partitioners.DefaultPartitioner();
  const keys = Array.from({ length: 500 }, () => randomUUID());
  for (const count of [3, 6, 7]) {
    for (const key of keys) {
      for (const form of [key, Buffer.from(key)]) {
        const args = { topic: 'events', partitionMetadata: metadata(count), message: { key: form, value: null } };
        const expected = plain(args);
        expect([cached(args), cached(args)]).toEqual([expected, expected]);
      }
    }
  }
});

test('an explicit partition wins, and unkeyed records are spread as kafkajs spreads them', () => {
  const cached = cachingPartitioner();
  const partitionMetadata = metadata(6);
  expect(cached({ topic: 'events', partitionMetadata, message: { key: 'k', value: null, partition: 4 } })).toBe(4);
  const spread = new Set(Array.from({ length: 60 }, () => cached({ topic: 'events', partitionMetadata, message: { key: null, value: null } })));
  expect(spread.size).toBe(6);
});
