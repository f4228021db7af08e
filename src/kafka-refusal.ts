import type { Config } from './config.ts';
import { untrustedCertificate } from './tls-codes.ts';

/** What kafkajs's errors carry that tells one refusal from another. */
export interface ClientFailure { name?: string; message: string; code?: string; type?: string; retriable?: boolean }


/**
 * The one line an operator reads when the cluster refuses the service's connection: which
 * setting to look at, without the secret itself (kafkajs's messages name the mechanism and the
 * user, never the password).
 */
export function kafkaRefusal(failure: ClientFailure, config: Config): string {
  const protocol = config.KAFKA_SECURITY_PROTOCOL;
  const tls = protocol === 'SSL' || protocol === 'SASL_SSL';
  if (failure.name === 'KafkaJSSASLAuthenticationError') {
    return `Kafka refused the SASL login of user "${config.KAFKA_SASL_USERNAME}" (${config.KAFKA_SASL_MECHANISM}): check KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD (${failure.message})`;
  }
  if (untrustedCertificate(failure.code)) {
    return `Kafka's TLS certificate is not trusted (${failure.code}): KAFKA_SSL_CA_FILE must hold the CA that signed the brokers' certificates (${failure.message})`;
  }
  // OpenSSL's own message is a multi-line dump of its internals; the code says it all.
  if (failure.code?.startsWith('ERR_SSL_')) {
    return `Kafka ended the TLS handshake (${failure.code}): the broker may require a client certificate it trusts (KAFKA_SSL_CERT_FILE, KAFKA_SSL_KEY_FILE)`;
  }
  if (failure.code === 'ECONNREFUSED' || failure.code === 'ENOTFOUND') {
    return `no Kafka broker answers at ${config.KAFKA_BROKERS?.join(',')} (${failure.code}): check KAFKA_BROKERS`;
  }
  if (!tls && /closed|ECONNRESET|timeout/i.test(`${failure.name} ${failure.message} ${failure.code ?? ''}`)) {
    return `Kafka closed the connection at the first request: the listener likely requires TLS, and KAFKA_SECURITY_PROTOCOL=${protocol} speaks plaintext (${failure.message})`;
  }
  if (tls && /socket disconnected before secure TLS|wrong version number|timeout/i.test(failure.message)) {
    return `Kafka did not complete a TLS handshake: the listener may be plaintext while KAFKA_SECURITY_PROTOCOL=${protocol} (${failure.message})`;
  }
  return `Kafka refused the connection: ${failure.message}`;
}

/** kafkajs wraps the socket's or the broker's answer in retry errors; the innermost one says what happened. */
export function innermost(error: unknown): ClientFailure {
  let current = error as ClientFailure & { originalError?: unknown; cause?: unknown };
  while (current.originalError ?? current.cause) current = (current.originalError ?? current.cause) as typeof current;
  return current;
}
