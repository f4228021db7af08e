import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import avro from 'avsc';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import type { Producer } from 'kafkajs';
import { EventReader, type ReadMessage } from '../src/client/event-reader.ts';
import { startRegistry, type RunningRegistry } from '../dev/registry/server.ts';
import { loadSchema } from '../src/schemas/avro-files.ts';
import { commandToWire, type UnverifiedCommand } from '../src/schemas/commands.ts';
import { submitNew, withdraw } from './support/commands.ts';
import { loadProducer } from './support/fault/load.ts';
import { serviceEnv, ServiceProcess } from './support/fault/process.ts';
import { startFaultStack, type FaultStack } from './support/fault/stack.ts';

/**
 * The DLQ tool (`npm run cli -- dlq list|replay`) as an operator uses it, against the real
 * service process: a command whose writer schema our registry does not know yet is
 * dead-lettered; once the schema is registered (the cause fixed), replaying exactly that letter
 * applies it once; replaying it again changes nothing; other letters stay where they are.
 */

const REPO = new URL('../', import.meta.url).pathname;

let stack: FaultStack;
let processor: ServiceProcess;
let reader: EventReader;
let producer: Producer;
let otherRegistry: RunningRegistry;
let cliDir: string;

/** Runs the CLI as a separate process; resolves with its JSON lines. */
function cli(...args: string[]): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['src/cli/main.ts', ...args], {
      cwd: REPO,
      env: {
        PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', EMBEDDED_DATA_DIR: cliDir, LOG_LEVEL: 'error',
        KAFKA_BROKERS: stack.config.KAFKA_BROKERS.join(','), SCHEMA_REGISTRY_URL: stack.config.SCHEMA_REGISTRY_URL, KAFKA_IDEMPOTENT_PRODUCER: 'false',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk; });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`cli ${args.join(' ')} exited ${code}: ${stderr}`));
      resolve(stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line)));
    });
  });
}

const outcomesOf = (commandId: string) => (message: ReadMessage) =>
  message.topic === stack.topics.events && (message.value as { commandId?: string } | null)?.commandId === commandId;

beforeAll(async () => {
  stack = await startFaultStack();
  cliDir = mkdtempSync(join(tmpdir(), 'backoffice-dlq-cli-'));
  processor = await ServiceProcess.start({ name: 'dlq-tool', env: serviceEnv(stack.config), logDir: stack.dir });
  await processor.waitReady();
  producer = loadProducer(stack.kafka);
  await producer.connect();
  reader = new EventReader(stack.kafka, stack.serde, { rawTopics: [stack.topics.dlq] });
  await reader.start([stack.topics.events, stack.topics.dlq]);
  // The producer's registry: a copy of ours that has already seen a newer command schema.
  copyFileSync(join(stack.dir, 'registry.json'), join(stack.dir, 'registry-producer.json'));
  otherRegistry = await startRegistry({ port: 0, file: join(stack.dir, 'registry-producer.json') });
}, 120_000);

afterAll(async () => {
  await reader?.stop();
  await producer?.disconnect();
  await processor?.destroy();
  await otherRegistry?.close();
  await stack?.stop();
  if (cliDir) rmSync(cliDir, { recursive: true, force: true });
});

