import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { Command, Option } from 'commander';
import { pino } from 'pino';
import { mintToken, type Role } from '../auth/tokens.ts';
import { loadConfig, topicsOf } from '../config.ts';
import { aclCommands, EXAMPLE_PRINCIPALS } from '../kafka-acls.ts';
import { createKafka } from '../kafka.ts';
import { connectSerde, registryAccess } from '../schemas/serde.ts';
import { EventReader } from '../client/event-reader.ts';
import type { CommandInput } from '../client/command-sender.ts';
import { ROLES } from '../domain/values.ts';
import { ContentTypeSymbols, ApplicationKindSymbols } from '../schemas/avro-types.ts';
import { cliContext, type CliContext } from './connect.ts';
import { listDeadLetters, replayDeadLetters } from './dlq.ts';
import { sendAndAnswer, type WaitOptions } from './send.ts';
import { positiveSeconds, waiting } from './options.ts';

const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8'));

async function token(context: CliContext, role: Role, subject: string, expiresInSeconds = 3600): Promise<string> {
  if (!context.privateKeyFile) throw new Error('No development signing key: pass --token, or run `npm start` on the embedded stack.');
  return mintToken({ privateKeyPem: readFileSync(context.privateKeyFile, 'utf8'), role, subject, issuer: context.config.AUTH_ISSUER, audience: context.config.AUTH_AUDIENCE, expiresInSeconds });
}

/** Sends, then answers with the outcome; the exit code tells accepted, rejected and timed out apart. */
async function send(input: CommandInput, options: WaitOptions): Promise<void> {
  process.exitCode = await sendAndAnswer(input, options);
}

const adminToken = async (options: { token?: string; admin: string }) => options.token ?? token(cliContext(), 'MASTER', options.admin);

// `tail | head` closes the pipe: that is the reader being done, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => { if (error.code === 'EPIPE') process.exit(0); else throw error; });

const program = new Command('backoffice')
  .description('Send backoffice commands as Avro records, mint development tokens, read outcome topics and the DLQ.')
  .showHelpAfterError();

program.command('submit')
  .description('Apply to list a venue or show (NEW_LISTING), or to change a listing (INFO_CHANGE)')
  .requiredOption('--applicant <id>', 'applicant (owner) id')
  .requiredOption('--details <file>', 'JSON details, e.g. examples/restaurant.json or examples/info-change-hours.json')
  .addOption(new Option('--type <contentType>', 'content type').choices([...ContentTypeSymbols]).default('RESTAURANT'))
  .addOption(new Option('--kind <kind>', 'application kind').choices([...ApplicationKindSymbols]).default('NEW_LISTING'))
  .option('--listing <id>', 'listing to change (INFO_CHANGE)')
  .option('--application <id>', 'application id (default: a new UUID)')
  .action((o) => send({ type: 'SubmitApplication', applicationId: o.application ?? randomUUID(), applicantId: o.applicant, kind: o.kind, listingId: o.listing ?? null, contentType: o.type, details: readJson(o.details) }, o));

program.command('amend <applicationId>')
  .description('Replace the details of a PENDING application (applicant only)')
  .requiredOption('--applicant <id>', 'applicant id').requiredOption('--details <file>', 'JSON details')
  .action((applicationId, o) => send({ type: 'AmendApplication', applicationId, applicantId: o.applicant, details: readJson(o.details) }, o));

program.command('withdraw <applicationId>')
  .description('Withdraw a PENDING application (applicant only)')
  .requiredOption('--applicant <id>', 'applicant id')
  .action((applicationId, o) => send({ type: 'WithdrawApplication', applicationId, applicantId: o.applicant }, o));

program.command('approve <applicationId>')
  .description('Approve as a MASTER admin (a development token is minted unless --token is given)')
  .option('--admin <id>', 'admin id for the minted token', 'admin-dev').option('--token <jwt>', 'admin token to send').option('--note <text>', 'decision note')
  .action(async (applicationId, o) => send({ type: 'ApproveApplication', applicationId, adminToken: await adminToken(o), note: o.note ?? null }, o));

