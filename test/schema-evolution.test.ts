import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { loadConfig, topicsOf } from '../src/config.ts';
import { startRegistry, type RunningRegistry } from '../dev/registry/server.ts';
import { AVRO_DIR, loadSchema, readAvroFiles, type AvroSchema } from '../src/schemas/avro-files.ts';
import { TOP_LEVEL, type TopLevelSchema } from '../src/schemas/generate-types.ts';
import { avroType, backwardIncompatibility, RELEASED_DIR, releasedVersions } from '../src/schemas/released.ts';

/**
 * Schema evolution: each top-level .avsc must stay BACKWARD compatible with every version we
 * released (avro/released/<Name>/v<N>.avsc), so a consumer on the new schema reads everything
 * already on the topics; and the registry must refuse a registration that breaks that rule.
 */

type RecordSchema = { type: 'record'; name: string; fields: { name: string; type: unknown; default?: unknown }[]; [key: string]: unknown };
const record = (schema: AvroSchema) => structuredClone(schema) as RecordSchema;

/** Two ways to break BACKWARD: a new field without a default, and a field whose type changes. */
function breakingChanges(name: TopLevelSchema): { why: string; schema: RecordSchema }[] {
  const added = record(loadSchema(name));
  added.fields.push({ name: 'addedWithoutDefault', type: 'string' });
  const retyped = record(loadSchema(name));
  const stringField = retyped.fields.find((field) => field.type === 'string' || (field.type as { type?: string }).type === 'string');
  if (!stringField) throw new Error(`${name} has no string field to retype`);
  stringField.type = 'boolean';
  return [{ why: 'a required field added', schema: added }, { why: `field ${stringField.name} retyped`, schema: retyped }];
}

const subjects = (() => {
  const topics = topicsOf(loadConfig({}));
  return { ApplicationCommand: topics.commands, ApplicationEvent: topics.events, ListingEvent: topics.listings.RESTAURANT, NotificationRequested: topics.notifications };
})();

describe('released versions', () => {
  test.each(TOP_LEVEL)('%s has released versions v1..vN, each self-contained and of that record', (name) => {
    const released = releasedVersions(name);
    expect(released.length).toBeGreaterThanOrEqual(1);
    expect(released.map((r) => r.version)).toEqual(released.map((_, index) => index + 1));
    expect(readdirSync(join(RELEASED_DIR, name)).sort()).toEqual(released.map((r) => `v${r.version}.avsc`).sort());
    for (const { schema } of released) {
      // Parses on its own: no reference to a type defined in another file.
      expect(avroType(schema).name).toBe(`platform.backoffice.${name}`);
    }
  });

  test.each(TOP_LEVEL)('the current %s is BACKWARD compatible with every released version', (name) => {
    const current = loadSchema(name);
    for (const { version, schema } of releasedVersions(name)) {
      expect({ version, incompatibility: backwardIncompatibility(current, schema) }).toEqual({ version, incompatibility: null });
    }
  });

  /**
   * Known defect of avsc 5.7.9 (the latest stable): when a reader union is resolved against a
   * writer type, a branch that fails to resolve leaves its half-built resolver in the registry;
   * the next union that meets the same writer type (InfoChangeDetails in AmendApplication, after
   * SubmitApplication) picks that stale resolver, and decoding throws "typeResolver._read is not a
   * function". createResolver itself succeeds, so the compatibility check above is unaffected, but
   * data decoded through a resolver is: src/schemas/serde.ts decodes every command that way, so an
   * AmendApplication carrying InfoChangeDetails is dead-lettered as MALFORMED_AVRO. When avsc is
   * fixed (or patched) this test starts to fail: then drop `.failing` and keep it as a regression test.
   */
  test.failing('avsc defect: data with a second reference to a union branch type decodes through a resolver', () => {
    const schema = loadSchema('ApplicationCommand');
    const writer = avroType(schema);
    const reader = avroType(schema);
    const amend = {
      commandId: '00000000-0000-4000-8000-000000000001', applicationId: '00000000-0000-4000-8000-000000000002', issuedAt: 0,
      payload: { 'platform.backoffice.AmendApplication': { applicantId: 'o', details: { 'platform.backoffice.InfoChangeDetails': { contact: null, address: null, businessHours: null } } } },
    };
    expect(reader.fromBuffer(writer.toBuffer(amend), reader.createResolver(writer))).toEqual(amend);
  });

  test.each(TOP_LEVEL)('the check fails for a breaking change of %s', (name) => {
    const [released] = releasedVersions(name);
    for (const { why, schema } of breakingChanges(name)) {
      expect({ why, incompatibility: backwardIncompatibility(schema, released!.schema) }).toEqual({ why, incompatibility: expect.any(String) });
    }
  });
});

describe('readAvroFiles', () => {
  test('reads only the top of avro/, never avro/released', () => {
    const top = readdirSync(AVRO_DIR).filter((file) => file.endsWith('.avsc')).map((file) => file.replace(/\.avsc$/, '')).sort();
    expect([...readAvroFiles().keys()].sort()).toEqual(top);
    expect(readdirSync(AVRO_DIR)).toContain('released');
  });

  test('a conflicting definition under released/ changes nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'avro-files-'));
    try {
      writeFileSync(join(dir, 'Thing.avsc'), JSON.stringify({ type: 'record', name: 'Thing', namespace: 't', fields: [{ name: 'a', type: 'string' }] }));
      mkdirSync(join(dir, 'released', 'Thing'), { recursive: true });
      writeFileSync(join(dir, 'released', 'Thing', 'v1.avsc'), JSON.stringify({ type: 'record', name: 'Thing', namespace: 't', fields: [{ name: 'b', type: 'int' }] }));
      writeFileSync(join(dir, 'released', 'Other.avsc'), JSON.stringify({ type: 'record', name: 'Other', namespace: 't', fields: [] }));
      expect([...readAvroFiles(dir).keys()]).toEqual(['Thing']);
      expect(loadSchema('Thing', dir)).toMatchObject({ fields: [{ name: 'a', type: 'string' }] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the development registry with the real client', () => {
  let dir: string;
  let registry: RunningRegistry;
  let client: SchemaRegistry;
  const avro = (schema: unknown) => ({ type: SchemaType.AVRO as const, schema: JSON.stringify(schema) });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'schema-evolution-'));
    registry = await startRegistry({ port: 0, file: join(dir, 'registry.json') });
    client = new SchemaRegistry({ host: registry.url });
  });
  afterAll(async () => {
    await registry?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test.each(TOP_LEVEL)('%s: released versions then the current one register under BACKWARD; a breaking change is refused', async (name) => {
    const subject = `${subjects[name]}-value`;
    let latest = 0;
    for (const { schema } of releasedVersions(name)) latest = (await client.register(avro(schema), { subject })).id;
    const current = await client.register(avro(loadSchema(name)), { subject });
    expect(await client.getLatestSchemaId(subject)).toBe(current.id);
    expect(latest).toBeGreaterThan(0);
    const config = await fetch(`${registry.url}/config/${subject}?defaultToGlobal=true`).then((r) => r.json());
    expect(config).toEqual({ compatibilityLevel: 'BACKWARD' });

    for (const { why, schema } of breakingChanges(name)) {
      await expect(client.register(avro(schema), { subject })).rejects.toMatchObject({ status: 409, message: expect.stringContaining('incompatible') });
      expect({ why, latest: await client.getLatestSchemaId(subject) }).toEqual({ why, latest: current.id });
    }
  });
});
