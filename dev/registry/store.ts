import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Type } from 'avsc';
import { DEFAULT_COMPATIBILITY, incompatibilities, isCompatibility, parseAvro } from './compatibility.ts';
import type { Compatibility } from './compatibility.ts';

/** A failure the HTTP layer reports as Confluent does: status plus `{error_code, message}`. */
export class RegistryError extends Error {
  readonly status: number;
  readonly errorCode: number;

  constructor(status: number, errorCode: number, message: string) {
    super(message);
    this.name = 'RegistryError';
    this.status = status;
    this.errorCode = errorCode;
  }
}

const subjectNotFound = (subject: string) => new RegistryError(404, 40401, `Subject '${subject}' not found.`);
const invalidSchema = (message: string) => new RegistryError(422, 42201, message);

export interface RegisteredVersion {
  subject: string;
  id: number;
  version: number;
  schema: string;
}

/** Maps hold the state (not plain objects) so that a subject named `__proto__` is just a name. */
interface State {
  nextId: number;
  schemas: Map<number, string>;
  /** Ids per subject; version n is at index n - 1 (versions are never deleted here). */
  subjects: Map<string, number[]>;
  globalCompatibility: Compatibility;
  subjectCompatibility: Map<string, Compatibility>;
}

interface PersistedState {
  format: 1;
  nextId: number;
  schemas: Record<string, string>;
  subjects: Record<string, number[]>;
  globalCompatibility: Compatibility;
  subjectCompatibility: Record<string, Compatibility>;
}

interface ParsedSchema {
  type: Type;
  /** Compact JSON: what is stored and served back. */
  text: string;
  /** Identity of a schema: whitespace and object key order do not make a new schema. */
  canonical: string;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, child]) => `${JSON.stringify(key)}:${canonicalJson(child)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Validates a `{schema, schemaType?, references?}` request body the way Confluent does for AVRO. */
export function parseSchemaRequest(body: unknown): ParsedSchema {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw invalidSchema('Request body must be a JSON object such as {"schema": "..."}');
  }
  const { schema, schemaType, references } = body as Record<string, unknown>;
  if (schemaType !== undefined && schemaType !== null && schemaType !== 'AVRO') {
    throw invalidSchema(`Unsupported schemaType ${JSON.stringify(schemaType)}: this development registry only supports AVRO`);
  }
  if (Array.isArray(references) && references.length > 0) {
    throw invalidSchema('Schema references are not supported by this development registry; register self-contained schemas');
  }
  if (typeof schema !== 'string' || schema.trim() === '') {
    throw invalidSchema('Empty schema: "schema" must be a non-empty string holding the Avro schema JSON');
  }
  try {
    const type = parseAvro(schema);
    const parsed: unknown = JSON.parse(schema);
    return { type, text: JSON.stringify(parsed), canonical: canonicalJson(parsed) };
  } catch (error) {
    throw invalidSchema(`Invalid schema: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function emptyState(): State {
  return {
    nextId: 1,
    schemas: new Map(),
    subjects: new Map(),
    globalCompatibility: DEFAULT_COMPATIBILITY,
    subjectCompatibility: new Map(),
  };
}

function toPersisted(state: State): PersistedState {
  return {
    format: 1,
    nextId: state.nextId,
    schemas: Object.fromEntries(state.schemas),
    subjects: Object.fromEntries(state.subjects),
    globalCompatibility: state.globalCompatibility,
    subjectCompatibility: Object.fromEntries(state.subjectCompatibility),
  };
}

