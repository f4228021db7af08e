import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SchemaType } from '@kafkajs/confluent-schema-registry';
import avro from 'avsc';
import { startApicurio } from '../../dev/stack/apicurio.ts';
import { chooseStack } from '../../dev/stack/choose.ts';
import type { ClusterNode } from '../../dev/stack/kafka-cluster.ts';
import { loadSchema } from '../../src/schemas/avro-files.ts';
import { restaurantDetails } from '../fixtures/details.ts';
import { clusterForFile, keepForPostMortem, notOnCluster, pause, wholeAgain } from '../support/fault/cluster.ts';
import { random, loadProducer, sendPaced, type LoadRecord } from '../support/fault/load.ts';
import { connectionsTo, osPort } from '../support/fault/ports.ts';
import { serviceEnv, ServiceProcess } from '../support/fault/process.ts';
import { UNACKNOWLEDGED_LOG } from '../../src/http/command-gateway.ts';
import { ChaosProxy } from '../support/fault/proxy.ts';
import { buildLoad, expectClean, REDIRECT_PRELOAD, report, seedFor, settle, summarize, waitResumed } from '../support/fault/scenario.ts';
import { registryAnswering, startFaultStack, type FaultStack } from '../support/fault/stack.ts';
import { groupPosition } from '../support/fault/topics.ts';
import { eventually } from '../support/pipeline.ts';

/**
 * Scenarios 11 to 13 on the replicated cluster: two of the three brokers down at once (below
 * min.insync.replicas, so every acks=all write is refused with NOT_ENOUGH_REPLICAS); one broker
 * cut off from the processor alone while the others stay reachable; and the schema registry
 * hanging, then dying, while commands of a schema version the service has not seen arrive.
 */

const COMMANDS = Number(process.env.FAULT_CLUSTER_COMMANDS ?? 3000);
const RATE = Number(process.env.FAULT_CLUSTER_RATE ?? 200);
const CUT_MS = Number(process.env.FAULT_CUT_MS ?? 15_000);

const fileCluster = clusterForFile();

/** The brokers in a seeded order. */
function shuffled(nodes: ClusterNode[], rnd: () => number): ClusterNode[] {
  return nodes.map((node) => ({ node, at: rnd() })).sort((a, b) => a.at - b.at).map(({ node }) => node);
}

/** Resolves once every partition of `topics` has only `survivor` in sync (the others fenced); returns the wait. */
async function waitIsrOf(stack: FaultStack, topics: string[], survivor: number, timeoutMs: number): Promise<number> {
  const started = Date.now();
  const admin = stack.kafka.admin();
  await admin.connect();
  try {
    for (;;) {
      const metadata = await admin.fetchTopicMetadata({ topics }).catch(() => null);
      if (metadata?.topics.every((topic) => topic.partitions.every((partition) => partition.leader === survivor && partition.isr.join() === String(survivor)))) return Date.now() - started;
      if (Date.now() - started > timeoutMs) throw new Error(`in-sync replicas not down to broker ${survivor} within ${timeoutMs} ms: ${JSON.stringify(metadata?.topics.map((topic) => topic.partitions))}`);
      await pause(100);
    }
  } finally {
    await admin.disconnect();
  }
}

const unpublishedIds = async (stack: FaultStack) =>
  (await stack.query<{ id: string }>('SELECT id::text FROM outbox WHERE published_at IS NULL ORDER BY id')).map((row) => row.id);
const publishedCount = async (stack: FaultStack) =>
  Number((await stack.query<{ n: string }>('SELECT count(*) AS n FROM outbox WHERE published_at IS NOT NULL'))[0]!.n);

/**
 * The service's log entries with `msg` whose error is NOT_ENOUGH_REPLICAS (or its _AFTER_APPEND
 * form): by its code, or by the broker's description of it, which kafkajs makes the message of
 * the error it throws once its retries are spent.
 */
const refusedForReplicas = (processor: ServiceProcess, msg: string) =>
  processor.logEntries(msg).filter((entry) => /NOT_ENOUGH_REPLICAS|fewer in-sync replicas than required/.test(JSON.stringify(entry.err)));

/** The checks of a /readyz answer that say why it is not ready. */
const failingChecks = (checks: Record<string, unknown>) =>
  Object.entries(checks).filter(([name, value]) => value === false || (name === 'stalledStep' && value !== 'none')).map(([name, value]) => `${name}: ${String(value)}`);

