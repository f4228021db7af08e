import { readFileSync } from 'node:fs';
import { generateConsoleTypes } from '../console/api-types.ts';

test('console/src/api-types.ts is exactly what /openapi.json generates (run `npm run generate:types`)', () => {
  const committed = readFileSync(new URL('../console/src/api-types.ts', import.meta.url), 'utf8');
  expect(committed).toBe(generateConsoleTypes());
});

test('the console reads a command status as the API answers it, DEAD_LETTERED included', () => {
  expect(generateConsoleTypes()).toMatch(/export type CommandStatus = \{[^}]*status: "PENDING" \| "ACCEPTED" \| "REJECTED" \| "DEAD_LETTERED";/s);
});
