import { Kafka, logLevel, type Admin } from 'kafkajs';
import { CommandSender } from '../../src/client/command-sender.ts';
import type { Topics } from '../../src/config.ts';
import type { Serde } from '../../src/schemas/serde.ts';
import type { PlannedCommand } from './workload.ts';
import '../../src/kafkajs-idle-fix.ts';

export const kafkaClient = (brokers: string[], clientId: string) =>
  new Kafka({ clientId, brokers, logLevel: logLevel.ERROR, retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 2000 } });

/** The records of planned commands, encoded by the real CommandSender (so with the registered schema). */
export function encodeAll(sender: CommandSender, commands: PlannedCommand[]): { key: string; value: Buffer }[] {
  return commands.map((planned) => ({
    key: planned.applicationId,
    value: planned.raw ?? sender.encode(planned.input!).value,
  }));
}

/**
 * Puts the commands on the command topic in big batches through `lanes` CommandSenders. An
 * application's commands always go through one lane, so their order holds.
 */
export async function preload(kafka: Kafka, serde: Serde, topics: Topics, commands: PlannedCommand[], options: { lanes: number; batch: number }): Promise<{ seconds: number }> {
  const senders = Array.from({ length: options.lanes }, () => new CommandSender(kafka, serde, topics));
  await Promise.all(senders.map((sender) => sender.connect()));
  try {
    const laneOf = (applicationId: string) => parseInt(applicationId.slice(0, 8), 16) % options.lanes;
    const lanes: PlannedCommand[][] = senders.map(() => []);
    for (const planned of commands) lanes[laneOf(planned.applicationId)]!.push(planned);
    const started = performance.now();
    await Promise.all(lanes.map(async (lane, index) => {
      const sender = senders[index]!;
      for (let offset = 0; offset < lane.length; offset += options.batch) {
        await sender.sendRaw(encodeAll(sender, lane.slice(offset, offset + options.batch)));
      }
    }));
    return { seconds: (performance.now() - started) / 1000 };
  } finally {
    await Promise.all(senders.map((sender) => sender.disconnect()));
  }
}

/** Sum of the high watermarks of the topics' partitions: how many records each holds. */
export async function topicCounts(admin: Admin, topics: string[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  await Promise.all(topics.map(async (topic) => {
    const offsets = await admin.fetchTopicOffsets(topic);
    counts.set(topic, offsets.reduce((sum, partition) => sum + Number(partition.high), 0));
  }));
  return counts;
}

export async function partitionEnds(admin: Admin, topic: string): Promise<Map<number, number>> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return new Map(offsets.map((partition) => [partition.partition, Number(partition.high)]));
}

export const outputTopics = (topics: Topics): string[] =>
  [topics.events, ...Object.values(topics.listings), topics.notifications, topics.dlq];