async function submitThroughGateway(processor: ServiceProcess, token: string, key: string): Promise<Response> {
  return fetch(`http://127.0.0.1:${processor.httpPort}/applications`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify({ kind: 'NEW_LISTING', contentType: 'RESTAURANT', details: restaurantDetails() }),
    signal: AbortSignal.timeout(30_000),
  });
}

test('two brokers down at once: writes refused with NOT_ENOUGH_REPLICAS, nothing marked published, gateway 503, not ready; converges with one broker back', async () => {
  expect.hasAssertions();
  const cluster = fileCluster();
  if (!cluster) return notOnCluster('11-two-brokers-down');
  const stack = await startFaultStack({ cluster });
  let processor: ServiceProcess | undefined;
  try {
    const seed = seedFor(11);
    const rnd = random(seed);
    const records = await buildLoad(stack, seed, COMMANDS);
    processor = await ServiceProcess.start({ name: '11-two-brokers-down', env: serviceEnv(stack.config), logDir: stack.dir });
    await processor.waitReady();
    const producer = loadProducer(stack.kafka, { wholeSends: true });
    await producer.connect();
    const probeTopic = `${stack.topics.commands}.probe`;
    await cluster.ensureTopics([probeTopic], 1);
    const probe = stack.kafka.producer({ retry: { retries: 0 } });
    await probe.connect();

    // A first part at the paced rate, then a burst acknowledged just before the brokers go: the
    // processor is still applying and publishing it when they do.
    const half = Math.floor(records.length / 2);
    await sendPaced(producer, stack.topics.commands, records.slice(0, half), { ratePerSecond: RATE, chunk: 50, persistMs: 60_000 });
    await sendPaced(producer, stack.topics.commands, records.slice(half, half + 1000), { ratePerSecond: 100_000, chunk: 200, persistMs: 60_000 });
    const [survivor, ...down] = shuffled(cluster.brokerNodes, rnd);
    const killedAt = Date.now();
    await Promise.all(down.map((node) => node.kill()));
    // The rest of the load is sent meanwhile; the sender keeps it until a write is acknowledged.
    const sending = sendPaced(producer, stack.topics.commands, records.slice(half + 1000), { ratePerSecond: RATE, chunk: 50, persistMs: 180_000 });
    sending.catch(() => {});

    // Once the controller has fenced both, the survivor leads every partition alone (the probe's
    // too: until its leader moved, the probe would be told NOT_LEADER_FOR_PARTITION instead).
    const isrShrunkMs = await waitIsrOf(stack, [stack.topics.commands, stack.topics.events, stack.topics.notifications, probeTopic], survivor!.id, 60_000);
    const pendingAtShrink = await unpublishedIds(stack);
    const publishedAtShrink = await publishedCount(stack);
    const refused = await probe.send({ topic: probeTopic, acks: -1, messages: [{ value: 'probe' }] }).then(() => null, (error: { type?: string; cause?: { type?: string } }) => error.type ?? error.cause?.type);
    expect(refused).toBe('NOT_ENOUGH_REPLICAS');

    const owner = await stack.token('OWNER', `owner-${randomUUID()}`);
    const key = randomUUID();
    const answer = await submitThroughGateway(processor, owner, key);
    expect({ status: answer.status, retryAfter: answer.headers.get('retry-after') }).toEqual({ status: 503, retryAfter: '5' });
    const notReady = await eventually(async () => {
      const reply = await processor!.readyz();
      return reply?.status === 503 ? reply.body.checks : undefined;
    }, 120_000);
    // Why: a check that fails, named (the consumer's group lost, a stalled publish or commit).
    expect(failingChecks(notReady).length).toBeGreaterThan(0);
    // The relay's publish and the gateway's send were both told NOT_ENOUGH_REPLICAS by the broker.
    const relaySaw = await eventually(async () => refusedForReplicas(processor!, 'processor step failed; retrying').find((entry) => entry.step === 'publish'), 120_000)
      .catch(() => null);
    const gatewaySaw = refusedForReplicas(processor, UNACKNOWLEDGED_LOG);
    expect(relaySaw).not.toBeNull();
    expect(gatewaySaw).toHaveLength(1);
    // A seeded while more below min.insync.replicas: nothing is marked published meanwhile.
    await pause(3000 + rnd() * 4000);
    const stillPending = new Set(await unpublishedIds(stack));
    const publishedAtEnd = await publishedCount(stack);
    const outageMs = Date.now() - killedAt;
    expect(pendingAtShrink.length).toBeGreaterThan(0);
    expect(pendingAtShrink.filter((id) => !stillPending.has(id))).toEqual([]);
    expect(publishedAtEnd).toBe(publishedAtShrink);

    // One broker back: two in sync again, which min.insync.replicas=2 asks; the third stays away.
    const starting = Date.now();
    await down[0]!.start();
    const restartMs = Date.now() - starting;
    await sending;
    await producer.disconnect();
    await probe.disconnect();
    const { expectation, log, convergence, recoverMs, observed, verdict, intents } = await settle(stack, records, 240_000, starting);
    report(summarize({
      broker: cluster.topology, scenario: '11-two-brokers-down', seed, faultsInjected: 1,
      faults: `brokers ${down.map((node) => node.id).join(' and ')} SIGKILLed at once, broker ${down[0]!.id} started again after ${outageMs} ms, broker ${down[1]!.id} only after convergence`,
      recoverMs, sent: records.length,
    }, expectation, verdict, {
      converged: convergence.converged, logRecords: log.length, isrShrunkMs, outageMs, restartMs, pendingAtShrink: pendingAtShrink.length,
      publishedDuringOutage: publishedAtEnd - publishedAtShrink, notReadyChecks: notReady, processorAlive: processor.alive,
    }), verdict, intents);
    expect(convergence.converged).toBe(true);
    expectClean(verdict, expectation, observed, records.length, intents);
    expect(down[1]!.alive()).toBe(false);

    await wholeAgain(stack);
    await processor.waitReady(60_000);
    expect((await processor.readyz())?.status).toBe(200);
    // The gateway's refused command, sent again under its key, is accepted and applied.
    const retried = await submitThroughGateway(processor, owner, key);
    expect(retried.status).toBe(202);
    const applied = await eventually(async () => {
      const rows = await stack.query('SELECT outcome FROM processed_commands WHERE command_id = $1', [key]);
      return rows.length > 0 ? rows : undefined;
    }, 60_000);
    expect(applied).toEqual([{ outcome: 'ACCEPTED' }]);
    expect(processor.alive).toBe(true);
    expect(processor.errorLines()).toEqual([]);
  } catch (error) {
    keepForPostMortem(stack, processor);
    throw error;
  } finally {
    await processor?.destroy();
    await stack.stop();
    if (cluster) await wholeAgain(stack).catch(() => {});
  }
}, 900_000);

