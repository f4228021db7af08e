import { loadConfig } from '../../src/config.ts';
import { configRefusal as fails } from '../support/config-refusal.ts';

test('defaults fill everything but the addresses', () => {
  const config = loadConfig({});
  expect(config).toMatchObject({ HTTP_PORT: 8080, TOPIC_COMMANDS: 'backoffice.application-commands' });
  expect(config.KAFKA_BROKERS).toBeUndefined();
});

test('the reviewers\' recipient id has a default and can be set', () => {
  expect(loadConfig({}).REVIEWERS_RECIPIENT_ID).toBe('backoffice-reviewers');
  expect(loadConfig({ REVIEWERS_RECIPIENT_ID: ' masters ' }).REVIEWERS_RECIPIENT_ID).toBe('masters');
});

test('a review claim lasts 15 minutes unless REVIEW_CLAIM_MINUTES says otherwise', () => {
  expect(loadConfig({}).REVIEW_CLAIM_MINUTES).toBe(15);
  expect(loadConfig({ REVIEW_CLAIM_MINUTES: '30' }).REVIEW_CLAIM_MINUTES).toBe(30);
});

test('addresses are parsed', () => {
  const config = loadConfig({ KAFKA_BROKERS: 'a:9092, b:9092', DATABASE_URL: 'postgres://u:p@h:5432/d', SCHEMA_REGISTRY_URL: 'http://r:8081' });
  expect(config.KAFKA_BROKERS).toEqual(['a:9092', 'b:9092']);
  expect(loadConfig({ KAFKA_BROKERS: '127.0.0.1:19092,[::1]:9092,kafka-0.kafka.svc:9093' }).KAFKA_BROKERS).toHaveLength(3);
});

test.each([
  [{ HTTP_PORT: '99999' }, 'HTTP_PORT'],
  [{ HTTP_PORT: 'eighty' }, 'HTTP_PORT'],
  [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
  [{ SCHEMA_REGISTRY_URL: 'not a url' }, 'SCHEMA_REGISTRY_URL'],
  [{ TOPIC_EVENTS: 'bad topic!' }, 'TOPIC_EVENTS'],
  [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
  [{ KAFKA_BROKERS: 'nohostport' }, 'KAFKA_BROKERS must be a comma-separated list of host:port (got "nohostport")'],
  [{ KAFKA_BROKERS: 'a:9092,b' }, 'KAFKA_BROKERS'],
  [{ KAFKA_BROKERS: 'a:99999' }, 'KAFKA_BROKERS'],
  [{ KAFKA_BROKERS: ' , ' }, 'KAFKA_BROKERS'],
  [{ KAFKA_BROKER_QUIRKS: 'redpanda' }, 'KAFKA_BROKER_QUIRKS'],
  [{ EMBEDDED_STACK: 'docker' }, 'EMBEDDED_STACK'],
  [{ EMBEDDED_KAFKA_VERSION: 'latest' }, 'EMBEDDED_KAFKA_VERSION'],
  [{ AUTH_PUBLIC_KEY: 'abc' }, 'AUTH_PUBLIC_KEY'],
  [{ REVIEWERS_RECIPIENT_ID: 'x'.repeat(101) }, 'REVIEWERS_RECIPIENT_ID'],
  [{ REVIEW_CLAIM_MINUTES: '0' }, 'REVIEW_CLAIM_MINUTES'],
  [{ REVIEW_CLAIM_MINUTES: '1441' }, 'REVIEW_CLAIM_MINUTES'],
  [{ REVIEW_CLAIM_MINUTES: 'soon' }, 'REVIEW_CLAIM_MINUTES'],
  [{ REVIEWERS_RECIPIENT_ID: 'review\nteam' }, 'REVIEWERS_RECIPIENT_ID must not contain control characters'],
  [{ AUTH_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----', AUTH_JWKS_URL: 'https://idp/jwks' }, 'AUTH_PUBLIC_KEY and AUTH_JWKS_URL'],
])('%j fails with one message naming %s', (env, variable) => {
  expect(fails(env)).toContain(`Invalid configuration: ${variable}`);
});
