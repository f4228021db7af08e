import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { startRegistry } from '../dev/registry/server.ts';
import type { RunningRegistry } from '../dev/registry/server.ts';
import { record, userV1, userWithAgeDefault, userWithAgeRequired, userNameAsInt, avro, CONTENT_TYPE } from './fixtures/registry-schemas.ts';

/**
 * The registry only matters insofar as the real client works against it, so everything the
 * client can do goes through the client; fetch is used only for endpoints it does not wrap.
 */





let dir: string;
const running: RunningRegistry[] = [];

async function start(file = join(dir, 'registry.json')): Promise<{ registry: RunningRegistry; client: SchemaRegistry }> {
  const registry = await startRegistry({ port: 0, file });
  running.push(registry);
  return { registry, client: new SchemaRegistry({ host: registry.url }) };
}

async function call(registry: RunningRegistry, method: string, path: string, body?: string) {
  const response = await fetch(`${registry.url}${path}`, { method, headers: { 'Content-Type': CONTENT_TYPE }, body });
  return { status: response.status, contentType: response.headers.get('content-type'), body: (await response.json()) as unknown };
}

const compatibility = (registry: RunningRegistry, subject: string, version: string, schema: object) =>
  call(registry, 'POST', `/compatibility/subjects/${subject}/versions/${version}`, JSON.stringify({ schema: JSON.stringify(schema) }));

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'registry-test-'));
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((registry) => registry.close()));
  rmSync(dir, { recursive: true, force: true });
});

test('a registered schema encodes and decodes in the Confluent wire format', async () => {
  const { registry, client } = await start();
  const { id } = await client.register(avro(userV1), { subject: 'users-value' });

  expect(id).toBeGreaterThan(0);
  expect(await client.getLatestSchemaId('users-value')).toBe(id);
  expect(await client.getRegistryId('users-value', 1)).toBe(id);

  const encoded = await client.encode(id, { name: 'Ada' });
  expect(encoded[0]).toBe(0);
  expect(encoded.readInt32BE(1)).toBe(id);

  // A fresh client has nothing cached, so the writer schema comes from GET /schemas/ids/:id.
  const consumer = new SchemaRegistry({ host: registry.url });
  expect(await consumer.decode(encoded)).toEqual({ name: 'Ada' });
  const schema = await consumer.getSchema(id);
  expect((schema as { name?: string }).name).toBe('test.registry.User');
});

test('registering an identical schema again returns the same id and adds no version', async () => {
  const { client } = await start();
  const { id } = await client.register(avro(userV1), { subject: 'users-value' });
  // Same schema, other whitespace and key order: still the same schema.
  const reordered = { fields: [{ type: 'string', name: 'name' }], namespace: 'test.registry', name: 'User', type: 'record' };
  const again = await client.register({ type: SchemaType.AVRO, schema: JSON.stringify(reordered, null, 4) }, { subject: 'users-value' });

  expect(again.id).toBe(id);
  expect(await client.getRegistryIdBySchema('users-value', avro(reordered))).toBe(id);
  await expect(client.getRegistryId('users-value', 2)).rejects.toMatchObject({ status: 404 });
});

test('the same schema under two subjects shares one global id', async () => {
  const { client } = await start();
  const first = await client.register(avro(userV1), { subject: 'users-value' });
  const second = await client.register(avro(userV1), { subject: 'people-value' });

  expect(second.id).toBe(first.id);
  expect(await client.getRegistryIdBySchema('people-value', avro(userV1))).toBe(first.id);
  expect(await client.getRegistryId('people-value', 1)).toBe(first.id);
});

test('a backward-compatible evolution becomes version 2 and old data reads with the new schema', async () => {
  const { registry, client } = await start();
  const v1 = await client.register(avro(userV1), { subject: 'users-value' });
  const oldMessage = await client.encode(v1.id, { name: 'Ada' });

  const v2 = await client.register(avro(userWithAgeDefault), { subject: 'users-value' });

  expect(v2.id).not.toBe(v1.id);
  expect(await client.getRegistryId('users-value', 2)).toBe(v2.id);
  expect(await client.getLatestSchemaId('users-value')).toBe(v2.id);
  expect((await compatibility(registry, 'users-value', 'latest', userWithAgeDefault)).body).toMatchObject({ is_compatible: true });

  const consumer = new SchemaRegistry({ host: registry.url });
  const decoded = await consumer.decode(oldMessage, { [SchemaType.AVRO]: { readerSchema: userWithAgeDefault } });
  expect(decoded).toEqual({ name: 'Ada', age: 0 });
});

