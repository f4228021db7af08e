import type { Kafka } from 'kafkajs';
import type { Logger } from './logger.ts';

/** The service cannot run safely as configured; the message is the one line an operator reads. */
export class StartRefused extends Error {}

const TIMESTAMP_TYPE = 'message.timestamp.type';

/**
 * Decisions are judged at the command record's append time (see processors/envelope.ts), which
 * only a topic with `message.timestamp.type=LogAppendTime` gives: with CreateTime the producer
 * chooses the timestamp and could back-date a decision into a leaked token's lifetime. A missing
 * command topic is created that way; an existing one with another setting refuses the start
 * rather than being changed behind its owner's back.
 */
export async function ensureCommandTopic(kafka: Kafka, topic: string, logger: Logger): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(topic)) {
      await admin.createTopics({ waitForLeaders: false, topics: [{ topic, configEntries: [{ name: TIMESTAMP_TYPE, value: 'LogAppendTime' }] }] });
      logger.info({ topic }, 'command topic created with LogAppendTime');
      return;
    }
    const described = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: topic, configNames: [TIMESTAMP_TYPE] }] });
    const value = described.resources[0]?.configEntries.find((entry) => entry.configName === TIMESTAMP_TYPE)?.configValue;
    if (value !== 'LogAppendTime') {
      throw new StartRefused(`The command topic ${topic} has ${TIMESTAMP_TYPE}=${value ?? 'unknown'}; decisions are judged by the broker's append time, so it must be LogAppendTime `
        + `(kafka-configs.sh --alter --entity-type topics --entity-name ${topic} --add-config ${TIMESTAMP_TYPE}=LogAppendTime)`);
    }
  } finally {
    await admin.disconnect();
  }
}