program.command('reject <applicationId>')
  .description('Reject as a MASTER admin, with a reason')
  // Not required here: the processor is the judge of a reason, and answers REASON_REQUIRED.
  .option('--reason <text>', 'why (1 to 1000 characters; without one the processor answers REASON_REQUIRED)')
  .option('--admin <id>', 'admin id for the minted token', 'admin-dev').option('--token <jwt>', 'admin token to send')
  .action(async (applicationId, o) => send({ type: 'RejectApplication', applicationId, adminToken: await adminToken(o), reason: o.reason ?? '' }, o));

// Added last so they are listed after each command's own options.
for (const sending of program.commands.filter((command) => ['submit', 'amend', 'withdraw', 'approve', 'reject'].includes(command.name()))) waiting(sending);

program.command('token')
  .description('Mint a development JWT with the embedded stack key (for the HTTP API or decisions)')
  .addOption(new Option('--role <role>', 'role').choices([...ROLES]).default('MASTER'))
  .option('--subject <id>', 'admin or owner id', 'admin-dev')
  .option('--expires <seconds>', 'lifetime in seconds, a positive whole number', positiveSeconds(true), 3600)
  .action(async (o) => console.log(await token(cliContext(), o.role, o.subject, o.expires)));

program.command('tail')
  .description('Print decoded outcome events as they arrive (Ctrl-C to stop)')
  .option('--topic <name...>', 'topics (default: events, listings, notifications)')
  .action(async (o) => {
    const { config } = cliContext();
    const topics = topicsOf(config);
    const logger = pino({ level: 'error' });
    const reader = new EventReader(createKafka(config, logger, '-tail'), await connectSerde(config.SCHEMA_REGISTRY_URL, topics, registryAccess(config)));
    process.on('SIGINT', () => void reader.stop().then(() => process.exit(0)));
    await reader.start(o.topic ?? [topics.events, ...Object.values(topics.listings), topics.notifications], (message) =>
      console.log(JSON.stringify({ topic: message.topic, partition: message.partition, offset: message.offset, key: message.key, value: message.value })));
  });

program.command('acls')
  .description('Print the kafka-acls.sh commands that let the service, a producer and a reader do their jobs, and nothing else')
  .option('--service <principal>', 'the service\'s principal', EXAMPLE_PRINCIPALS.service)
  .option('--producer <principal>', 'a producer service\'s principal', EXAMPLE_PRINCIPALS.producer)
  .option('--reader <principal>', 'a downstream reader\'s principal', EXAMPLE_PRINCIPALS.reader)
  .option('--reader-group <prefix>', 'prefix of the reader\'s consumer group ids', EXAMPLE_PRINCIPALS.readerGroupPrefix)
  .action((o) => {
    // Topic names and the group from the environment: no broker is needed to print them.
    const config = loadConfig();
    const principals = { service: o.service, producer: o.producer, reader: o.reader, readerGroupPrefix: o.readerGroup };
    for (const line of aclCommands(principals, topicsOf(config), config.KAFKA_GROUP_ID)) console.log(line);
  });

const dlq = program.command('dlq').description('Inspect and replay the dead-letter topic');
dlq.command('list').description('List dead letters with their reason and origin')
  .addHelpText('after', '\nPrints one JSON line per dead letter on stdout, and their count on stderr ("…: no dead letters" when empty),\nso `dlq list | wc -l` counts letters and `dlq list | jq` sees letters only.\n')
  .action(async () => {
    const context = cliContext();
    const letters = await listDeadLetters(context);
    for (const letter of letters) console.log(JSON.stringify(letter));
    console.error(`${topicsOf(context.config).dlq}: ${letters.length === 0 ? 'no' : letters.length} dead letter${letters.length === 1 ? '' : 's'}`);
  });
dlq.command('replay <offsets...>').description('Re-inject the dead letters at these DLQ offsets (partition:offset) onto the command topic')
  .action(async (offsets: string[]) => console.log(JSON.stringify(await replayDeadLetters(cliContext(), offsets))));

await program.parseAsync();