const isIdList = (value: unknown): value is number[] => Array.isArray(value) && value.every(Number.isInteger);
const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** Refuses a damaged file rather than starting empty: reusing ids would corrupt encoded data. */
function fromPersisted(raw: unknown, file: string): State {
  const fail = (why: string) => new Error(`Schema registry state file ${file} is invalid: ${why}`);
  if (!isRecord(raw) || raw.format !== 1) throw fail('unknown format');
  const { nextId, schemas, subjects, globalCompatibility, subjectCompatibility } = raw;
  if (!Number.isInteger(nextId)) throw fail('nextId');
  if (!isRecord(schemas) || !Object.values(schemas).every((text) => typeof text === 'string')) throw fail('schemas');
  if (Object.keys(schemas).some((id) => !(Number(id) < (nextId as number)))) throw fail('a schema id is not below nextId');
  if (!isRecord(subjects) || !Object.values(subjects).every(isIdList)) throw fail('subjects');
  if (!isCompatibility(globalCompatibility)) throw fail('globalCompatibility');
  if (!isRecord(subjectCompatibility) || !Object.values(subjectCompatibility).every(isCompatibility)) {
    throw fail('subjectCompatibility');
  }
  return {
    nextId: nextId as number,
    schemas: new Map(Object.entries(schemas as Record<string, string>).map(([id, text]) => [Number(id), text])),
    subjects: new Map(Object.entries(subjects as Record<string, number[]>)),
    globalCompatibility,
    subjectCompatibility: new Map(Object.entries(subjectCompatibility as Record<string, Compatibility>)),
  };
}

export class RegistryStore {
  readonly file: string;
  private state: State;
  /** Canonical schema -> global id, derived from `state.schemas` so it is not persisted. */
  private readonly ids = new Map<string, number>();

  private constructor(file: string, state: State) {
    this.file = file;
    this.state = state;
    for (const [id, text] of state.schemas) this.ids.set(canonicalJson(JSON.parse(text)), id);
  }

  /** Loads `file`, or creates it so an unwritable location fails at start, not on first register. */
  static open(file: string): RegistryStore {
    if (existsSync(file)) {
      let raw: unknown;
      try {
        raw = JSON.parse(readFileSync(file, 'utf8'));
      } catch (error) {
        throw new Error(`Schema registry state file ${file} is not readable JSON`, { cause: error });
      }
      return new RegistryStore(file, fromPersisted(raw, file));
    }
    const store = new RegistryStore(file, emptyState());
    mkdirSync(dirname(file), { recursive: true });
    store.save(store.state);
    return store;
  }

  /**
   * Mutations run on a copy that replaces the live state only once it is on disk, so a failed
   * write never leaves an id in memory that a restart would hand out again. Writes are
   * synchronous on purpose: each mutation is then atomic with respect to concurrent requests.
   */
  private commit(mutate: (draft: State) => void): void {
    const draft = structuredClone(this.state);
    mutate(draft);
    this.save(draft);
    this.state = draft;
  }