test('an incompatible evolution is refused and the compatibility endpoint says so', async () => {
  const { registry, client } = await start();
  const v1 = await client.register(avro(userV1), { subject: 'users-value' });

  await expect(client.register(avro(userWithAgeRequired), { subject: 'users-value' })).rejects.toMatchObject({
    status: 409,
    message: expect.stringContaining('incompatible'),
  });
  await expect(client.register(avro(userNameAsInt), { subject: 'users-value' })).rejects.toMatchObject({ status: 409 });

  expect(await client.getLatestSchemaId('users-value')).toBe(v1.id);
  await expect(client.getRegistryId('users-value', 2)).rejects.toMatchObject({ status: 404 });
  for (const schema of [userWithAgeRequired, userNameAsInt]) {
    const answer = await compatibility(registry, 'users-value', 'latest', schema);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ is_compatible: false });
    expect((await compatibility(registry, 'users-value', '1', schema)).body).toMatchObject({ is_compatible: false });
  }
});

test('compatibility levels: FORWARD, NONE and transitive checks follow the subject config', async () => {
  const { registry, client } = await start();
  await client.register(avro(userV1), { subject: 'forward-value', compatibility: COMPATIBILITY.FORWARD });
  expect((await call(registry, 'GET', '/config/forward-value')).body).toEqual({ compatibilityLevel: 'FORWARD' });
  // Old readers ignore a new field, so a required addition is forward- but not backward-compatible.
  expect((await compatibility(registry, 'forward-value', 'latest', userWithAgeRequired)).body).toMatchObject({ is_compatible: true });
  await client.register(avro(userWithAgeRequired), { subject: 'forward-value', compatibility: COMPATIBILITY.FORWARD });
  expect(await client.getRegistryId('forward-value', 2)).toBeGreaterThan(0);

  await client.register(avro(userV1), { subject: 'free-value' });
  const put = await call(registry, 'PUT', '/config/free-value', JSON.stringify({ compatibility: 'NONE' }));
  expect(put.body).toEqual({ compatibility: 'NONE' });
  const changed = await client.register(avro(userNameAsInt), { subject: 'free-value', compatibility: COMPATIBILITY.NONE });
  expect(await client.getLatestSchemaId('free-value')).toBe(changed.id);

  // v3 reads v2 data (name comes from its default) but not v1 data, whose name is an int.
  const v1 = record([{ name: 'name', type: 'int' }]);
  const v2 = record([]);
  const v3 = record([{ name: 'name', type: 'string', default: '' }]);
  for (const level of [COMPATIBILITY.BACKWARD, COMPATIBILITY.BACKWARD_TRANSITIVE]) {
    const subject = `history-${level}`;
    await client.register(avro(v1), { subject, compatibility: level });
    await client.register(avro(v2), { subject, compatibility: level });
    const answer = (await compatibility(registry, subject, 'latest', v3)).body;
    expect(answer).toMatchObject({ is_compatible: level === COMPATIBILITY.BACKWARD });
  }
});

test('an unknown schema id or subject is an error from the client', async () => {
  const { client } = await start();
  await client.register(avro(userV1), { subject: 'users-value' });

  await expect(client.getSchema(4242)).rejects.toMatchObject({ status: 404, message: expect.stringContaining('4242') });
  const unknownIdMessage = Buffer.from([0, 0, 0, 0x10, 0x92, 0x02, 0x41]);
  await expect(client.decode(unknownIdMessage)).rejects.toMatchObject({ status: 404 });
  await expect(client.getLatestSchemaId('nobody-value')).rejects.toMatchObject({ status: 404 });
  await expect(client.getRegistryIdBySchema('nobody-value', avro(userV1))).rejects.toThrow(/not found/);
  await expect(client.getRegistryIdBySchema('users-value', avro(userWithAgeDefault))).rejects.toThrow(/not found/);
});

