import avro from 'avsc';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import type { Topics } from '../config.ts';
import { loadSchema, type AvroSchema } from './avro-files.ts';
import type { TopLevelSchema } from './generate-types.ts';
import type * as Avro from './avro-types.ts';

/** Why bytes on the command topic could not become a command; the DLQ header carries it. */
export type DecodeFailure = { ok: false; code: 'EMPTY_VALUE' | 'BAD_MAGIC_BYTE' | 'UNKNOWN_SCHEMA' | 'INCOMPATIBLE_SCHEMA' | 'MALFORMED_AVRO' | 'REGISTRY_UNAVAILABLE'; message: string };
export type Decoded<T> = { ok: true; value: T } | DecodeFailure;

export interface Serde {
  decodeCommand(bytes: Buffer | null): Promise<Decoded<Avro.ApplicationCommand>>;
  encode(topic: string, value: object): Buffer;
  /** Decoding of anything we publish, for tools and tests. */
  decodeAny(bytes: Buffer): Promise<unknown>;
  registry: SchemaRegistry;
}

interface Registered { id: number; type: avro.Type }

function subjectSchemas(topics: Topics): [string, TopLevelSchema][] {
  return [
    [topics.commands, 'ApplicationCommand'],
    [topics.events, 'ApplicationEvent'],
    ...Object.values(topics.listings).map((topic): [string, TopLevelSchema] => [topic, 'ListingEvent']),
    [topics.notifications, 'NotificationRequested'],
  ];
}

const header = (id: number) => {
  const prefix = Buffer.alloc(5);
  prefix.writeInt32BE(id, 1);
  return prefix;
};

/**
 * Registers every schema under its topic-name subject (`<topic>-value`) and keeps the parsed
 * types. Commands are decoded into our reader schema through a resolver cached per writer id:
 * the client's own decode re-parses the reader schema on every call, too slow for the hot path.
 */
export async function connectSerde(registryUrl: string, topics: Topics): Promise<Serde> {
  const registry = new SchemaRegistry({ host: registryUrl, retry: { retries: 2 } });
  const byTopic = new Map<string, Registered>();
  const schemas = new Map<TopLevelSchema, AvroSchema>();
  for (const [topic, name] of subjectSchemas(topics)) {
    const schema = schemas.get(name) ?? loadSchema(name);
    schemas.set(name, schema);
    const { id } = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(schema) }, { subject: `${topic}-value` });
    byTopic.set(topic, { id, type: avro.Type.forSchema(schema as avro.Schema) });
  }
  const commandReader = byTopic.get(topics.commands)!.type;
  // The promise is cached, not its result: a batch decodes its records concurrently, and caching
  // only the result let every record of the first batches ask the registry and compare or
  // resolve the schema itself. A failed lookup is forgotten, so the registry is asked again.
  const resolvers = new Map<number, Promise<avro.Resolver | 'incompatible' | 'same'>>();

  function writerResolver(id: number): Promise<avro.Resolver | 'incompatible' | 'same'> {
    const known = resolvers.get(id);
    if (known) return known;
    const created = (async (): Promise<avro.Resolver | 'incompatible' | 'same'> => {
      const writer = await registry.getSchema(id) as unknown as avro.Type;
      // Same schema: read directly. Besides being faster, this sidesteps an avsc 5.7 bug where a
      // union resolver caches a broken branch (an Amend with InfoChangeDetails failed to decode).
      if (writer.equals(commandReader)) return 'same';
      try {
        return commandReader.createResolver(writer);
      } catch {
        return 'incompatible';
      }
    })();
    resolvers.set(id, created);
    created.catch(() => resolvers.delete(id));
    return created;
  }

  return {
    registry,
    async decodeCommand(bytes) {
      if (!bytes || bytes.length === 0) return { ok: false, code: 'EMPTY_VALUE', message: 'the record has no value' };
      if (bytes.length < 5 || bytes[0] !== 0) return { ok: false, code: 'BAD_MAGIC_BYTE', message: `expected the Confluent wire format (magic byte 0 and a 4-byte schema id), got first byte ${bytes[0]}` };
      const id = bytes.readInt32BE(1);
      let resolver: avro.Resolver | 'incompatible' | 'same';
      try {
        resolver = await writerResolver(id);
      } catch (error) {
        const status = (error as { status?: number }).status;
        if (status === 404) return { ok: false, code: 'UNKNOWN_SCHEMA', message: `schema id ${id} is not in the registry` };
        return { ok: false, code: 'REGISTRY_UNAVAILABLE', message: `schema registry unavailable: ${(error as Error).message}` };
      }
      if (resolver === 'incompatible') return { ok: false, code: 'INCOMPATIBLE_SCHEMA', message: `schema id ${id} is not an ApplicationCommand schema this processor can read` };
      try {
        const body = bytes.subarray(5);
        return { ok: true, value: (resolver === 'same' ? commandReader.fromBuffer(body) : commandReader.fromBuffer(body, resolver)) as Avro.ApplicationCommand };
      } catch (error) {
        return { ok: false, code: 'MALFORMED_AVRO', message: `Avro body does not decode: ${(error as Error).message}` };
      }
    },
    encode(topic, value) {
      const registered = byTopic.get(topic);
      if (!registered) throw new Error(`no schema registered for topic ${topic}`);
      return Buffer.concat([header(registered.id), registered.type.toBuffer(value)]);
    },
    decodeAny: (bytes) => registry.decode(bytes),
  };
}
