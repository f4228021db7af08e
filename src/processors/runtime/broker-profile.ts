import type { Config } from '../../config.ts';

/**
 * What the broker the service talks to can do, in one place: Apache Kafka (and any real Kafka)
 * can do all of it; go-mokapi, the Node-only development fallback, cannot. Nothing else in the
 * production path asks which broker it is.
 */
export interface BrokerProfile {
  /** The command topic stamps LogAppendTime, so decisions are judged at append time (envelope.ts). */
  stampsAppendTime: boolean;
  /** OffsetFetch is answered to any client; otherwise lag is read from this instance's own commits. */
  answersOffsetFetchToAnyone: boolean;
}

export const brokerProfile = (quirks: Config['KAFKA_BROKER_QUIRKS']): BrokerProfile => ({
  stampsAppendTime: quirks !== 'go-mokapi',
  answersOffsetFetchToAnyone: quirks !== 'go-mokapi',
});
