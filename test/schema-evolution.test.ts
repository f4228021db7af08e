import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import avsc from 'avsc';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { loadConfig, topicsOf } from '../src/config.ts';
import { startRegistry, type RunningRegistry } from '../dev/registry/server.ts';
import { AVRO_DIR, loadSchema, readAvroFiles, type AvroSchema } from '../src/schemas/avro-files.ts';
import { TOP_LEVEL, type TopLevelSchema } from '../src/schemas/generate-types.ts';
import { avroType, backwardIncompatibility, RELEASED_DIR, releasedVersions } from '../src/schemas/released.ts';
import { createResolver, UnreadableBranchError } from '../src/schemas/resolver.ts';
import { readerDecoder } from '../src/schemas/serde.ts';
import { commandToWire, type UnverifiedCommand } from '../src/schemas/commands.ts';
import type { CommandInput } from '../src/client/command-sender.ts';
import type { ApplicationDetails } from '../src/domain/types.ts';
import type { ReadMessage } from '../src/client/event-reader.ts';
import { pipelineSuite } from './support/suite.ts';
import { approve, forCommand, payloadOf, reject, submitNew, withdraw } from './support/commands.ts';
import { address, contact, infoChangeContact, restaurantDetails } from './fixtures/details.ts';
import { CONTENT_TYPE } from './fixtures/registry-schemas.ts';
import { NO_SPECIFIC_CHANGE } from '../src/processors/decider/index.ts';

/**
 * Schema evolution: each top-level .avsc must stay BACKWARD compatible with every version we
 * released (avro/released/<Name>/v<N>.avsc), so a consumer on the new schema reads everything
 * already on the topics; and the registry must refuse a registration that breaks that rule.
 * Data written with another version of a schema is read through src/schemas/resolver.ts; the
 * last part runs a next version of the command and event schemas through the running pipeline.
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

const NS = 'platform.backoffice.';

/** The definition of the named type `name` in an expanded schema (inlined at its first use). */
function definitionOf(node: unknown, name: string): RecordSchema | undefined {
  if (Array.isArray(node)) return node.map((child) => definitionOf(child, name)).find(Boolean);
  if (typeof node !== 'object' || node === null) return undefined;
  const obj = node as RecordSchema;
  if (obj.name === name && obj.type === 'record') return obj;
  return definitionOf(obj.fields?.map((field) => field.type), name) ?? definitionOf([obj.type, obj.items, obj.values].filter((child) => typeof child === 'object'), name);
}

/**
 * The version after `base` of the command or event schema, as its producers would register it:
 * InfoChangeDetails (the record the avsc defect tripped over) gains an optional `website` with a
 * default, and the payload union gains a record branch, appended.
 */
function nextVersion(base: AvroSchema, branch: string): RecordSchema {
  const next = record(base);
  definitionOf(next, 'InfoChangeDetails')!.fields.push({ name: 'website', type: ['null', 'string'], default: null });
  (next.fields.find((field) => field.name === 'payload')!.type as unknown[]).push({
    type: 'record', name: branch, fields: [{ name: 'authorId', type: 'string' }, { name: 'text', type: 'string' }],
  });
  return next;
}

/** `value` with `website` set on every InfoChangeDetails in it: what a producer on the next version writes. */
function withWebsite<T>(value: T, website: string): T {
  return JSON.parse(JSON.stringify(value), (key, inner) => key === `${NS}InfoChangeDetails` ? { ...inner, website } : inner) as T;
}

/** An AmendApplication with InfoChangeDetails on the wire; the default changes nothing, so it writes alike with unions wrapped or not. */
const amendInfoChange = (applicationId: string, change: object = { contact: null, address: null, businessHours: null, ...NO_SPECIFIC_CHANGE }) => ({
  commandId: randomUUID(), applicationId, issuedAt: 0,
  payload: { [`${NS}AmendApplication`]: { applicantId: 'owner', details: { [`${NS}InfoChangeDetails`]: change } } },
});

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

  test.each(TOP_LEVEL)('the check fails for a breaking change of %s', (name) => {
    const [released] = releasedVersions(name);
    for (const { why, schema } of breakingChanges(name)) {
      expect({ why, incompatibility: backwardIncompatibility(schema, released!.schema) }).toEqual({ why, incompatibility: expect.any(String) });
    }
  });
});

