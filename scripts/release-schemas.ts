import { mkdirSync, writeFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { join } from 'node:path';
import { TOP_LEVEL } from '../src/schemas/generate-types.ts';
import { backwardIncompatibility, currentSchema, RELEASED_DIR, releasedVersions } from '../src/schemas/released.ts';

/**
 * `npm run schemas:release`: records the current expanded schema of every top-level record as its
 * next released version when it differs from the last released one. Run it when shipping a release
 * that changes a schema; commit the new avro/released/<Name>/v<N>.avsc files with it.
 */
let failed = false;
for (const name of TOP_LEVEL) {
  const current = currentSchema(name);
  const released = releasedVersions(name);
  const last = released.at(-1);
  if (last && isDeepStrictEqual(last.schema, current)) {
    console.log(`${name}: unchanged since v${last.version}`);
    continue;
  }
  const problems = released.flatMap((version) => {
    const why = backwardIncompatibility(current, version.schema);
    return why === null ? [] : [`cannot read v${version.version}: ${why}`];
  });
  if (problems.length > 0) {
    console.error(`${name}: not released, not BACKWARD compatible: ${problems.join('; ')}`);
    failed = true;
    continue;
  }
  const version = (last?.version ?? 0) + 1;
  mkdirSync(join(RELEASED_DIR, name), { recursive: true });
  const file = join(RELEASED_DIR, name, `v${version}.avsc`);
  writeFileSync(file, `${JSON.stringify(current, null, 2)}\n`);
  console.log(`${name}: released as v${version} (${file})`);
}
process.exit(failed ? 1 : 0);