test('a restart on the same file keeps ids, subjects, versions and config', async () => {
  const file = join(dir, 'nested', 'registry.json');
  const before = await start(file);
  const v1 = await before.client.register(avro(userV1), { subject: 'users-value' });
  const v2 = await before.client.register(avro(userWithAgeDefault), { subject: 'users-value' });
  const shared = await before.client.register(avro(userV1), { subject: 'people-value' });
  const message = await before.client.encode(v2.id, { name: 'Ada', age: 36 });
  await before.registry.close();

  const after = await start(file);
  expect(await after.client.getLatestSchemaId('users-value')).toBe(v2.id);
  expect(await after.client.getRegistryId('users-value', 1)).toBe(v1.id);
  expect(await after.client.getRegistryIdBySchema('people-value', avro(userV1))).toBe(shared.id);
  expect(await after.client.decode(message)).toEqual({ name: 'Ada', age: 36 });
  expect((await after.client.register(avro(userWithAgeDefault), { subject: 'users-value' })).id).toBe(v2.id);
  expect((await call(after.registry, 'GET', '/subjects')).body).toEqual(['people-value', 'users-value']);
  expect((await call(after.registry, 'GET', '/config/users-value')).body).toEqual({ compatibilityLevel: 'BACKWARD' });
  // A new schema after the restart gets a fresh id rather than one handed out before it.
  const other = record([{ name: 'email', type: 'string' }]);
  const { id } = await after.client.register(avro({ ...other, name: 'Contact' }), { subject: 'contacts-value' });
  expect(id).toBeGreaterThan(Math.max(v1.id, v2.id));
});

test('bad requests get 4xx JSON errors and leave the registry working', async () => {
  const { registry, client } = await start();

  const malformed = await call(registry, 'POST', '/subjects/users-value/versions', '{"schema": ');
  expect(malformed.status).toBe(400);
  expect(malformed.contentType).toContain(CONTENT_TYPE);
  expect(malformed.body).toMatchObject({ error_code: 400, message: expect.any(String) });

  const missing = await call(registry, 'POST', '/subjects/users-value/versions', '{}');
  expect(missing).toMatchObject({ status: 422, body: { error_code: 42201 } });

  const invalidAvro = JSON.stringify({ schema: JSON.stringify({ type: 'record', name: 'X', fields: [{ name: 'a', type: 'nope' }] }) });
  expect(await call(registry, 'POST', '/subjects/users-value/versions', invalidAvro)).toMatchObject({ status: 422, body: { error_code: 42201 } });

  const protobuf = JSON.stringify({ schemaType: 'PROTOBUF', schema: 'syntax = "proto3";' });
  const refused = await call(registry, 'POST', '/subjects/users-value/versions', protobuf);
  expect(refused).toMatchObject({ status: 422, body: { error_code: 42201, message: expect.stringContaining('AVRO') } });

  expect(await call(registry, 'PUT', '/config/users-value', '{"compatibility":"SOMETIMES"}')).toMatchObject({ status: 422, body: { error_code: 42203 } });
  expect(await call(registry, 'GET', '/subjects/users-value/versions/abc')).toMatchObject({ status: 404, body: { error_code: 40401 } });
  expect(await call(registry, 'GET', '/schemas/ids/abc')).toMatchObject({ status: 404, body: { error_code: 40403 } });

  const { id } = await client.register(avro(userV1), { subject: 'users-value' });
  expect(await call(registry, 'GET', '/subjects/users-value/versions/abc')).toMatchObject({ status: 422, body: { error_code: 42202 } });
  expect(await call(registry, 'GET', '/subjects/users-value/versions/9')).toMatchObject({ status: 404, body: { error_code: 40402 } });
  expect(await call(registry, 'GET', '/subjects/users-value/versions')).toMatchObject({ status: 200, body: [1] });
  expect(await call(registry, 'GET', '/config')).toMatchObject({ status: 200, body: { compatibilityLevel: 'BACKWARD' } });
  expect(await client.getLatestSchemaId('users-value')).toBe(id);
});