describe('resolution of data written with another schema (src/schemas/resolver.ts)', () => {
  const current = loadSchema('ApplicationCommand');

  /**
   * The avsc 5.7.9 defect worked around in resolver.ts: resolving SubmitApplication's details
   * union [ListingDetails, InfoChangeDetails] left a half-built ListingDetails:InfoChangeDetails
   * resolver in avsc's cache, which AmendApplication's details union then took for a match, and
   * decoding threw "typeResolver._read is not a function". Both ways of parsing unions we use:
   * always wrapped (the registry's) and avsc's default (the serde's).
   */
  test.each([['wrapped', { wrapUnions: true }], ['default', {}]] as const)('an AmendApplication with InfoChangeDetails decodes through a resolver (unions %s)', (_, options) => {
    // Copies: avsc keeps its registry of names in the options object.
    const writer = avsc.Type.forSchema(current as avsc.Schema, { ...options });
    const reader = avsc.Type.forSchema(current as avsc.Schema, { ...options });
    const amend = amendInfoChange(randomUUID());
    expect(reader.fromBuffer(writer.toBuffer(amend), createResolver(reader, writer))).toEqual(amend);
  });

  test('a next version with a new optional field and a new union branch: what the reader knows decodes, the new branch fails only its own data', () => {
    const reader = avsc.Type.forSchema(current as avsc.Schema);
    const writer = avsc.Type.forSchema(nextVersion(current, 'CommentOnApplication') as avsc.Schema);
    // avsc, and the registry's compatibility rule, refuse the writer schema as a whole.
    expect(() => createResolver(reader, writer)).toThrow(/CommentOnApplication/);
    const resolver = createResolver(reader, writer, { perDatum: true });

    const amend = amendInfoChange(randomUUID(), { contact: contact(), address: null, businessHours: null, ...NO_SPECIFIC_CHANGE });
    expect(reader.fromBuffer(writer.toBuffer(withWebsite(amend, 'https://example.com')), resolver)).toEqual(amend);
    const submit = commandToWire({ type: 'SubmitApplication', commandId: randomUUID(), applicationId: randomUUID(), issuedAt: 1, applicantId: 'owner', kind: 'NEW_LISTING', listingId: null, contentType: 'RESTAURANT', details: restaurantDetails() });
    expect(reader.fromBuffer(writer.toBuffer(submit), resolver)).toEqual(submit);

    const comment = { ...amend, payload: { [`${NS}CommentOnApplication`]: { authorId: 'owner', text: 'hello' } } };
    const read = () => reader.fromBuffer(writer.toBuffer(comment), resolver);
    expect(read).toThrow(UnreadableBranchError);
    expect(read).toThrow(`written with union branch ${NS}CommentOnApplication`);
    // The resolver stays usable after a datum it could not read.
    expect(reader.fromBuffer(writer.toBuffer(withWebsite(amend, 'x')), resolver)).toEqual(amend);
  });

  test('a writer union of which no branch can be read is refused up front', () => {
    const reader = avsc.Type.forSchema({ type: 'record', name: 'R', fields: [{ name: 'v', type: ['null', 'string'] }] });
    const writer = avsc.Type.forSchema({ type: 'record', name: 'R', fields: [{ name: 'v', type: ['int', 'boolean'] }] });
    expect(() => createResolver(reader, writer, { perDatum: true })).toThrow(/cannot read/);
  });

  test('the compatibility check stays schema-level: a released union branch the current schema lacks is an incompatibility', () => {
    const [released] = releasedVersions('ApplicationCommand');
    const withoutReject = record(current);
    const payload = withoutReject.fields.find((field) => field.name === 'payload')!;
    payload.type = (payload.type as { name: string }[]).filter((branch) => branch.name !== 'RejectApplication');
    expect(backwardIncompatibility(withoutReject, released!.schema)).toEqual(expect.stringContaining('RejectApplication'));
  });

  test('a recursive schema still resolves, failed union branches and all', () => {
    // The workaround drops what a failed resolution cached; an entry cached for recursion must survive.
    const node = (extra: object[]) => ({ type: 'record', name: 'Node', fields: [{ name: 'label', type: 'string' }, ...extra, { name: 'next', type: ['null', { type: 'record', name: 'Leaf', fields: [{ name: 'end', type: 'boolean' }] }, 'Node'] }] });
    const reader = avsc.Type.forSchema(node([]) as avsc.Schema, { wrapUnions: true });
    const writer = avsc.Type.forSchema(node([{ name: 'weight', type: 'int' }]) as avsc.Schema, { wrapUnions: true });
    const chain = { label: 'a', weight: 1, next: { Node: { label: 'b', weight: 2, next: { Node: { label: 'c', weight: 3, next: { Leaf: { end: true } } } } } } };
    expect(reader.fromBuffer(writer.toBuffer(chain), createResolver(reader, writer))).toEqual(
      { label: 'a', next: { Node: { label: 'b', next: { Node: { label: 'c', next: { Leaf: { end: true } } } } } } });
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

/**
 * A next version of the command and event schemas, registered in the run's real registry while
 * the service runs with the current ones as its reader schemas: producers that moved to the next
 * version and producers that did not write side by side, and the processor applies both; a
 * consumer that holds ApplicationEvent v1 reads what the service publishes and what a service on
 * the next version would publish.
 */
describe('a next schema version through the running pipeline', () => {
  const suite = pipelineSuite('admin-evolution');
  const topics = () => suite.pipeline.topics;
  const OWNER = 'owner-evolution';

  /** The Confluent wire format: magic byte 0, the schema id (int32, big-endian), the Avro body. */
  const framed = (id: number, body: Buffer) => {
    const header = Buffer.alloc(5);
    header.writeInt32BE(id, 1);
    return Buffer.concat([header, body]);
  };

  async function isCompatible(subject: string, schema: object): Promise<boolean> {
    const response = await fetch(`${suite.stack.config.SCHEMA_REGISTRY_URL}/compatibility/subjects/${subject}/versions/latest`, {
      method: 'POST', headers: { 'Content-Type': CONTENT_TYPE }, body: JSON.stringify({ schema: JSON.stringify(schema) }),
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { is_compatible: boolean }).is_compatible;
  }

  /**
   * Registers `next` after what the service registered under the topic's subject. The run's
   * registry (Apicurio 3.3, global BACKWARD) allows both changes of nextVersion: the new optional
   * field and the new union branch, since the next version reads everything the current one
   * wrote. It refuses the same field without a default, which the current version's data lacks.
   */
  async function registerNext(topic: string, next: RecordSchema): Promise<{ id: number; type: avsc.Type }> {
    const subject = `${topic}-value`;
    const currentId = await suite.pipeline.serde.registry.getLatestSchemaId(subject);
    const withoutDefault = structuredClone(next);
    delete definitionOf(withoutDefault, 'InfoChangeDetails')!.fields.find((field) => field.name === 'website')!.default;
    expect(await isCompatible(subject, withoutDefault)).toBe(false);
    expect(await isCompatible(subject, next)).toBe(true);
    const { id } = await suite.pipeline.serde.registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(next) }, { subject });
    expect(id).not.toBe(currentId);
    expect(await suite.pipeline.serde.registry.getLatestSchemaId(subject)).toBe(id);
    return { id, type: avsc.Type.forSchema(next as avsc.Schema) };
  }

  let nextCommand: { id: number; type: avsc.Type };
  beforeAll(async () => {
    nextCommand = await registerNext(topics().commands, nextVersion(loadSchema('ApplicationCommand'), 'CommentOnApplication'));
  });

  type Writer = 'current' | 'next';
  /** Sends a command as a producer on `writer` would, and resolves with its outcome event. */
  async function send(writer: Writer, input: CommandInput): Promise<{ applicationId: string; type: string; body: any; version: number; message: ReadMessage }> {
    const command = { ...input, commandId: randomUUID(), issuedAt: Date.now() } as UnverifiedCommand;
    const value = writer === 'current'
      ? suite.pipeline.sender.encode(command).value
      : framed(nextCommand.id, nextCommand.type.toBuffer(withWebsite(commandToWire(command), `https://example.com/${command.commandId}`)));
    await suite.pipeline.sender.sendRaw([{ key: command.applicationId, value }]);
    // Its outcome, or its dead letter: a command that fails to decode says why at once.
    const [message] = await suite.pipeline.reader.waitFor((m) => forCommand(topics().events, command.commandId)(m) || (m.topic === topics().dlq && m.raw?.equals(value) === true));
    if (message!.topic === topics().dlq) throw new Error(`${writer} ${input.type} dead-lettered: ${message!.headers['error.code']}: ${message!.headers['error.message']}`);
    return { applicationId: command.applicationId, ...payloadOf(message!), version: (message!.value as { version: number }).version, message: message! };
  }

  const infoChange = (listingId: string): CommandInput => ({
    type: 'SubmitApplication', applicationId: randomUUID(), applicantId: OWNER, kind: 'INFO_CHANGE', listingId, contentType: 'RESTAURANT', details: infoChangeContact(),
  });
  const amend = (applicationId: string, details: ApplicationDetails): CommandInput => ({ type: 'AmendApplication', applicationId, applicantId: OWNER, details });

  test('commands written with the current and the next version are all applied; one of a command type the processor lacks is dead-lettered alone', async () => {
    // A listing, from producers on the current version.
    const listing = await send('current', submitNew(OWNER));
    expect(listing).toMatchObject({ type: 'ApplicationSubmitted', version: 1 });
    const published = await send('current', approve(listing.applicationId, suite.adminToken));
    expect(published).toMatchObject({ type: 'ApplicationApproved', version: 2 });
    const listingId = published.body.listingId as string;

    // A change request to it, written with the next version, amended with both.
    const change = await send('next', infoChange(listingId));
    expect(change).toMatchObject({ type: 'ApplicationSubmitted', version: 1 });
    const changeId = change.applicationId;
    const movedTo = address({ postalCode: '04524', road: '서울특별시 중구 세종대로 110', detail: null });
    // The AmendApplication with InfoChangeDetails that avsc's stale resolver failed to decode.
    const amendedNext = await send('next', amend(changeId, { type: 'INFO_CHANGE', contact: contact({ email: 'next@example.co.kr' }), address: movedTo, businessHours: null, ...NO_SPECIFIC_CHANGE }));
    expect(amendedNext).toMatchObject({ type: 'ApplicationAmended', version: 2 });
    expect(amendedNext.body.details).toEqual({ [`${NS}InfoChangeDetails`]: { contact: contact({ email: 'next@example.co.kr' }), address: movedTo, businessHours: null, ...NO_SPECIFIC_CHANGE } });
    const amendedCurrent = await send('current', amend(changeId, { type: 'INFO_CHANGE', contact: contact({ email: 'current@example.co.kr' }), address: movedTo, businessHours: null, ...NO_SPECIFIC_CHANGE }));
    expect(amendedCurrent).toMatchObject({ type: 'ApplicationAmended', version: 3 });
    expect(await send('next', approve(changeId, suite.adminToken))).toMatchObject({ type: 'ApplicationApproved', version: 4 });
    const shown = await suite.pipeline.http(`/listings/${listingId}`, await suite.stack.token('OWNER', OWNER));
    expect(shown).toMatchObject({ status: 200, body: { contact: { email: 'current@example.co.kr' }, address: movedTo, version: 2 } });

    // The other command types, written with the next version.
    const second = await send('next', submitNew(OWNER));
    const secondId = second.applicationId;
    expect(await send('next', amend(secondId, restaurantDetails({ name: '다음 버전 식당' })))).toMatchObject({ type: 'ApplicationAmended', version: 2 });
    // A command type the processor's schema does not have: only this record is dead-lettered,
    // and the application's partition keeps moving.
    const comment = { commandId: randomUUID(), applicationId: secondId, issuedAt: Date.now(), payload: { [`${NS}CommentOnApplication`]: { authorId: OWNER, text: '언제 검토되나요?' } } };
    await suite.pipeline.sender.sendRaw([{ key: secondId, value: framed(nextCommand.id, nextCommand.type.toBuffer(comment)) }]);
    expect(await send('next', reject(secondId, suite.adminToken, '사진이 필요합니다'))).toMatchObject({ type: 'ApplicationRejected', version: 3 });
    const third = await send('next', submitNew(OWNER));
    expect(await send('next', withdraw(third.applicationId, OWNER))).toMatchObject({ type: 'ApplicationWithdrawn', version: 2 });

    const [letter] = await suite.pipeline.reader.waitFor((message) => message.topic === topics().dlq && message.key === secondId);
    expect(letter!.raw).toEqual(framed(nextCommand.id, nextCommand.type.toBuffer(comment)));
    expect(letter!.headers).toMatchObject({ 'error.code': 'INCOMPATIBLE_SCHEMA', 'error.message': expect.stringContaining(`written with union branch ${NS}CommentOnApplication`) });
    // Every other command has its outcome event above, so none of them was dead-lettered.
    expect(suite.pipeline.reader.messages.filter((message) => message.topic === topics().dlq)).toHaveLength(1);
  });

  /**
   * Avro resolves an enum symbol the reader lacks to the reader's default, and fails without one.
   * So the default came first, alone (NotificationRequested v2: UNKNOWN, never written), and the
   * reviewers' template after it (v3): a consumer on v2 keeps decoding; one still on v1 cannot
   * read any record written with v3, which is why consumers move to v2 before v3 is produced.
   */
  test('a consumer holding NotificationRequested v2 reads the reviewers\' notification, a template added in v3, as UNKNOWN', async () => {
    const [v1, v2] = releasedVersions('NotificationRequested');
    const registry = new SchemaRegistry({ host: suite.stack.config.SCHEMA_REGISTRY_URL });
    const submitted = await send('current', submitNew(OWNER));
    const about = (recipientId: string) => (m: ReadMessage) => m.topic === topics().notifications && m.key === recipientId
      && (m.value as { applicationId: string }).applicationId === submitted.applicationId;
    const [toReviewers] = await suite.pipeline.reader.waitFor(about(topics().reviewersRecipientId));
    const [toOwner] = await suite.pipeline.reader.waitFor(about(OWNER));
    expect(toReviewers!.value).toMatchObject({ template: 'APPLICATION_AWAITING_REVIEW' });

    const asV2 = readerDecoder(registry, avsc.Type.forSchema(v2!.schema as avsc.Schema));
    expect(await asV2(toReviewers!.raw!)).toEqual({ ok: true, value: { ...(toReviewers!.value as object), template: 'UNKNOWN' } });
    expect(await asV2(toOwner!.raw!)).toEqual({ ok: true, value: toOwner!.value });

    const asV1 = readerDecoder(registry, avsc.Type.forSchema(v1!.schema as avsc.Schema));
    expect(await asV1(toReviewers!.raw!)).toMatchObject({ ok: false, code: 'INCOMPATIBLE_SCHEMA' });
    expect(await asV1(toOwner!.raw!)).toMatchObject({ ok: false, code: 'INCOMPATIBLE_SCHEMA' });
  });

  test('a consumer holding ApplicationEvent v1 reads the events the service publishes, and those of a next version', async () => {
    const [v1] = releasedVersions('ApplicationEvent');
    const reader = avsc.Type.forSchema(v1!.schema as avsc.Schema);
    // The consumer's own registry client: writer schemas come from the registry by id.
    const registry = new SchemaRegistry({ host: suite.stack.config.SCHEMA_REGISTRY_URL });

    // An ApplicationAmended with InfoChangeDetails among them, whatever ran before.
    const listing = await send('current', submitNew(OWNER));
    const published = await send('current', approve(listing.applicationId, suite.adminToken));
    const change = await send('current', infoChange(published.body.listingId));
    const { type: _, ...changeOnWire } = infoChangeContact({ email: 'events@example.co.kr' });
    const amended = await send('current', amend(change.applicationId, { type: 'INFO_CHANGE', ...changeOnWire }));

    const asV1 = new Map<string, unknown>();
    for (const event of suite.pipeline.reader.messages.filter((message) => message.topic === topics().events)) {
      // Through a resolver even while the service's schema still equals v1, as a consumer whose
      // schema differs reads: the path the avsc defect broke.
      const writer = await registry.getSchema(event.raw!.readInt32BE(1)) as unknown as avsc.Type;
      const read = reader.fromBuffer(event.raw!.subarray(5), createResolver(reader, writer, { perDatum: true })) as { eventId: string };
      expect(reader.isValid(read)).toBe(true);
      // What v1 knows of the event is what the service published.
      expect(event.value).toMatchObject(read);
      asV1.set(read.eventId, read);
    }
    const amendedValue = amended.message.value as { eventId: string };
    expect(asV1.get(amendedValue.eventId)).toMatchObject({
      // What v1 knows of the change: not the fields v2 added.
      payload: { [`${NS}ApplicationAmended`]: { applicantId: OWNER, details: { [`${NS}InfoChangeDetails`]: { contact: changeOnWire.contact, address: null, businessHours: null } } } },
    });

    const nextEvent = await registerNext(topics().events, nextVersion(loadSchema('ApplicationEvent'), 'ApplicationCommented'));
    const decode = readerDecoder(registry, reader);
    const written = framed(nextEvent.id, nextEvent.type.toBuffer(withWebsite(amendedValue, 'https://example.com')));
    expect(await decode(written)).toEqual({ ok: true, value: asV1.get(amendedValue.eventId) });
    const commented = framed(nextEvent.id, nextEvent.type.toBuffer({ ...amendedValue, eventId: randomUUID(), payload: { [`${NS}ApplicationCommented`]: { authorId: OWNER, text: '확인 부탁드립니다' } } }));
    expect(await decode(commented)).toEqual({ ok: false, code: 'INCOMPATIBLE_SCHEMA', message: expect.stringContaining(`written with union branch ${NS}ApplicationCommented`) });
  });

  /**
   * ApplicationEvent v3 adds the review claim events and, like NotificationRequested v2, gives
   * RejectionCode the default UNKNOWN along with its new codes. A new union branch has no default,
   * so a consumer still on v2 reads neither a claim nor its refusal: consumers move to v3 before the
   * service does (docs/operations.md). From v3 on, a code added later reads as UNKNOWN.
   */
  test('a consumer holding ApplicationEvent v2 cannot read a review claim or ALREADY_CLAIMED; one on v3 reads a later code as UNKNOWN', async () => {
    const [, v2, v3] = releasedVersions('ApplicationEvent');
    const registry = new SchemaRegistry({ host: suite.stack.config.SCHEMA_REGISTRY_URL });
    const pending = await send('current', submitNew(OWNER));
    const claimed = await send('current', { type: 'ClaimReview', applicationId: pending.applicationId, adminToken: suite.adminToken, takeOver: false });
    expect(claimed).toMatchObject({ type: 'ReviewClaimed', body: { adminId: 'admin-evolution', takenOverFrom: null } });
    const other = await suite.stack.token('MASTER', 'admin-evolution-2');
    const refused = await send('current', { type: 'ClaimReview', applicationId: pending.applicationId, adminToken: other, takeOver: false });
    expect(refused).toMatchObject({ type: 'CommandRejected', body: { code: 'ALREADY_CLAIMED' } });

    const asV2 = readerDecoder(registry, avsc.Type.forSchema(v2!.schema as avsc.Schema));
    expect(await asV2(claimed.message.raw!)).toMatchObject({ ok: false, code: 'INCOMPATIBLE_SCHEMA' });
    expect(await asV2(refused.message.raw!)).toMatchObject({ ok: false, code: 'INCOMPATIBLE_SCHEMA' });
    const asV3 = readerDecoder(registry, avsc.Type.forSchema(v3!.schema as avsc.Schema));
    expect(await asV3(refused.message.raw!)).toEqual({ ok: true, value: refused.message.value });

    const later = structuredClone(v3!.schema) as RecordSchema;
    (definitionOf(later, 'CommandRejected')!.fields.find((field) => field.name === 'code')!.type as { symbols: string[] }).symbols.push('REVIEW_LOCKED');
    const writer = avsc.Type.forSchema(later as avsc.Schema);
    const reader = avsc.Type.forSchema(v3!.schema as avsc.Schema);
    const value = refused.message.value as { payload: Record<string, object> };
    const withLaterCode = { ...value, payload: { [`${NS}CommandRejected`]: { ...value.payload[`${NS}CommandRejected`], code: 'REVIEW_LOCKED' } } };
    const read = reader.fromBuffer(writer.toBuffer(withLaterCode), createResolver(reader, writer)) as typeof value;
    expect(read.payload[`${NS}CommandRejected`]).toMatchObject({ code: 'UNKNOWN', commandType: 'ClaimReview' });
  });
});
