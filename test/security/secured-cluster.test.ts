import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { pino } from 'pino';
import { CommandSender } from '../../src/client/command-sender.ts';
import { EventReader } from '../../src/client/event-reader.ts';
import { allTopics, type ServiceConfig } from '../../src/config.ts';
import { createKafka } from '../../src/kafka.ts';
import { connectSerde, registryAccess, type Serde } from '../../src/schemas/serde.ts';
import { startService, type RunningService } from '../../src/service.ts';
import { connectDatabase } from '../../src/store/db.ts';
import { saslClient } from '../../dev/stack/kafka-security.ts';
import { approve, forCommand, payloadOf, submitNew } from '../support/commands.ts';
import { eventually } from '../support/pipeline.ts';
import { startSecuredStack, type SecuredStack } from '../support/secured-stack.ts';
import { restaurantDetails } from '../fixtures/details.ts';

/**
 * The service on a cluster shaped like production's: SASL_SSL with SCRAM users, the authorizer
 * on with the ACLs of src/kafka-acls.ts, the registry behind TLS and basic auth, PostgreSQL over
 * verified TLS only. The service runs as User:service, commands come from User:producer,
 * outcomes are read by User:reader, and the CLI and its DLQ tool run as User:operator.
 */

const REPO = new URL('../../', import.meta.url).pathname;
const silent = pino({ level: 'silent' });
let stack: SecuredStack;
let service: RunningService;
let serde: Serde;
let sender: CommandSender;
let reader: EventReader;
let adminToken: string;

const client = (config: ServiceConfig, suffix: string) => createKafka(config, silent, suffix, { retries: 0, initialRetryTime: 100, maxRetryTime: 100 });

beforeAll(async () => {
  stack = await startSecuredStack();
  service = await startService(stack.config('service'), silent);
  const producer = stack.config('producer');
  serde = await connectSerde(producer.SCHEMA_REGISTRY_URL, stack.topics, registryAccess(producer));
  sender = new CommandSender(createKafka(producer, silent, '-producer'), serde, stack.topics);
  await sender.connect();
  reader = new EventReader(createKafka(stack.config('reader'), silent, '-reader'), serde, { rawTopics: [stack.topics.dlq] });
  await reader.start(allTopics(stack.topics).filter((topic) => topic !== stack.topics.commands));
  adminToken = await stack.token('MASTER', 'admin-secured');
}, 240_000);

afterAll(async () => {
  await reader?.stop();
  await sender?.disconnect();
  await service?.stop();
  await stack?.stop();
});

async function outcomeOf(commandId: string) {
  const [message] = await reader.waitFor(forCommand(stack.topics.events, commandId));
  return { message: message!, ...payloadOf(message!) };
}

/** The sum of a topic's end offsets, read as the super user. */
async function records(topic: string): Promise<number> {
  const admin = new Kafka({ brokers: stack.kafka.brokers, clientId: 'offsets', logLevel: logLevel.NOTHING, ...saslClient(stack.security, 'admin') }).admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((sum, partition) => sum + Number(partition.high), 0);
  } finally {
    await admin.disconnect();
  }
}

/** What a refused send failed with: kafkajs wraps the broker's error code in retry errors. */
async function refusal(send: Promise<unknown>): Promise<string> {
  const error = await send.then(() => null, (failure: unknown) => failure);
  expect(error).not.toBeNull();
  let current = error as { type?: string; originalError?: unknown; cause?: unknown };
  while (!current.type && (current.originalError ?? current.cause)) current = (current.originalError ?? current.cause) as typeof current;
  return current.type ?? String(error);
}

