import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { pino } from 'pino';
import { loadConfig, topicsOf, type ServiceConfig } from '../src/config.ts';
import { createKafka } from '../src/kafka.ts';
import { CommandSender } from '../src/client/command-sender.ts';
import { connectSerde } from '../src/schemas/serde.ts';
import { startService } from '../src/service.ts';
import { startPipeline, type Pipeline } from './support/pipeline.ts';
import { startTestStack, type TestStack } from './support/stack.ts';
import { approve, forCommand, payloadOf, submitNew } from './support/commands.ts';

/**
 * Decisions are judged at the command record's append time, stamped by the broker
 * (LogAppendTime), never at a time the sender chooses: a token must have been valid when the
 * command arrived, and issuedAt must lie within DECISION_MAX_SKEW_SECONDS (300) of that time.
 */
const SKEW_MS = 300_000;
let stack: TestStack;
let pipeline: Pipeline | null = null;
let admin: Admin;

beforeAll(async () => {
  stack = await startTestStack();
  if (stack.broker.kind !== 'apache-kafka') throw new Error('append time needs Apache Kafka: go-mokapi cannot stamp it (decisions fall back to processing time there)');
  admin = new Kafka({ brokers: stack.config.KAFKA_BROKERS, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
});
afterAll(async () => {
  await admin?.disconnect();
  await pipeline?.stop();
  await stack?.stop();
});

async function running(): Promise<Pipeline> {
  pipeline ??= await startPipeline(stack);
  return pipeline;
}

async function outcome(commandId: string) {
  const [message] = await (await running()).reader.waitFor(forCommand(stack.config.TOPIC_EVENTS, commandId), 1, 30_000);
  return payloadOf(message!);
}

async function pendingApplication(): Promise<string> {
  const [submitted] = await (await running()).sender.send([submitNew('owner-time')]);
  expect((await outcome(submitted!.commandId)).type).toBe('ApplicationSubmitted');
  return submitted!.applicationId;
}

async function decide(token: string, issuedAt: number) {
  const id = await pendingApplication();
  const [sent] = await (await running()).sender.send([{ ...approve(id, token), issuedAt }]);
  const result = await outcome(sent!.commandId);
  const { rows } = await stack.db.query('SELECT action FROM admin_action_log WHERE command_id = $1', [sent!.commandId]);
  const { rows: [application] } = await stack.db.query('SELECT status FROM applications WHERE id = $1', [id]);
  return { type: result.type, code: result.body.code as string | undefined, audit: rows.map((row) => row.action), status: application.status };
}

test('a backlog is judged by append time: a token that expired while the command waited in the topic still approves', async () => {
  const topics = topicsOf(stack.config);
  const serde = await connectSerde(stack.config.SCHEMA_REGISTRY_URL, topics);
  const sender = new CommandSender(createKafka(stack.config, pino({ level: 'silent' }), '-backlog'), serde, topics);
  await sender.connect();
  const token = await stack.token('MASTER', 'admin-backlog', { expiresInSeconds: 3 });
  const expiresAt = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).exp * 1000;
  const [submitted, approved] = await sender.send([submitNew('owner-backlog'), approve(randomUUID(), token)].map((input, index, all) =>
    index === 1 ? { ...input, applicationId: all[0]!.applicationId } : input));
  await sender.disconnect();
  // No processor ran while the token was valid; it starts only once the token has expired.
  while (Date.now() <= expiresAt + 500) await new Promise((resolve) => setTimeout(resolve, expiresAt + 600 - Date.now()));

  expect((await outcome(submitted!.commandId)).type).toBe('ApplicationSubmitted');
  expect(await outcome(approved!.commandId)).toMatchObject({ type: 'ApplicationApproved', body: { adminId: 'admin-backlog' } });
});

test('an expired token with issuedAt set back into its lifetime is FORBIDDEN, audited DENIED, and changes nothing', async () => {
  const expiredAnHourAgo = await stack.token('MASTER', 'admin-leaked', { issuedAt: new Date(Date.now() - 2 * 3_600_000), expiresInSeconds: 3600 });
  expect(await decide(expiredAnHourAgo, Date.now() - 90 * 60_000)).toEqual({ type: 'CommandRejected', code: 'FORBIDDEN', audit: ['DENIED'], status: 'PENDING' });
});

test('a token valid 30 days ago, with issuedAt 30 days back, is FORBIDDEN', async () => {
  const monthAgo = new Date(Date.now() - 30 * 86_400_000);
  const old = await stack.token('MASTER', 'admin-leaked', { issuedAt: monthAgo, expiresInSeconds: 3600 });
  expect(await decide(old, monthAgo.getTime() + 60_000)).toEqual({ type: 'CommandRejected', code: 'FORBIDDEN', audit: ['DENIED'], status: 'PENDING' });
});

test('issuedAt within the skew of the append time passes, beyond it is FORBIDDEN, on either side', async () => {
  const token = await stack.token('MASTER', 'admin-skew', { issuedAt: new Date(Date.now() - 60_000), expiresInSeconds: 3600 });
  const approved = { type: 'ApplicationApproved', code: undefined, audit: ['APPROVE'], status: 'APPROVED' };
  const refused = { type: 'CommandRejected', code: 'FORBIDDEN', audit: ['DENIED'], status: 'PENDING' };
  // 30 s of margin: the append time is fixed by then, only the send itself takes time.
  expect(await decide(token, Date.now() - SKEW_MS + 30_000)).toEqual(approved);
  expect(await decide(token, Date.now() - SKEW_MS - 30_000)).toEqual(refused);
  expect(await decide(token, Date.now() + SKEW_MS - 30_000)).toEqual(approved);
  expect(await decide(token, Date.now() + SKEW_MS + 30_000)).toEqual(refused);
});

describe('the command topic at start', () => {
  const logger = pino({ level: 'silent' });
  const configWith = (commands: string): ServiceConfig => ({ ...loadConfig({}), ...stack.config, TOPIC_COMMANDS: commands, KAFKA_GROUP_ID: `time-${randomUUID()}`, HTTP_PORT: 0 });
  const timestampType = async (topic: string) => (await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: topic, configNames: ['message.timestamp.type'] }] }))
    .resources[0]!.configEntries[0]!.configValue;

  test('a missing command topic is created with LogAppendTime', async () => {
    const topic = `${stack.config.TOPIC_COMMANDS}.created-${randomUUID().slice(0, 8)}`;
    const service = await startService(configWith(topic), logger);
    try {
      expect(await timestampType(topic)).toBe('LogAppendTime');
    } finally {
      await service.stop();
    }
  });

  test('an existing command topic with CreateTime refuses the start with one line saying what to change', async () => {
    const topic = `${stack.config.TOPIC_COMMANDS}.createtime-${randomUUID().slice(0, 8)}`;
    await admin.createTopics({ waitForLeaders: false, topics: [{ topic, numPartitions: 1, configEntries: [{ name: 'message.timestamp.type', value: 'CreateTime' }] }] });
    const refusal = await startService(configWith(topic), logger).then(async (service) => { await service.stop(); return null; }, (error: Error) => error.message);
    expect(refusal).toContain(`The command topic ${topic} has message.timestamp.type=CreateTime`);
    expect(refusal).toContain('LogAppendTime');
    expect(refusal).not.toContain('\n');
    expect(await timestampType(topic)).toBe('CreateTime');
  });
});
