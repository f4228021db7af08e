import { loadConfig } from '../../src/config.ts';
import { kafkaRefusal } from '../../src/kafka-refusal.ts';

/** The one line an operator reads for each way a cluster refuses the service, as kafkajs reports it. */

const sasl = loadConfig({ KAFKA_BROKERS: 'k:9093', KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT', KAFKA_SASL_MECHANISM: 'SCRAM-SHA-256', KAFKA_SASL_USERNAME: 'svc', KAFKA_SASL_PASSWORD: 'hunter2-secret' });
const plain = loadConfig({ KAFKA_BROKERS: 'k:9093' });
const tls = loadConfig({ KAFKA_BROKERS: 'k:9093', KAFKA_SECURITY_PROTOCOL: 'SSL' });

test.each([
  ['wrong credentials', sasl, { name: 'KafkaJSSASLAuthenticationError', message: 'SASL SCRAM SHA256 authentication failed: invalid credentials' },
    'Kafka refused the SASL login of user "svc" (SCRAM-SHA-256): check KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD (SASL SCRAM SHA256 authentication failed: invalid credentials)'],
  ['an untrusted certificate', tls, { name: 'KafkaJSConnectionError', code: 'SELF_SIGNED_CERT_IN_CHAIN', message: 'Connection error: self-signed certificate in certificate chain' },
    'Kafka\'s TLS certificate is not trusted (SELF_SIGNED_CERT_IN_CHAIN): KAFKA_SSL_CA_FILE must hold the CA that signed the brokers\' certificates (Connection error: self-signed certificate in certificate chain)'],
  ['a refused client certificate', tls, { name: 'KafkaJSConnectionError', code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', message: 'Connection error: 40AD:error:0A00045C:SSL routines::tlsv13 alert certificate required:rec_layer_s3.c:918:\n' },
    'Kafka ended the TLS handshake (ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED): the broker may require a client certificate it trusts (KAFKA_SSL_CERT_FILE, KAFKA_SSL_KEY_FILE)'],
  ['a plaintext client on a TLS listener', plain, { name: 'KafkaJSConnectionClosedError', message: 'Closed connection' },
    'Kafka closed the connection at the first request: the listener likely requires TLS, and KAFKA_SECURITY_PROTOCOL=PLAINTEXT speaks plaintext (Closed connection)'],
  ['a TLS client on a plaintext listener', tls, { name: 'KafkaJSConnectionError', code: 'ECONNRESET', message: 'Connection error: Client network socket disconnected before secure TLS connection was established' },
    'Kafka did not complete a TLS handshake: the listener may be plaintext while KAFKA_SECURITY_PROTOCOL=SSL (Connection error: Client network socket disconnected before secure TLS connection was established)'],
  ['no broker', plain, { name: 'KafkaJSConnectionError', code: 'ECONNREFUSED', message: 'Connection error: connect ECONNREFUSED 10.0.0.1:9093' },
    'no Kafka broker answers at k:9093 (ECONNREFUSED): check KAFKA_BROKERS'],
  ['anything else', plain, { name: 'KafkaJSProtocolError', message: 'This server does not host this topic-partition' },
    'Kafka refused the connection: This server does not host this topic-partition'],
])('%s', (_case, config, failure, line) => {
  expect(kafkaRefusal(failure, config)).toBe(line);
});

test('the password is never part of the line', () => {
  expect(kafkaRefusal({ name: 'KafkaJSSASLAuthenticationError', message: 'failed' }, sasl)).not.toContain('hunter2-secret');
});