test('a producer\'s commands are applied by the service and its outcomes read by a reader, all over SASL_SSL and TLS', async () => {
  const [submitted] = await sender.send([submitNew('owner-secured')]);
  expect((await outcomeOf(submitted!.commandId)).type).toBe('ApplicationSubmitted');
  const [approved] = await sender.send([approve(submitted!.applicationId, adminToken, 'checked')]);
  const approval = await outcomeOf(approved!.commandId);
  expect(approval.type).toBe('ApplicationApproved');
  const [listing] = await reader.waitFor((message) => message.topic === stack.topics.listings.RESTAURANT && message.key === approval.body.listingId);
  expect(payloadOf(listing!).type).toBe('ListingPublished');
  const [state] = await stack.query('SELECT status, version FROM applications WHERE id = $1', [submitted!.applicationId]);
  // The suite's own role and database: the query above ran as the superuser.
  expect(state).toEqual({ status: 'APPROVED', version: 2 });
  // Every connection the service holds to its database is encrypted.
  const sessions = await stack.query<{ ssl: boolean; count: string }>(
    'SELECT s.ssl, count(*) FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) WHERE a.datname = $1 GROUP BY s.ssl', [stack.databaseName]);
  expect(sessions).toEqual([{ ssl: true, count: expect.stringMatching(/^[1-9]\d*$/) }]);
});

test('the gateway puts commands on the secured command topic as the service', async () => {
  const ownerToken = await stack.token('OWNER', 'owner-gateway');
  const response = await fetch(`http://127.0.0.1:${service.httpPort}/applications`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ownerToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'NEW_LISTING', contentType: 'RESTAURANT', details: restaurantDetails() }),
  });
  expect(response.status).toBe(202);
  const { commandId } = await response.json() as { commandId: string };
  expect((await outcomeOf(commandId)).type).toBe('ApplicationSubmitted');
  const status = await eventually(async () => {
    const reply = await (await fetch(`http://127.0.0.1:${service.httpPort}/commands/${commandId}`, { headers: { authorization: `Bearer ${ownerToken}` } })).json() as { status: string };
    return reply.status === 'PENDING' ? undefined : reply.status;
  });
  expect(status).toBe('ACCEPTED');
});

test('a producer that forges a ListingPublished or an event is refused with TOPIC_AUTHORIZATION_FAILED, and nothing reaches the topics', async () => {
  // The forgeries are the very bytes the service published: valid records, only the writer is wrong.
  const [submitted] = await sender.send([submitNew('owner-forger')]);
  await outcomeOf(submitted!.commandId);
  const [approved] = await sender.send([approve(submitted!.applicationId, adminToken)]);
  const approval = await outcomeOf(approved!.commandId);
  const [listing] = await reader.waitFor((message) => message.topic === stack.topics.listings.RESTAURANT && message.key === approval.body.listingId);
  const listings = stack.topics.listings.RESTAURANT;
  const before = { listings: await records(listings), events: await records(stack.topics.events) };

  const forger = client(stack.config('producer'), '-forger').producer({ retry: { retries: 0 } });
  await forger.connect();
  try {
    const forgedKey = `forged-${randomUUID()}`;
    expect(await refusal(forger.send({ topic: listings, acks: -1, messages: [{ key: forgedKey, value: listing!.raw }] }))).toBe('TOPIC_AUTHORIZATION_FAILED');
    expect(await refusal(forger.send({ topic: stack.topics.events, acks: -1, messages: [{ key: forgedKey, value: approval.message.raw }] }))).toBe('TOPIC_AUTHORIZATION_FAILED');
  } finally {
    await forger.disconnect();
  }
  expect({ listings: await records(listings), events: await records(stack.topics.events) }).toEqual(before);
  // A reader may not write commands either.
  const readerProducer = client(stack.config('reader'), '-reader-writes').producer({ retry: { retries: 0 } });
  await readerProducer.connect();
  try {
    expect(await refusal(readerProducer.send({ topic: stack.topics.commands, messages: [{ key: 'x', value: 'y' }] }))).toBe('TOPIC_AUTHORIZATION_FAILED');
  } finally {
    await readerProducer.disconnect();
  }
});

test('every SASL mechanism logs in with the same settings: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512', async () => {
  const clusters = [];
  for (const mechanism of ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const) {
    const admin = client(stack.config('service', mechanism), `-${mechanism}`).admin();
    await admin.connect();
    clusters.push({ mechanism, brokers: (await admin.describeCluster()).brokers.length });
    await admin.disconnect();
  }
  expect(clusters).toEqual([{ mechanism: 'PLAIN', brokers: 1 }, { mechanism: 'SCRAM-SHA-256', brokers: 1 }, { mechanism: 'SCRAM-SHA-512', brokers: 1 }]);
});

