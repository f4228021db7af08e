import type { TopicMessages } from 'kafkajs';
import { REQUEST_BYTES, requestSized } from '../../src/processors/publisher.ts';

/** How the relay cuts a coalesced send into requests the broker accepts (max.message.bytes per partition batch). */
const values = (parts: TopicMessages[][]) => parts.map((part) => part.flatMap(({ topic, messages }) => messages.map((message) => `${topic}:${String(message.value)}`)));

test('a send under the bound stays one request, topics as handed over', () => {
  const send: TopicMessages[] = [{ topic: 'events', messages: [{ key: 'a', value: '1' }, { key: 'b', value: '2' }] }, { topic: 'notifications', messages: [{ key: 'r', value: '3' }] }];
  expect(values(requestSized(send))).toEqual([['events:1', 'events:2', 'notifications:3']]);
});

test('a send over the bound is cut into requests under it, every message once and in order', () => {
  const filler = 'x'.repeat(10_000);
  const send: TopicMessages[] = [
    { topic: 'events', messages: Array.from({ length: 100 }, (_, index) => ({ key: 'a', value: `e${index}${filler}` })) },
    { topic: 'notifications', messages: Array.from({ length: 100 }, (_, index) => ({ key: 'r', value: `n${index}${filler}`, headers: { 'event-id': `id-${index}` } })) },
  ];
  const parts = requestSized(send);
  expect(parts.length).toBeGreaterThanOrEqual(3);
  for (const part of parts) {
    const bytes = part.flatMap(({ messages }) => messages).reduce((sum, message) => sum + Buffer.byteLength(String(message.value)), 0);
    expect(bytes).toBeLessThanOrEqual(REQUEST_BYTES);
  }
  expect(values(parts).flat()).toEqual(values([send]).flat());
});

test('a message over the bound on its own goes alone, between the others', () => {
  const big = 'y'.repeat(REQUEST_BYTES + 1);
  const parts = requestSized([{ topic: 'dlq', messages: [{ key: null, value: 'before' }, { key: null, value: big }, { key: null, value: 'after' }] }]);
  expect(parts.map((part) => part[0]!.messages.map((message) => String(message.value).slice(0, 6)))).toEqual([['before'], ['yyyyyy'], ['after']]);
});
