import avro from 'avsc';
import type { Schema, Type } from 'avsc';

export const COMPATIBILITY_LEVELS = [
  'NONE',
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
] as const;

export type Compatibility = (typeof COMPATIBILITY_LEVELS)[number];

/** Confluent's default: consumers may upgrade first, producers follow. */
export const DEFAULT_COMPATIBILITY: Compatibility = 'BACKWARD';

export function isCompatibility(value: unknown): value is Compatibility {
  return typeof value === 'string' && (COMPATIBILITY_LEVELS as readonly string[]).includes(value);
}

/**
 * Parses an Avro schema text. Unions are always wrapped: with avsc's default ('auto') a union
 * becomes wrapped or not depending on its branches, and resolving between the two kinds can
 * fail for reasons unrelated to compatibility, e.g. when a second record branch is added.
 * Throws avsc's (or JSON's) error for an invalid schema.
 */
export function parseAvro(text: string): Type {
  return avro.Type.forSchema(JSON.parse(text) as Schema, { wrapUnions: true });
}

export interface PreviousVersion {
  version: number;
  type: Type;
}

/** Why `reader` cannot decode what `writer` wrote, or undefined when it can. */
function resolutionFailure(reader: Type, writer: Type): string | undefined {
  try {
    reader.createResolver(writer);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * The reasons `candidate` may not follow `previous` (oldest first) under `level`; empty when it
 * may. Non-transitive levels only look at the newest previous version, as Confluent does.
 */
export function incompatibilities(
  candidate: Type,
  previous: readonly PreviousVersion[],
  level: Compatibility,
): string[] {
  if (level === 'NONE') return [];
  const against = level.endsWith('_TRANSITIVE') ? previous : previous.slice(-1);
  const backward = level.startsWith('BACKWARD') || level.startsWith('FULL');
  const forward = level.startsWith('FORWARD') || level.startsWith('FULL');
  const messages: string[] = [];
  for (const { version, type } of against) {
    const cannotReadOld = backward ? resolutionFailure(candidate, type) : undefined;
    if (cannotReadOld) messages.push(`${level}: new schema cannot read data written with version ${version}: ${cannotReadOld}`);
    const oldCannotRead = forward ? resolutionFailure(type, candidate) : undefined;
    if (oldCannotRead) messages.push(`${level}: version ${version} cannot read data written with new schema: ${oldCannotRead}`);
  }
  return messages;
}
