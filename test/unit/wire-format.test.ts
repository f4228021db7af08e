import avro from 'avsc';
import { wireFormatWriter } from '../../src/schemas/wire-format.ts';

/** Confluent's wire format as the registry client writes it: magic byte 0, the schema id, the Avro body. */
const type = avro.Type.forSchema({ type: 'record', name: 'Note', fields: [{ name: 'text', type: 'string' }, { name: 'count', type: 'long' }] });
const expected = (id: number, value: object) => {
  const header = Buffer.alloc(5);
  header.writeInt32BE(id, 1);
  return Buffer.concat([header, type.toBuffer(value)]);
};

test('a value is the magic byte, the schema id and its Avro body, exactly', () => {
  const write = wireFormatWriter(70_000, type);
  const value = { text: '을지로 골뱅이집', count: 3 };
  expect(write(value).equals(expected(70_000, value))).toBe(true);
});

test('a body larger than the writer has seen is written whole, and so are the smaller ones after it', () => {
  const write = wireFormatWriter(7, type);
  const large = { text: '가'.repeat(4000), count: -1 };
  const small = { text: 'a', count: 2 ** 40 };
  const [first, second, third] = [write(large), write(small), write(large)];
  expect(first!.equals(expected(7, large))).toBe(true);
  expect(second!.equals(expected(7, small))).toBe(true);
  expect(third!.equals(expected(7, large))).toBe(true);
  // Each write has bytes of its own: the later writes left the earlier ones as they were.
  expect(type.fromBuffer(first!.subarray(5))).toEqual(large);
  expect(type.fromBuffer(second!.subarray(5))).toEqual(small);
});
