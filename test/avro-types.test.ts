import { readFileSync } from 'node:fs';
import avro from 'avsc';
import { generateTypes, TOP_LEVEL } from '../src/schemas/generate-types.ts';
import { loadSchema } from '../src/schemas/avro-files.ts';

test('src/schemas/avro-types.ts is exactly what the .avsc files generate (run `npm run generate:types`)', () => {
  const committed = readFileSync(new URL('../src/schemas/avro-types.ts', import.meta.url), 'utf8');
  expect(committed).toBe(generateTypes());
});

test.each(TOP_LEVEL)('%s expands into a self-contained schema avsc can parse', (name) => {
  const type = avro.Type.forSchema(loadSchema(name) as avro.Schema);
  expect(type.name).toBe(`platform.backoffice.${name}`);
});
