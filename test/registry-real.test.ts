import { randomBytes } from 'node:crypto';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { loadConfig, topicsOf } from '../src/config.ts';
import { connectSerde } from '../src/schemas/serde.ts';
import { loadSchema } from '../src/schemas/avro-files.ts';
import { TOP_LEVEL } from '../src/schemas/generate-types.ts';
import { releasedVersions } from '../src/schemas/released.ts';
import { type Field, userV1, userWithAgeDefault, userWithAgeRequired, userNameAsInt, avro, CONTENT_TYPE } from './fixtures/registry-schemas.ts';

/**
 * The run's schema registry (Apicurio Registry through its Confluent-compatible API, see
 * test/support/global-setup.ts) with the real @kafkajs/confluent-schema-registry client:
 * registration, lookup by id, encode/decode in the Confluent wire format, and the BACKWARD checks
 * our schema evolution relies on. Each test works on subjects of its own.
 */
const url = process.env.TEST_REGISTRY_URL;
const unique = () => randomBytes(4).toString('hex');


async function call(method: string, path: string, body?: object) {
  const response = await fetch(`${url}${path}`, { method, headers: { 'Content-Type': CONTENT_TYPE }, body: body && JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as any };
}
const compatibility = (subject: string, schema: object) => call('POST', `/compatibility/subjects/${subject}/versions/latest`, { schema: JSON.stringify(schema) });

let client: SchemaRegistry;

beforeAll(() => {
  // Only the go-mokapi fallback (no JDK/Maven) runs without a real registry; CI forces Apache Kafka and Apicurio.
  if (!url) throw new Error('no real registry in this run (TEST_REGISTRY_URL unset): the run is on the go-mokapi fallback');
  client = new SchemaRegistry({ host: url });
});

test('the registry is Apicurio through its Confluent-compatible API, globally BACKWARD', async () => {
  expect(url).toMatch(/\/apis\/ccompat\/v7$/);
  expect(await call('GET', '/config')).toEqual({ status: 200, body: expect.objectContaining({ compatibilityLevel: 'BACKWARD' }) });
});

test('a registered schema is found by subject, version and id, and encodes and decodes in the wire format', async () => {
  const subject = `users-${unique()}-value`;
  const { id } = await client.register(avro(userV1), { subject });
  expect(id).toBeGreaterThan(0);
  expect(await client.getLatestSchemaId(subject)).toBe(id);
  expect(await client.getRegistryId(subject, 1)).toBe(id);
  expect(await client.getRegistryIdBySchema(subject, avro(userV1))).toBe(id);

  const encoded = await client.encode(id, { name: 'Ada' });
  expect(encoded[0]).toBe(0);
  expect(encoded.readInt32BE(1)).toBe(id);
  // A fresh client has nothing cached: the writer schema comes from GET /schemas/ids/:id.
  const consumer = new SchemaRegistry({ host: url! });
  expect(await consumer.decode(encoded)).toEqual({ name: 'Ada' });
  expect((await consumer.getSchema(id) as { name?: string }).name).toBe('test.registry.User');
});

test('registering the identical schema again returns the same id and adds no version', async () => {
  const subject = `users-${unique()}-value`;
  const { id } = await client.register(avro(userV1), { subject });
  expect((await client.register(avro(userV1), { subject })).id).toBe(id);
  expect(await call('GET', `/subjects/${subject}/versions`)).toEqual({ status: 200, body: [1] });
});

test('BACKWARD: a compatible evolution becomes version 2 and old data reads with it; incompatible ones are refused with 409', async () => {
  const subject = `users-${unique()}-value`;
  const v1 = await client.register(avro(userV1), { subject });
  const oldMessage = await client.encode(v1.id, { name: 'Ada' });

  for (const schema of [userWithAgeRequired, userNameAsInt]) {
    expect((await compatibility(subject, schema)).body).toMatchObject({ is_compatible: false });
    await expect(client.register(avro(schema), { subject })).rejects.toMatchObject({ status: 409 });
  }
  expect(await client.getLatestSchemaId(subject)).toBe(v1.id);

  expect((await compatibility(subject, userWithAgeDefault)).body).toMatchObject({ is_compatible: true });
  const v2 = await client.register(avro(userWithAgeDefault), { subject });
  expect(v2.id).not.toBe(v1.id);
  expect(await client.getRegistryId(subject, 2)).toBe(v2.id);
  const consumer = new SchemaRegistry({ host: url! });
  expect(await consumer.decode(oldMessage, { [SchemaType.AVRO]: { readerSchema: userWithAgeDefault } })).toEqual({ name: 'Ada', age: 0 });
});

test('an unknown schema id is a 404 from the client, and the registry keeps serving', async () => {
  await expect(client.getSchema(987_654)).rejects.toMatchObject({ status: 404 });
  await expect(client.decode(Buffer.from([0, 0, 0x0f, 0x12, 0x06, 0x02, 0x41]))).rejects.toMatchObject({ status: 404 });
  await expect(client.getLatestSchemaId(`nobody-${unique()}-value`)).rejects.toMatchObject({ status: 404 });
  expect((await call('GET', '/config')).status).toBe(200);
});

test.each(TOP_LEVEL)('%s: every released version, then the current one, registers under BACKWARD', async (name) => {
  const subject = `${name}-${unique()}-value`;
  for (const { schema } of releasedVersions(name)) await client.register(avro(schema as object), { subject });
  const current = await client.register(avro(loadSchema(name) as object), { subject });
  expect(await client.getLatestSchemaId(subject)).toBe(current.id);
  // A required field added to the current schema breaks BACKWARD and is refused.
  const broken = structuredClone(loadSchema(name)) as { fields: Field[] };
  broken.fields.push({ name: 'addedWithoutDefault', type: 'string' });
  await expect(client.register(avro(broken), { subject })).rejects.toMatchObject({ status: 409 });
});

test('the service serde registers every topic schema and round-trips a command through the registry', async () => {
  const prefix = `r${unique()}`;
  const topics = topicsOf(loadConfig({ TOPIC_COMMANDS: `${prefix}.commands`, TOPIC_EVENTS: `${prefix}.events`, TOPIC_NOTIFICATIONS: `${prefix}.notifications` }));
  const serde = await connectSerde(url!, topics);
  const command = {
    commandId: '00000000-0000-4000-8000-000000000001', applicationId: '00000000-0000-4000-8000-000000000002', issuedAt: 1_700_000_000_000,
    payload: { 'platform.backoffice.WithdrawApplication': { applicantId: 'owner-1' } },
  };
  const bytes = serde.encode(topics.commands, command);
  expect(await serde.decodeCommand(bytes)).toMatchObject({ ok: true, value: { commandId: command.commandId, applicationId: command.applicationId } });
  expect(await client.getLatestSchemaId(`${topics.commands}-value`)).toBe(bytes.readInt32BE(1));
});
