import type { RecordMetadata } from 'kafkajs';
import { unacknowledged } from '../../src/processors/publisher.ts';

/**
 * What kafkajs 2.2.4's sendBatch can resolve with after a leader moved mid-send: acknowledgements
 * of the partitions of the broker that answered first, none of the partitions that moved onto it.
 * The publisher must see those as not written.
 */
const ack = (topicName: string, partition: number): RecordMetadata => ({ topicName, partition, errorCode: 0 });

test('every assigned partition acknowledged: nothing missing', () => {
  expect(unacknowledged(new Set(['events/0', 'events/1', 'notifications/2']), [ack('events', 1), ack('notifications', 2), ack('events', 0)])).toEqual([]);
});

test('a partition no acknowledgement names is reported, per topic', () => {
  expect(unacknowledged(new Set(['events/0', 'events/1', 'notifications/1']), [ack('events', 0), ack('notifications', 0)])).toEqual(['events/1', 'notifications/1']);
});

test('an acknowledgement of the same partition number on another topic does not count', () => {
  expect(unacknowledged(new Set(['events/2']), [ack('notifications', 2)])).toEqual(['events/2']);
});
