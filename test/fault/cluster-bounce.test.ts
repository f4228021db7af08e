import { Kafka, logLevel } from 'kafkajs';
import { ConfigResourceTypes } from 'kafkajs';
import { REPLICATION } from '../../dev/stack/kafka-cluster.ts';
import {
  bounceNode, bounceUnderLoad, busiestLeader, clusterForFile, notOnCluster, pause, waitLeadersMoved, type FaultRecord,
} from '../support/fault/cluster.ts';
import { startFaultStack } from '../support/fault/stack.ts';

/**
 * Scenarios 8-10, on the replicated cluster (three brokers, three controllers, every topic with
 * three replicas and min.insync.replicas=2): the leader of the command partitions SIGKILLed and
 * restarted on its log five times; a rolling restart (each broker SIGTERMed in turn); the active
 * controller SIGKILLed. Each under load, each checked by the replay and the model of intents.
 */

const HARD_BOUNCES = Number(process.env.FAULT_HARD_BOUNCES ?? 5);
const COMMANDS = Number(process.env.FAULT_CLUSTER_COMMANDS ?? 3000);
const RATE = Number(process.env.FAULT_CLUSTER_RATE ?? 200);

const fileCluster = clusterForFile();

test('every topic, the internal ones included, has three replicas, min.insync.replicas=2 and no unclean leader election; only SASL_SSL clients get in', async () => {
  // The scenario's checks run inside the frame and its fault callbacks.
  expect.hasAssertions();
  const cluster = fileCluster();
  if (!cluster) return notOnCluster('cluster-topology');
  const stack = await startFaultStack({ cluster });
  try {
    // Secured as production is: a client without TLS and credentials gets nowhere.
    const plaintext = new Kafka({ brokers: cluster.brokers, clientId: 'plaintext', logLevel: logLevel.NOTHING, retry: { retries: 0 }, connectionTimeout: 2000, requestTimeout: 2000 }).admin();
    await expect(plaintext.connect().then(() => plaintext.describeCluster())).rejects.toThrow();
    await plaintext.disconnect();
    const admin = stack.kafka.admin();
    await admin.connect();
    try {
      const topics = [stack.topics.commands, stack.topics.dlq, stack.topics.events, stack.topics.notifications, ...Object.values(stack.topics.listings), '__consumer_offsets'];
      const metadata = await admin.fetchTopicMetadata({ topics });
      const replicas = metadata.topics.flatMap((topic) => topic.partitions.map((partition) => `${topic.name}/${partition.partitionId}:${partition.replicas.length}/${partition.isr.length}`));
      expect(replicas.filter((entry) => !entry.endsWith(`:${REPLICATION.replicas}/${REPLICATION.replicas}`))).toEqual([]);
      expect(replicas.length).toBeGreaterThanOrEqual(topics.length);
      const configs = await admin.describeConfigs({
        includeSynonyms: false,
        resources: topics.map((name) => ({ type: ConfigResourceTypes.TOPIC, name, configNames: ['min.insync.replicas', 'unclean.leader.election.enable'] })),
      });
      const settings = configs.resources.map((resource) => ({
        topic: resource.resourceName, ...Object.fromEntries(resource.configEntries.map((entry) => [entry.configName, entry.configValue])),
      }));
      expect(settings).toEqual(topics.map((topic) => ({ topic, 'min.insync.replicas': '2', 'unclean.leader.election.enable': 'false' })));
      expect(cluster.activeController()).toBeGreaterThanOrEqual(101);
    } finally {
      await admin.disconnect();
    }
  } finally {
    await stack.stop();
  }
}, 120_000);

