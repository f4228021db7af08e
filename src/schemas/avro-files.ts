import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The .avsc files are the single source of truth for message shapes. Shared records
 * (Contact, ListingDetails, ...) live in their own files and are referenced by name; a
 * schema registered with the registry must be self-contained, so each top-level schema
 * is expanded here by inlining every named type at its first use. Written by hand because
 * avsc's Type#schema() drops logicalType attributes and no maintained tool does this
 * expansion for plain (reference-free) registry subjects.
 */

export const AVRO_DIR = new URL('../../avro/', import.meta.url).pathname;

const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);

export type AvroSchema = string | AvroSchema[] | { [key: string]: unknown };

type Named = { type: string; name: string; namespace?: string; [key: string]: unknown };

const isNamed = (node: unknown): node is Named =>
  typeof node === 'object' && node !== null && !Array.isArray(node) &&
  ['record', 'enum', 'fixed'].includes((node as Named).type) && typeof (node as Named).name === 'string';

function collectDefinitions(node: unknown, into: Map<string, Named>): void {
  if (Array.isArray(node)) {
    node.forEach((child) => collectDefinitions(child, into));
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  if (isNamed(node)) into.set(node.name, node);
  const obj = node as Record<string, unknown>;
  if (Array.isArray(obj.fields)) obj.fields.forEach((field) => collectDefinitions((field as { type: unknown }).type, into));
  if (obj.items !== undefined) collectDefinitions(obj.items, into);
  if (obj.values !== undefined) collectDefinitions(obj.values, into);
  if (obj.type !== undefined && typeof obj.type === 'object') collectDefinitions(obj.type, into);
}

function expand(node: unknown, definitions: Map<string, Named>, defined: Set<string>): AvroSchema {
  if (typeof node === 'string') {
    if (PRIMITIVES.has(node) || defined.has(node)) return node;
    const definition = definitions.get(node);
    if (!definition) throw new Error(`Avro type ${node} is referenced but defined in no file of ${AVRO_DIR}`);
    return expand(definition, definitions, defined);
  }
  if (Array.isArray(node)) return node.map((child) => expand(child, definitions, defined));
  const obj = { ...(node as Record<string, unknown>) };
  if (isNamed(obj)) defined.add(obj.name);
  if (Array.isArray(obj.fields)) {
    obj.fields = obj.fields.map((field) => ({ ...field, type: expand((field as { type: unknown }).type, definitions, defined) }));
  }
  if (obj.items !== undefined) obj.items = expand(obj.items, definitions, defined);
  if (obj.values !== undefined) obj.values = expand(obj.values, definitions, defined);
  if (obj.type !== undefined && typeof obj.type !== 'string') obj.type = expand(obj.type, definitions, defined);
  return obj;
}

export function readAvroFiles(dir = AVRO_DIR): Map<string, Named> {
  const files = new Map<string, Named>();
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.avsc')).sort()) {
    const schema = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Named;
    files.set(schema.name, schema);
  }
  return files;
}

/** The self-contained schema of one top-level record, e.g. `ApplicationCommand`. */
export function loadSchema(name: string, dir = AVRO_DIR): AvroSchema {
  const files = readAvroFiles(dir);
  const definitions = new Map<string, Named>();
  for (const schema of files.values()) collectDefinitions(schema, definitions);
  const root = files.get(name);
  if (!root) throw new Error(`No ${name}.avsc in ${dir}`);
  return expand(root, definitions, new Set());
}