  private save(state: State): void {
    const temp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temp, `${JSON.stringify(toPersisted(state), null, 2)}\n`);
    renameSync(temp, this.file);
  }

  private versionsOf(subject: string): number[] {
    const versions = this.state.subjects.get(subject);
    if (!versions) throw subjectNotFound(subject);
    return versions;
  }

  private schemaText(id: number): string {
    const text = this.state.schemas.get(id);
    if (text === undefined) throw new RegistryError(404, 40403, `Schema ${id} not found`);
    return text;
  }

  private previousVersions(versions: readonly number[]) {
    return versions.map((id, index) => ({ version: index + 1, type: parseAvro(this.schemaText(id)) }));
  }

  compatibilityOf(subject: string): Compatibility {
    return this.state.subjectCompatibility.get(subject) ?? this.state.globalCompatibility;
  }

  register(subject: string, body: unknown): { id: number } {
    const schema = parseSchemaRequest(body);
    const versions = this.state.subjects.get(subject) ?? [];
    const knownId = this.ids.get(schema.canonical);
    if (knownId !== undefined && versions.includes(knownId)) return { id: knownId };
    const level = this.compatibilityOf(subject);
    const reasons = incompatibilities(schema.type, this.previousVersions(versions), level);
    if (reasons.length > 0) {
      throw new RegistryError(
        409,
        409,
        `Schema being registered is incompatible with an earlier schema for subject "${subject}" (${level}): ${reasons.join('; ')}`,
      );
    }
    const id = knownId ?? this.state.nextId;
    this.commit((draft) => {
      if (knownId === undefined) {
        draft.schemas.set(id, schema.text);
        draft.nextId = id + 1;
      }
      draft.subjects.set(subject, [...versions, id]);
    });
    this.ids.set(schema.canonical, id);
    return { id };
  }

  lookup(subject: string, body: unknown): RegisteredVersion {
    const versions = this.versionsOf(subject);
    const schema = parseSchemaRequest(body);
    const id = this.ids.get(schema.canonical);
    const index = id === undefined ? -1 : versions.indexOf(id);
    if (id === undefined || index < 0) throw new RegistryError(404, 40403, `Schema not found under subject '${subject}'`);
    return { subject, id, version: index + 1, schema: this.schemaText(id) };
  }

  schemaById(rawId: string): { schema: string } {
    const id = Number(rawId);
    if (!Number.isSafeInteger(id)) throw new RegistryError(404, 40403, `Schema ${rawId} not found`);
    return { schema: this.schemaText(id) };
  }

  subjects(): string[] {
    return [...this.state.subjects.keys()].sort();
  }

  versions(subject: string): number[] {
    return this.versionsOf(subject).map((_, index) => index + 1);
  }

  /** `ref` is a version number, `latest` or `-1` (Confluent's alias for latest). */
  version(subject: string, ref: string): RegisteredVersion {
    const versions = this.versionsOf(subject);
    const latest = ref === 'latest' || ref === '-1';
    const version = latest ? versions.length : Number(ref);
    if (!latest && (!/^\d+$/.test(ref) || version < 1 || version > 2 ** 31 - 1)) {
      throw new RegistryError(
        422,
        42202,
        `The specified version '${ref}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest"`,
      );
    }
    const id = versions[version - 1];
    if (id === undefined) throw new RegistryError(404, 40402, `Version ${ref} not found.`);
    return { subject, id, version, schema: this.schemaText(id) };
  }

  /** `latest` applies the subject's level as registration would; a given version is checked alone. */
  testCompatibility(subject: string, ref: string, body: unknown): { is_compatible: boolean; messages: string[] } {
    const target = this.version(subject, ref);
    const schema = parseSchemaRequest(body);
    const versions = this.versionsOf(subject);
    const previous = ref === 'latest' || ref === '-1'
      ? this.previousVersions(versions)
      : [{ version: target.version, type: parseAvro(target.schema) }];
    const messages = incompatibilities(schema.type, previous, this.compatibilityOf(subject));
    return { is_compatible: messages.length === 0, messages };
  }

  globalConfig(): { compatibilityLevel: Compatibility } {
    return { compatibilityLevel: this.state.globalCompatibility };
  }

  /** Without `defaultToGlobal`, a subject with no own level is a 404, which the client relies on. */
  subjectConfig(subject: string, defaultToGlobal: boolean): { compatibilityLevel: Compatibility } {
    const own = this.state.subjectCompatibility.get(subject);
    if (own) return { compatibilityLevel: own };
    if (defaultToGlobal) return this.globalConfig();
    throw new RegistryError(404, 40408, `Subject '${subject}' does not have subject-level compatibility configured`);
  }

  setConfig(subject: string | undefined, body: unknown): { compatibility: Compatibility } {
    const level = body !== null && typeof body === 'object' ? (body as Record<string, unknown>).compatibility : undefined;
    if (!isCompatibility(level)) {
      throw new RegistryError(422, 42203, `Invalid compatibility level ${JSON.stringify(level)}; expected one of NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE`);
    }
    this.commit((draft) => {
      if (subject === undefined) draft.globalCompatibility = level;
      else draft.subjectCompatibility.set(subject, level);
    });
    return { compatibility: level };
  }
}