test('one broker cut off from the processor alone, twice, the others reachable: the line converges once it is back', async () => {
  expect.hasAssertions();
  const cluster = fileCluster();
  if (!cluster) return notOnCluster('12-one-broker-cut-off');
  const stack = await startFaultStack({ cluster });
  const proxies = cluster.brokerNodes.map((node) => ({ node, proxy: new ChaosProxy(node.port, { quirks: 'none' }), port: 0 }));
  let processor: ServiceProcess | undefined;
  try {
    for (const entry of proxies) entry.port = await entry.proxy.listen();
    const seed = seedFor(12);
    const rnd = random(seed);
    const records = await buildLoad(stack, seed, COMMANDS);
    processor = await ServiceProcess.start({
      name: '12-one-broker-cut-off', logDir: stack.dir, preload: REDIRECT_PRELOAD,
      env: serviceEnv(stack.config, {
        KAFKA_BROKERS: proxies.map((entry) => `127.0.0.1:${entry.port}`).join(','),
        FAULT_REDIRECT_MAP: proxies.map((entry) => `${entry.node.port}:${entry.port}`).join(','),
      }),
    });
    await processor.waitReady();
    const direct = () => proxies.reduce((sum, entry) => sum + connectionsTo(processor!.pid, entry.node.port), 0);
    expect(direct()).toBe(0);
    const producer = loadProducer(stack.kafka, { wholeSends: true });
    await producer.connect();
    const sending = sendPaced(producer, stack.topics.commands, records, { ratePerSecond: RATE, chunk: 50, persistMs: 120_000 });
    sending.catch(() => {});

    const cuts: { broker: number; ledCommandPartitions: number[]; cutMs: number; connectionsCut: number; bytesThroughOthers: number; connectionsToOthers: number }[] = [];
    for (const entry of shuffled(proxies.map((p) => p.node), rnd).slice(0, 2).map((node) => proxies.find((p) => p.node === node)!)) {
      await waitResumed(stack, 120_000);
      const others = proxies.filter((other) => other !== entry);
      const leaders = await cluster.leaders(stack.topics.commands);
      const bytesBefore = others.reduce((sum, other) => sum + other.proxy.stats.bytes, 0);
      entry.proxy.refuse(true);
      const connectionsCut = entry.proxy.cutAll();
      const cutMs = Math.round(CUT_MS * (0.8 + rnd() * 0.4));
      // Throughout the cut: no connection through the cut proxy, and the processor still talks to
      // the other brokers, through their proxies only. Sampled, because its clients reconnect
      // now and then (a failed send gets a fresh producer), so one instant may find none open.
      const cutEnds = Date.now() + cutMs;
      let connectionsToOthers = 0;
      let throughCut = 0;
      while (Date.now() < cutEnds) {
        connectionsToOthers = Math.max(connectionsToOthers, others.reduce((sum, other) => sum + connectionsTo(processor!.pid, other.port), 0));
        throughCut = Math.max(throughCut, entry.proxy.connections);
        await pause(250);
      }
      expect(throughCut).toBe(0);
      entry.proxy.refuse(false);
      const bytesThroughOthers = others.reduce((sum, other) => sum + other.proxy.stats.bytes, 0) - bytesBefore;
      cuts.push({ broker: entry.node.id, ledCommandPartitions: [...leaders].filter(([, leader]) => leader === entry.node.id).map(([partition]) => partition), cutMs, connectionsCut, bytesThroughOthers, connectionsToOthers });
    }
    const healedAt = Date.now();
    await sending;
    await producer.disconnect();
    expect(direct()).toBe(0);

    const { expectation, log, convergence, recoverMs, observed, verdict, intents } = await settle(stack, records, 240_000, healedAt);
    report(summarize({
      broker: cluster.topology, scenario: '12-one-broker-cut-off', seed, faultsInjected: cuts.length,
      faults: `${cuts.length} cuts of the processor's connections to one broker (${cuts.map((cut) => `broker ${cut.broker}, ${cut.cutMs} ms`).join('; ')}), refused for the while, the other two reachable`,
      recoverMs, sent: records.length,
    }, expectation, verdict, { converged: convergence.converged, logRecords: log.length, cuts, processorAlive: processor.alive }), verdict, intents);
    expect(convergence.converged).toBe(true);
    expect(cuts).toHaveLength(2);
    for (const cut of cuts) {
      expect(cut.connectionsCut).toBeGreaterThan(0);
      expect(cut.connectionsToOthers).toBeGreaterThan(0);
      expect(cut.bytesThroughOthers).toBeGreaterThan(0);
    }
    expectClean(verdict, expectation, observed, records.length, intents);
    expect(processor.alive).toBe(true);
    await processor.waitReady(60_000);
    expect((await processor.readyz())?.status).toBe(200);
    expect(processor.errorLines()).toEqual([]);
  } catch (error) {
    keepForPostMortem(stack, processor);
    throw error;
  } finally {
    await processor?.destroy();
    for (const entry of proxies) await entry.proxy.close();
    await stack.stop();
  }
}, 900_000);