test('dlq list shows reason and origin; dlq replay re-injects only the chosen letters, applied once, after the cause is fixed', async () => {
  // A compatible evolution of the command schema (one more optional field), known to the
  // producer's registry but not yet to the processor's.
  const newer = loadSchema('ApplicationCommand') as { fields: unknown[] };
  newer.fields.push({ name: 'traceId', type: ['null', 'string'], default: null });
  const subject = { subject: `${stack.topics.commands}-value` };
  const { id: newerId } = await new SchemaRegistry({ host: otherRegistry.url }).register({ type: SchemaType.AVRO, schema: JSON.stringify(newer) }, subject);
  const submit = { ...submitNew('owner-dlq'), commandId: randomUUID(), issuedAt: Date.now() } as UnverifiedCommand;
  const header = Buffer.alloc(5);
  header.writeInt32BE(newerId, 1);
  const newerValue = Buffer.concat([header, avro.Type.forSchema(newer as avro.Schema).toBuffer({ ...commandToWire(submit), traceId: 'trace-1' })]);
  const garbageKey = randomUUID();
  await producer.send({ topic: stack.topics.commands, acks: -1, messages: [
    { key: submit.applicationId, value: newerValue },
    { key: garbageKey, value: Buffer.from('not avro at all') },
  ] });
  const [unknownLetter] = await reader.waitFor((m) => m.topic === stack.topics.dlq && m.key === submit.applicationId, 1, 60_000);
  await reader.waitFor((m) => m.topic === stack.topics.dlq && m.key === garbageKey, 1, 60_000);
  expect(unknownLetter!.headers['error.code']).toBe('UNKNOWN_SCHEMA');
  expect(await stack.query('SELECT 1 FROM applications WHERE id = $1', [submit.applicationId])).toEqual([]);

  // The operator lists the DLQ: reason, origin and where each letter is.
  const letters = await cli('dlq', 'list') as { at: string; key: string | null; headers: Record<string, string>; bytes: number }[];
  expect(letters).toHaveLength(2);
  const unknown = letters.find((letter) => letter.key === submit.applicationId)!;
  const garbage = letters.find((letter) => letter.key === garbageKey)!;
  expect(unknown).toMatchObject({
    bytes: newerValue.length,
    headers: { 'error.code': 'UNKNOWN_SCHEMA', 'source.topic': stack.topics.commands, 'source.partition': expect.any(String), 'source.offset': expect.any(String) },
  });
  expect(unknown.headers['error.message']).toContain(String(newerId));
  expect(garbage.headers['error.code']).toBe('BAD_MAGIC_BYTE');

  // Replaying before the cause is fixed only dead-letters it again, under a new origin.
  const early = await cli('dlq', 'replay', unknown.at) as { replayed: string[] }[];
  expect(early[0]!.replayed).toEqual([unknown.at]);
  await reader.waitFor((m) => m.topic === stack.topics.dlq && m.key === submit.applicationId, 2, 60_000);
  expect(await stack.query('SELECT 1 FROM applications WHERE id = $1', [submit.applicationId])).toEqual([]);

  // The cause fixed: the schema registered where the processor looks (it gets the same id).
  const { id: fixedId } = await stack.serde.registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(newer) }, subject);
  expect(fixedId).toBe(newerId);

  // Replay exactly the first letter (and name one that does not exist).
  const [result] = await cli('dlq', 'replay', unknown.at, '9:999') as { replayed: string[]; missing: string[] }[];
  expect(result).toEqual({ replayed: [unknown.at], missing: ['9:999'] });
  const [submitted] = await reader.waitFor(outcomesOf(submit.commandId), 1, 60_000);
  expect(Object.keys((submitted!.value as { payload: object }).payload)[0]).toBe('platform.backoffice.ApplicationSubmitted');
  expect(await stack.query('SELECT status, version FROM applications WHERE id = $1', [submit.applicationId])).toEqual([{ status: 'PENDING', version: 1 }]);

  // Replayed again by mistake: a redelivery, applied no second time. A withdrawal behind it on
  // the same partition shows the line has moved past it.
  await cli('dlq', 'replay', unknown.at);
  const after = { ...withdraw(submit.applicationId, 'owner-dlq'), commandId: randomUUID(), issuedAt: Date.now() } as UnverifiedCommand;
  await producer.send({ topic: stack.topics.commands, acks: -1, messages: [{ key: after.applicationId, value: stack.serde.encode(stack.topics.commands, commandToWire(after)) }] });
  await reader.waitFor(outcomesOf(after.commandId), 1, 60_000);
  expect(reader.messages.filter(outcomesOf(submit.commandId))).toHaveLength(1);
  expect(await stack.query('SELECT status, version FROM applications WHERE id = $1', [submit.applicationId])).toEqual([{ status: 'WITHDRAWN', version: 2 }]);
  expect(await stack.query('SELECT count(*)::int AS n FROM processed_commands WHERE command_id = $1', [submit.commandId])).toEqual([{ n: 1 }]);

  // The letter nobody chose is untouched; the DLQ only grew by the one premature replay.
  const finalLetters = await cli('dlq', 'list') as { key: string | null }[];
  expect(finalLetters.map((letter) => letter.key).sort()).toEqual([submit.applicationId, submit.applicationId, garbageKey].sort());
  expect(processor.alive).toBe(true);
}, 300_000);