test('mutual TLS: the service\'s client certificate is User:service on the SSL listener, a rogue one is refused', async () => {
  const files = stack.security.files;
  const mtls = (cert: string, key: string) => stack.config('service', undefined, {
    KAFKA_BROKERS: `localhost:${stack.security.mtlsPort}`, KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SASL_MECHANISM: '', KAFKA_SASL_USERNAME: '', KAFKA_SASL_PASSWORD: '',
    KAFKA_SSL_CERT_FILE: cert, KAFKA_SSL_KEY_FILE: key,
  });
  const before = await records(stack.topics.commands);
  const trusted = new CommandSender(client(mtls(files.serviceCert, files.serviceKey), '-mtls'), serde, stack.topics);
  // User:service may write the command topic (its gateway does): the write proves the mapping.
  const [sent] = await trusted.send([submitNew('owner-mtls')]);
  await trusted.disconnect();
  expect((await outcomeOf(sent!.commandId)).type).toBe('ApplicationSubmitted');
  expect(await records(stack.topics.commands)).toBe(before + 1);

  const rogue = client(mtls(files.rogueCert, files.rogueKey), '-rogue').admin();
  const failure = await rogue.connect().then(() => rogue.describeCluster()).then(() => null, (error: unknown) => error as Error);
  await rogue.disconnect();
  expect(String(failure)).toMatch(/certificate unknown|alert/i);
});

/** Why the service's own pool (slonik) could not connect with `url`, its cause included. */
async function poolRefusal(url: URL): Promise<string> {
  const failure = await connectDatabase(url.toString(), 1).then(async (db) => { await db.end(); return null; }, (error: Error & { cause?: Error }) => error);
  expect(failure).not.toBeNull();
  return `${failure!.message} ${failure!.cause?.message ?? ''}`;
}

test('PostgreSQL takes verified TLS only: a plaintext client and an untrusted server certificate are refused', async () => {
  const plaintext = new URL(stack.databaseUrl);
  plaintext.searchParams.set('sslmode', 'disable');
  plaintext.searchParams.delete('sslrootcert');
  expect(await poolRefusal(plaintext)).toMatch(/no pg_hba\.conf entry .* no encryption/);
  const untrusted = new URL(stack.databaseUrl);
  untrusted.searchParams.set('sslrootcert', stack.security.files.rogueCa);
  expect(await poolRefusal(untrusted)).toMatch(/unable to verify the first certificate/);
});

/** Runs the CLI (`src/cli/main.ts`) as User:operator over SASL_SSL (SCRAM-SHA-256); resolves with its output. */
async function cli(...args: string[]) {
  const env = {
    PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', EMBEDDED_DATA_DIR: stack.dir, NODE_OPTIONS: process.env.NODE_OPTIONS ?? '',
    ...stack.env('operator', 'SCRAM-SHA-256', { LOG_LEVEL: 'error' }),
  };
  const { stdout, stderr } = await promisify(execFile)(process.execPath, ['src/cli/main.ts', ...args], { cwd: REPO, env, timeout: 90_000 });
  return { stderr, lines: stdout.split('\n').filter((text) => text.startsWith('{')).map((text) => JSON.parse(text)) };
}

test('the CLI sends and waits for the outcome as User:operator', async () => {
  const { lines: [line] } = await cli('submit', '--applicant', 'owner-cli', '--details', 'examples/restaurant.json');
  expect(line).toEqual({ commandId: expect.any(String), applicationId: expect.any(String), outcome: 'ApplicationSubmitted', version: 1 });
  const [row] = await stack.query('SELECT applicant_id, status FROM applications WHERE id = $1', [line.applicationId]);
  expect(row).toEqual({ applicant_id: 'owner-cli', status: 'PENDING' });
});

test('the DLQ tool lists a dead letter as User:operator', async () => {
  const key = `poison-${randomUUID()}`;
  await sender.sendRaw([{ key, value: Buffer.from('not the Confluent wire format') }]);
  await reader.waitFor((message) => message.topic === stack.topics.dlq && message.key === key);
  const { lines, stderr } = await cli('dlq', 'list');
  expect(lines.filter((letter) => letter.key === key)).toEqual([expect.objectContaining({ key, headers: expect.objectContaining({ 'error.code': 'BAD_MAGIC_BYTE' }) })]);
  expect(stderr).toMatch(/dead letters?$/m);
});