/**
 * The next version of the command schema (an optional field more, BACKWARD compatible),
 * registered now: the service has never seen its id. `reencode` writes a load record with it,
 * the same command in other bytes; undecodable records stay as they are.
 */
async function nextCommandVersion(stack: FaultStack): Promise<{ id: number; reencode(record: LoadRecord): LoadRecord }> {
  const current = loadSchema('ApplicationCommand') as { fields: unknown[] };
  const next = { ...current, fields: [...current.fields, { name: 'origin', type: ['null', 'string'], default: null }] };
  const { id } = await registryAnswering(() => stack.serde.registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(next) }, { subject: `${stack.topics.commands}-value` }));
  const reader = avro.Type.forSchema(current as avro.Schema);
  const writer = avro.Type.forSchema(next as avro.Schema);
  const header = Buffer.alloc(5);
  header.writeInt32BE(id, 1);
  return {
    id,
    reencode: (record) => (record.spec.kind !== 'command' ? record : {
      ...record, value: Buffer.concat([header, writer.toBuffer({ ...(reader.fromBuffer(record.value!.subarray(5)) as object), origin: 'registry-outage' })]),
    }),
  };
}

test('the schema registry hangs, then dies, while commands of a schema version the service has not seen arrive: nothing dead-lettered for it, not ready and why, applied once it answers', async () => {
  expect.hasAssertions();
  const cluster = fileCluster();
  if (!cluster) return notOnCluster('13-registry-outage');
  const storageDir = mkdtempSync(join(tmpdir(), 'backoffice-registry-'));
  const version = chooseStack().apicurioVersion;
  let registry = await startApicurio({ port: await osPort(), version, storageDir });
  const stack = await startFaultStack({ cluster, registryUrl: registry.url });
  let processor: ServiceProcess | undefined;
  try {
    const seed = seedFor(13);
    const rnd = random(seed);
    const generated = await buildLoad(stack, seed, COMMANDS);
    const half = Math.floor(generated.length / 2);
    const next = await nextCommandVersion(stack);
    // A later copy of an earlier command keeps its bytes: the same commandId in other bytes is
    // what a reused key is to the model of intents.
    const earlier = new Set(generated.slice(0, half).flatMap((record) => (record.spec.kind === 'command' ? [record.spec.command.commandId] : [])));
    const records = [...generated.slice(0, half), ...generated.slice(half).map((record) => (
      record.spec.kind === 'command' && earlier.has(record.spec.command.commandId) ? record : next.reencode(record)))];
    processor = await ServiceProcess.start({ name: '13-registry-outage', env: serviceEnv(stack.config), logDir: stack.dir });
    await processor.waitReady();
    const producer = loadProducer(stack.kafka, { wholeSends: true });
    await producer.connect();
    // The first half, in the version the service registered, all the way through.
    await sendPaced(producer, stack.topics.commands, records.slice(0, half), { ratePerSecond: RATE, chunk: 50, persistMs: 60_000 });
    await eventually(async () => {
      const position = await groupPosition(stack, stack.config.KAFKA_GROUP_ID, stack.topics.commands);
      return position.committed === position.end ? true : undefined;
    }, 120_000);

    // Hangs: the process stopped, its port still accepting connections that are never answered.
    process.kill(registry.pid, 'SIGSTOP');
    const hungAt = Date.now();
    await sendPaced(producer, stack.topics.commands, records.slice(half), { ratePerSecond: RATE * 2, chunk: 50, persistMs: 60_000 });
    await producer.disconnect();
    const notReady = await eventually(async () => {
      const reply = await processor!.readyz();
      return reply?.status === 503 ? reply.body.checks : undefined;
    }, 90_000);
    const notReadyAfterMs = Date.now() - hungAt;
    // Why: decoding waits for the registry, and the log says it is unavailable.
    expect(notReady.stalledStep).toBe('decode');
    // Awaited: readiness can turn before the line reaches the log file.
    const why = await eventually(async () => {
      const lines = processor!.logEntries('processor step failed; retrying').filter((entry) => entry.step === 'decode' && JSON.stringify(entry.err).includes('schema registry unavailable'));
      return lines.length > 0 ? lines : undefined;
    }, 30_000);
    expect(why.length).toBeGreaterThan(0);
    await pause(5000 + rnd() * 5000);
    const hungMs = Date.now() - hungAt;

    // Dies.
    await registry.kill();
    await pause(3000 + rnd() * 3000);
    expect((await processor.readyz())?.status).toBe(503);
    const deadMs = Date.now() - hungAt - hungMs;

    // Back on its storage: the same schemas under the same ids.
    const restarting = Date.now();
    registry = await startApicurio({ port: registry.port, version, storageDir });
    const restartMs = Date.now() - restarting;
    const { expectation, log, convergence, recoverMs, observed, verdict, intents } = await settle(stack, records, 240_000, restarting);
    const registryDeadLetters = observed.published.filter((record) => record.topic === stack.topics.dlq && ['UNKNOWN_SCHEMA', 'REGISTRY_UNAVAILABLE'].includes(String(record.headers['error.code'])));
    report(summarize({
      broker: cluster.topology, scenario: '13-registry-outage', seed, faultsInjected: 2,
      faults: `the registry SIGSTOPped (hung) for ${hungMs} ms, then SIGKILLed and away ${deadMs} ms, then started again on its storage, while ${records.length - half} records in schema version id ${next.id} (unseen by the service) arrived`,
      recoverMs, sent: records.length,
    }, expectation, verdict, {
      converged: convergence.converged, logRecords: log.length, notReadyAfterMs, notReadyChecks: notReady, registryRestartMs: restartMs,
      registryDeadLetters: registryDeadLetters.length, processorAlive: processor.alive,
    }), verdict, intents);
    expect(convergence.converged).toBe(true);
    expect(registryDeadLetters).toEqual([]);
    expectClean(verdict, expectation, observed, records.length, intents);
    await processor.waitReady(60_000);
    expect((await processor.readyz())?.status).toBe(200);
    expect(processor.alive).toBe(true);
    expect(processor.errorLines()).toEqual([]);
  } catch (error) {
    keepForPostMortem(stack, processor);
    throw error;
  } finally {
    await processor?.destroy();
    await stack.stop();
    await registry.stop();
    rmSync(storageDir, { recursive: true, force: true });
  }
}, 900_000);
