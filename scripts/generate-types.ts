import { writeFileSync } from 'node:fs';
import { generateConsoleTypes } from '../console/api-types.ts';
import { generateTypes } from '../src/schemas/generate-types.ts';

for (const [target, text] of [
  [new URL('../src/schemas/avro-types.ts', import.meta.url), generateTypes()],
  [new URL('../console/src/api-types.ts', import.meta.url), generateConsoleTypes()],
] as const) {
  writeFileSync(target, text);
  console.log(`wrote ${target.pathname}`);
}