test(`hard bounce: the leader of the command partitions SIGKILLed mid-load and restarted on its log, ${HARD_BOUNCES} times`, async () => {
  // The scenario's checks run inside the frame and its fault callbacks.
  expect.hasAssertions();
  const cluster = fileCluster();
  if (!cluster) return notOnCluster('8-hard-bounce');
  await bounceUnderLoad(cluster, {
    scenario: '8-hard-bounce', seedNumber: 8, commands: COMMANDS, faults: HARD_BOUNCES, rate: RATE,
    describe: (faults) => `${faults.length} SIGKILLs of the broker leading most command partitions (brokers ${faults.map((fault) => fault.node).join(', ')}), each restarted on its log once its partitions had a new leader`,
    async inject(stack, index, rnd): Promise<FaultRecord> {
      const afterMs = Math.round(200 + rnd() * 1500);
      await pause(afterMs);
      const { node, partitions } = await busiestLeader(cluster!, stack.topics.commands);
      expect(partitions.length).toBeGreaterThan(0);
      const bounced = await bounceNode(stack, node, () => node.kill(), () => waitLeadersMoved(cluster!, stack.topics.commands, node, 60_000), rnd);
      return { node: `broker ${node.id}`, ledPartitions: partitions, afterMs, downMs: bounced.downMs, restartMs: bounced.restartMs, newLeaderMs: bounced.whileDown, inSyncMs: bounced.syncMs, bounce: index + 1 };
    },
  });
}, 1_200_000);

test('clean bounce: each broker SIGTERMed in turn under load and started again (a rolling restart)', async () => {
  // The scenario's checks run inside the frame and its fault callbacks.
  expect.hasAssertions();
  const cluster = fileCluster();
  if (!cluster) return notOnCluster('9-rolling-restart');
  await bounceUnderLoad(cluster, {
    scenario: '9-rolling-restart', seedNumber: 9, commands: COMMANDS, faults: cluster.brokerNodes.length, rate: RATE,
    describe: (faults) => `a rolling restart: ${faults.map((fault) => fault.node).join(', ')} SIGTERMed in turn (controlled shutdown), each started again once it had exited`,
    async inject(stack, index, rnd): Promise<FaultRecord> {
      const afterMs = Math.round(200 + rnd() * 1500);
      await pause(afterMs);
      const node = cluster!.brokerNodes[index]!;
      const stopping = Date.now();
      // A controlled shutdown hands every leadership over before the broker exits.
      const bounced = await bounceNode(stack, node, () => node.terminate(), async () => {
        const exitMs = Date.now() - stopping;
        await waitLeadersMoved(cluster!, stack.topics.commands, node, 5000);
        return exitMs;
      }, rnd);
      return { node: `broker ${node.id}`, at: bounced.at, afterMs, shutdownMs: bounced.whileDown, downMs: bounced.downMs, restartMs: bounced.restartMs, inSyncMs: bounced.syncMs };
    },
  });
}, 900_000);

test('the active controller SIGKILLed mid-load, twice: another controller takes over, the brokers and the service go on', async () => {
  // The scenario's checks run inside the frame and its fault callbacks.
  expect.hasAssertions();
  const cluster = fileCluster();
  if (!cluster) return notOnCluster('10-controller-kill');
  await bounceUnderLoad(cluster, {
    scenario: '10-controller-kill', seedNumber: 10, commands: COMMANDS, faults: 2, rate: RATE,
    describe: (faults) => `${faults.length} SIGKILLs of the active controller (${faults.map((fault) => fault.node).join(', ')}), each restarted on its log once another controller led the quorum`,
    async inject(stack, _index, rnd): Promise<FaultRecord> {
      const afterMs = Math.round(200 + rnd() * 1500);
      await pause(afterMs);
      const active = cluster!.activeController();
      const node = cluster!.controllerNodes.find((controller) => controller.id === active);
      expect(node).toBeDefined();
      const bounced = await bounceNode(stack, node!, () => node!.kill(), async () => {
        const killed = Date.now();
        for (;;) {
          const now = cluster!.activeController();
          if (now !== null && now !== node!.id) return { newController: now, electedMs: Date.now() - killed };
          if (Date.now() - killed > 60_000) throw new Error(`no other controller took over within 60 s of killing ${node!.id}`);
          await pause(100);
        }
      }, rnd);
      return { node: `controller ${node!.id}`, afterMs, ...bounced.whileDown, downMs: bounced.downMs, restartMs: bounced.restartMs, inSyncMs: bounced.syncMs };
    },
  });
}, 900_000);
