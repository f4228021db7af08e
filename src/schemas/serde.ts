import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import avro from 'avsc';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import type { Config, Topics } from '../config.ts';
import { loadSchema, type AvroSchema } from './avro-files.ts';
import { createResolver, UnreadableBranchError } from './resolver.ts';
import { wireFormatWriter } from './wire-format.ts';
import type { TopLevelSchema } from './generate-types.ts';
import type * as Avro from './avro-types.ts';
import type { UNDECODABLE_CODES } from '../domain/values.ts';

/** Why bytes on the command topic could not become a command; the DLQ header carries it. */
export type DecodeFailure = { ok: false; code: (typeof UNDECODABLE_CODES)[number] | 'REGISTRY_UNAVAILABLE'; message: string };
export type Decoded<T> = { ok: true; value: T } | DecodeFailure;

export interface Serde {
  decodeCommand(bytes: Buffer | null): Promise<Decoded<Avro.ApplicationCommand>>;
  encode(topic: string, value: object): Buffer;
  /** Decoding of anything we publish, for tools and tests. */
  decodeAny(bytes: Buffer): Promise<unknown>;
  registry: SchemaRegistry;
}

interface Registered { type: avro.Type; write(value: unknown): Buffer }

function subjectSchemas(topics: Topics): [string, TopLevelSchema][] {
  return [
    [topics.commands, 'ApplicationCommand'],
    [topics.events, 'ApplicationEvent'],
    ...Object.values(topics.listings).map((topic): [string, TopLevelSchema] => [topic, 'ListingEvent']),
    [topics.notifications, 'NotificationRequested'],
  ];
}

type Resolution = avro.Resolver | 'incompatible' | 'same';

/**
 * Decodes Confluent wire-format bytes into one reader schema, whatever registered writer schema
 * they were written with: the processor's commands, and what a consumer holding an older schema
 * of a topic reads. The client's own decode re-parses the reader schema on every call, too slow
 * for the hot path, so the resolution of each writer schema id is made once (resolver.ts says
 * how it differs from avsc's own: no stale resolvers, and a union branch the reader lacks fails
 * only the data written with it).
 */
export function readerDecoder<T>(registry: SchemaRegistry, reader: avro.Type): (bytes: Buffer | null) => Promise<Decoded<T>> {
  // The promise is cached, not its result: a batch decodes its records concurrently, and caching
  // only the result let every record of the first batches ask the registry and compare or
  // resolve the schema itself. A failed lookup is forgotten, so the registry is asked again.
  const resolutions = new Map<number, Promise<Resolution>>();

  function resolution(id: number): Promise<Resolution> {
    const known = resolutions.get(id);
    if (known) return known;
    const created = (async (): Promise<Resolution> => {
      const writer = await registry.getSchema(id) as unknown as avro.Type;
      // The same schema reads directly, faster than through a resolver.
      if (writer.equals(reader)) return 'same';
      try {
        return createResolver(reader, writer, { perDatum: true });
      } catch {
        return 'incompatible';
      }
    })();
    resolutions.set(id, created);
    created.catch(() => resolutions.delete(id));
    return created;
  }

  return async (bytes) => {
    if (!bytes || bytes.length === 0) return { ok: false, code: 'EMPTY_VALUE', message: 'the record has no value' };
    if (bytes.length < 5 || bytes[0] !== 0) return { ok: false, code: 'BAD_MAGIC_BYTE', message: `expected the Confluent wire format (magic byte 0 and a 4-byte schema id), got first byte ${bytes[0]}` };
    const id = bytes.readInt32BE(1);
    let resolver: Resolution;
    try {
      resolver = await resolution(id);
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (status === 404) return { ok: false, code: 'UNKNOWN_SCHEMA', message: `schema id ${id} is not in the registry` };
      return { ok: false, code: 'REGISTRY_UNAVAILABLE', message: `schema registry unavailable: ${(error as Error).message}` };
    }
    if (resolver === 'incompatible') return { ok: false, code: 'INCOMPATIBLE_SCHEMA', message: `schema id ${id} is not a ${reader.name} schema this reader can read` };
    try {
      const body = bytes.subarray(5);
      return { ok: true, value: (resolver === 'same' ? reader.fromBuffer(body) : reader.fromBuffer(body, resolver)) as T };
    } catch (error) {
      if (error instanceof UnreadableBranchError) return { ok: false, code: 'INCOMPATIBLE_SCHEMA', message: `schema id ${id}: the value was ${error.message}` };
      return { ok: false, code: 'MALFORMED_AVRO', message: `Avro body does not decode: ${(error as Error).message}` };
    }
  };
}

/** Basic auth and the CA that signed the registry's certificate, as configured; neither by default. */
export interface RegistryAccess { auth?: { username: string; password: string }; caFile?: string }

export const registryAccess = (config: Config): RegistryAccess => ({
  auth: config.SCHEMA_REGISTRY_USERNAME === undefined ? undefined : { username: config.SCHEMA_REGISTRY_USERNAME, password: config.SCHEMA_REGISTRY_PASSWORD! },
  caFile: config.SCHEMA_REGISTRY_CA_FILE,
});

/** An agent that trusts the configured CA; undefined: Node's defaults. */
export const registryAgent = (access: RegistryAccess): Agent | undefined =>
  access.caFile === undefined ? undefined : new Agent({ ca: readFileSync(access.caFile, 'utf8'), keepAlive: true });

/**
 * How long one registry request may take. The client sets no timeout of its own: a registry that
 * accepts connections and never answers (hung, stopped, behind a dead proxy) held the decode of a
 * batch for ever, with nothing failing, so readiness stayed true and nothing said why the line had
 * stopped. A request that times out fails like an unreachable registry (REGISTRY_UNAVAILABLE: the
 * batch waits and is retried, never dead-lettered).
 */
export const REGISTRY_TIMEOUT_MS = 5000;

type RegistryMiddleware = NonNullable<ConstructorParameters<typeof SchemaRegistry>[0]['middlewares']>[number];

/** What mappersmith's own TimeoutMiddleware does, typed against the registry client's copy of it. */
const requestTimeout = (ms: number): RegistryMiddleware => () => ({
  async prepareRequest(next) {
    const request = await next();
    return request.timeout() ? request : request.enhance({ timeout: ms });
  },
});

/** Registers every schema under its topic-name subject (`<topic>-value`) and keeps the parsed types. */
export async function connectSerde(registryUrl: string, topics: Topics, access: RegistryAccess = {}): Promise<Serde> {
  const agent = registryAgent(access);
  const registry = new SchemaRegistry({ host: registryUrl, auth: access.auth, agent, retry: { retries: 2 }, middlewares: [requestTimeout(REGISTRY_TIMEOUT_MS)] });
  const byTopic = new Map<string, Registered>();
  const schemas = new Map<TopLevelSchema, AvroSchema>();
  for (const [topic, name] of subjectSchemas(topics)) {
    const schema = schemas.get(name) ?? loadSchema(name);
    schemas.set(name, schema);
    const { id } = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(schema) }, { subject: `${topic}-value` });
    const type = avro.Type.forSchema(schema as avro.Schema);
    byTopic.set(topic, { type, write: wireFormatWriter(id, type) });
  }
  const decodeCommand = readerDecoder<Avro.ApplicationCommand>(registry, byTopic.get(topics.commands)!.type);

  return {
    registry,
    decodeCommand,
    encode(topic, value) {
      const registered = byTopic.get(topic);
      if (!registered) throw new Error(`no schema registered for topic ${topic}`);
      return registered.write(value);
    },
    decodeAny: (bytes) => registry.decode(bytes),
  };
}
