import { createHash } from 'node:crypto';
import { createTokenVerifier, mintToken } from '../../src/auth/tokens.ts';
import { CommandSender } from '../../src/client/command-sender.ts';
import type { Topics } from '../../src/config.ts';
import { BatchView } from '../../src/processors/batch-fold.ts';
import { prepare, type CommandRecord } from '../../src/processors/envelope.ts';
import { outcomeOf } from '../../src/processors/outcome.ts';
import type { Serde } from '../../src/schemas/serde.ts';
import type { Kafka } from 'kafkajs';
import { plan, type Tokens } from './workload.ts';

/**
 * Per-operation CPU cost of the processor's per-command front end, measured in this process on
 * the real code (single-threaded, sequential, after a warm-up): what one command costs before the
 * database sees it. Microseconds per operation.
 */
export async function microCosts(options: { kafka: Kafka; serde: Serde; topics: Topics; tokens: Tokens; publicKeyPem: string; privateKeyPem: string; iterations: number }) {
  const verifier = createTokenVerifier({ publicKeyPem: options.publicKeyPem, issuer: 'backoffice-dev', audience: 'backoffice' });
  const sender = new CommandSender(options.kafka, options.serde, options.topics);
  const time = async (iterations: number, work: (index: number) => unknown) => {
    // Warm-up on indices [0, 200), measurement on the next `iterations` ones.
    const warm = Math.min(200, iterations);
    for (let index = 0; index < warm; index++) await work(index);
    const started = process.cpuUsage();
    for (let index = warm; index < warm + iterations; index++) await work(index);
    const used = process.cpuUsage(started);
    return (used.user + used.system) / iterations;
  };
  const n = options.iterations;
  const token = options.tokens.masters[0]!;
  const commands = plan(n, options.tokens, 7).filter((planned) => planned.input !== null);
  const records: CommandRecord[] = commands.map((planned, index) => ({
    partition: 0, offset: String(index), key: Buffer.from(planned.applicationId), value: sender.encode(planned.input!).value, timestamp: String(Date.now()), trace: {},
  }));
  const submits = records.filter((_, index) => commands[index]!.input!.type === 'SubmitApplication');
  const decisions = records.filter((_, index) => ['ApproveApplication', 'RejectApplication'].includes(commands[index]!.input!.type));
  const decoded = await options.serde.decodeCommand(submits[0]!.value);
  const wire = decoded.ok ? decoded.value : null;
  // Distinct tokens, so that no verification is answered from the verifier's cache (if it has one).
  const distinct = await Promise.all(Array.from({ length: Math.min(n, 400) + 200 }, (_, index) => mintToken({
    privateKeyPem: options.privateKeyPem, subject: `admin-${index}`, role: 'MASTER', issuer: 'backoffice-dev', audience: 'backoffice',
  })));
  const prepared = (await Promise.all(records.map((record) => prepare(record, options.serde, verifier))))
    .filter((item) => item.kind === 'command');
  // What the handler does per command once decoded, without the database: fold in order over
  // the state (a fresh view per pass, so every pass decides the same), build the outcome, and
  // encode its outgoing records as Avro.
  let view = new BatchView({ applications: new Map(), listings: new Map(), pendingChanges: new Map(), known: new Map() }, 15 * 60_000);
  const decideBuildEncode = (index: number) => {
    if (index % prepared.length === 0) view = new BatchView({ applications: new Map(), listings: new Map(), pendingChanges: new Map(), known: new Map() }, 15 * 60_000);
    const { command, payloadHash } = prepared[index % prepared.length]!;
    const step = view.fold(command, payloadHash, Date.now());
    if (step.outcome === 'duplicate') return;
    for (const message of outcomeOf(step.decided, options.topics).messages) options.serde.encode(message.topic, message.value);
  };
  return {
    token_verify_uncached_us: await time(distinct.length - 200, (index) => verifier.verify(distinct[index % distinct.length]!, new Date())),
    token_verify_repeated_us: await time(n, () => verifier.verify(token, new Date())),
    avro_decode_submit_us: await time(n, (index) => options.serde.decodeCommand(submits[index % submits.length]!.value)),
    stringify_sha256_submit_us: await time(n, () => createHash('sha256').update(JSON.stringify(wire)).digest('hex')),
    prepare_submit_us: await time(n, (index) => prepare(submits[index % submits.length]!, options.serde, verifier)),
    prepare_decision_us: await time(n, (index) => prepare(decisions[index % decisions.length]!, options.serde, verifier)),
    prepare_mixed_us: await time(records.length - 200, (index) => prepare(records[index]!, options.serde, verifier)),
    decide_build_encode_mixed_us: await time(prepared.length * 3, decideBuildEncode),
  };
}
