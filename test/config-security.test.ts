import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.ts';
import { configRefusal as refusal } from './support/config-refusal.ts';
import { kafkaConnection } from '../src/kafka.ts';
import { registryAccess } from '../src/schemas/serde.ts';

/**
 * Connection security settings (src/config-security.ts) with real files: secrets from
 * `<NAME>_FILE`, PEM files read at start, settings that only make sense together, and messages
 * that name the variable without ever repeating a secret.
 */

let dir: string;
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'backoffice-config-')); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));


const sasl = { KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512', KAFKA_SASL_USERNAME: 'backoffice', KAFKA_SASL_PASSWORD: 's3cret-sasl' };

test('a secret comes from its _FILE, without the final line break a mounted secret has', () => {
  const config = loadConfig({
    KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', KAFKA_SASL_MECHANISM: 'PLAIN', KAFKA_SASL_USERNAME: 'backoffice',
    KAFKA_SASL_PASSWORD_FILE: file('sasl', 'pa ss\n'),
    DATABASE_URL_FILE: file('db', 'postgres://u:p@db:5432/backoffice\n'),
    SCHEMA_REGISTRY_URL: 'https://registry:8081', SCHEMA_REGISTRY_USERNAME: 'r', SCHEMA_REGISTRY_PASSWORD_FILE: file('registry', 'reg\r\n'),
  });
  expect([config.KAFKA_SASL_PASSWORD, config.DATABASE_URL, config.SCHEMA_REGISTRY_PASSWORD]).toEqual(['pa ss', 'postgres://u:p@db:5432/backoffice', 'reg']);
});

test('the Kafka clients and the registry client take TLS and SASL from the settings', () => {
  const ca = file('ca.pem', PEM);
  const config = loadConfig({ ...sasl, KAFKA_SSL_CA_FILE: ca, SCHEMA_REGISTRY_URL: 'https://registry:8081', SCHEMA_REGISTRY_USERNAME: 'r', SCHEMA_REGISTRY_PASSWORD: 'p', SCHEMA_REGISTRY_CA_FILE: ca });
  expect(kafkaConnection(config)).toEqual({
    ssl: { ca: PEM, cert: undefined, key: undefined, passphrase: undefined },
    sasl: { mechanism: 'scram-sha-512', username: 'backoffice', password: 's3cret-sasl' },
  });
  expect(registryAccess(config)).toEqual({ auth: { username: 'r', password: 'p' }, caFile: ca });
  expect(kafkaConnection(loadConfig({}))).toEqual({});
  expect(kafkaConnection(loadConfig({ KAFKA_SECURITY_PROTOCOL: 'SSL' }))).toEqual({ ssl: { ca: undefined, cert: undefined, key: undefined, passphrase: undefined } });
});

test.each([
  ['KAFKA_SASL_PASSWORD_FILE and KAFKA_SASL_PASSWORD are exclusive; set one', () => ({ KAFKA_SASL_PASSWORD: 'a', KAFKA_SASL_PASSWORD_FILE: file('both', 'b') })],
  ['KAFKA_SASL_PASSWORD_FILE cannot be read: ENOENT', () => ({ KAFKA_SASL_PASSWORD_FILE: join(dir, 'missing') })],
  ['KAFKA_SASL_MECHANISM is required with KAFKA_SECURITY_PROTOCOL=SASL_SSL', () => ({ ...sasl, KAFKA_SASL_MECHANISM: '' })],
  ['KAFKA_SASL_PASSWORD is required with KAFKA_SECURITY_PROTOCOL=SASL_SSL (or KAFKA_SASL_PASSWORD_FILE)', () => ({ ...sasl, KAFKA_SASL_PASSWORD: '' })],
  ['KAFKA_SASL_MECHANISM Invalid option', () => ({ ...sasl, KAFKA_SASL_MECHANISM: 'GSSAPI' })],
  ['KAFKA_SASL_USERNAME is set, but KAFKA_SECURITY_PROTOCOL=PLAINTEXT uses no SASL', () => ({ KAFKA_SASL_USERNAME: 'backoffice' })],
  ['KAFKA_SSL_CA_FILE is set, but KAFKA_SECURITY_PROTOCOL=PLAINTEXT uses no TLS', () => ({ KAFKA_SSL_CA_FILE: file('plain-ca.pem', PEM) })],
  ['KAFKA_SSL_KEY_FILE is required with KAFKA_SSL_CERT_FILE (mutual TLS needs both)', () => ({ KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SSL_CERT_FILE: file('cert.pem', PEM) })],
  ['KAFKA_SSL_CA_FILE is not a PEM file', () => ({ KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SSL_CA_FILE: file('not.pem', 'hello') })],
  ['KAFKA_SSL_CA_FILE cannot be read: ENOENT', () => ({ KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SSL_CA_FILE: join(dir, 'nope.pem') })],
  ['SCHEMA_REGISTRY_PASSWORD is required with SCHEMA_REGISTRY_USERNAME (basic auth needs both)', () => ({ SCHEMA_REGISTRY_USERNAME: 'r' })],
  ['SCHEMA_REGISTRY_CA_FILE is set, but SCHEMA_REGISTRY_URL is not https://', () => ({ SCHEMA_REGISTRY_URL: 'http://registry:8081', SCHEMA_REGISTRY_CA_FILE: file('reg-ca.pem', PEM) })],
  ['DATABASE_URL sslmode must be disable, require (verified TLS) or no-verify (got sslmode=verify-full)', () => ({ DATABASE_URL: 'postgres://u:db-secret@db/x?sslmode=verify-full' })],
  ['DATABASE_URL sslrootcert cannot be read: ENOENT', () => ({ DATABASE_URL: `postgres://u:db-secret@db/x?sslmode=require&sslrootcert=${join(dir, 'none.pem')}` })],
])('refused in one line naming the variable: %s', (message, env) => {
  expect(refusal(env())).toContain(`Invalid configuration: ${message}`);
});

test('a refused secret is never repeated in the message', () => {
  const message = refusal({ DATABASE_URL: 'mysql://u:db-secret@db/x' });
  expect(message).toBe('Invalid configuration: DATABASE_URL must be a postgres:// URL');
});
