import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import avro from 'avsc';
import { AVRO_DIR, loadSchema, type AvroSchema } from './avro-files.ts';
import { createResolver } from './resolver.ts';
import type { TopLevelSchema } from './generate-types.ts';

/**
 * Released versions of the top-level schemas: avro/released/<Name>/v<N>.avsc, each the expanded
 * (self-contained) schema as it was registered when that version shipped. They are never edited;
 * `npm run schemas:release` adds the next version when the current .avsc differs from the last one,
 * and refuses one that cannot read data written with every released version (BACKWARD_TRANSITIVE).
 * readAvroFiles reads only the top of avro/ and ignores this folder.
 */

export const RELEASED_DIR = join(AVRO_DIR, 'released');

export interface ReleasedVersion {
  version: number;
  file: string;
  schema: AvroSchema;
}

export function releasedVersions(name: TopLevelSchema, dir = RELEASED_DIR): ReleasedVersion[] {
  const folder = join(dir, name);
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .map((file) => ({ file, match: /^v([1-9][0-9]*)\.avsc$/.exec(file) }))
    .filter((entry): entry is { file: string; match: RegExpExecArray } => entry.match !== null)
    .map(({ file, match }) => ({ version: Number(match[1]), file: join(folder, file), schema: JSON.parse(readFileSync(join(folder, file), 'utf8')) as AvroSchema }))
    .sort((a, b) => a.version - b.version);
}

/** Parsed as the registry parses schemas: unions always wrapped, so resolution is about compatibility only. */
export const avroType = (schema: AvroSchema): avro.Type => avro.Type.forSchema(schema as avro.Schema, { wrapUnions: true });

/**
 * Why `current` cannot read data written with `released`, or null when it can (the BACKWARD rule).
 * Schema-level, as the registry judges: every union branch of `released` must be readable.
 */
export function backwardIncompatibility(current: AvroSchema, released: AvroSchema): string | null {
  try {
    createResolver(avroType(current), avroType(released));
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

export const currentSchema = (name: TopLevelSchema): AvroSchema => loadSchema(name);
