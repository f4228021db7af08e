import { writeFileSync } from 'node:fs';
import { generateTypes } from '../src/schemas/generate-types.ts';

const target = new URL('../src/schemas/avro-types.ts', import.meta.url);
writeFileSync(target, generateTypes());
console.log(`wrote ${target.pathname}`);
