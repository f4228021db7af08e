import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import kafkajs, { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import type { AclGrant } from '../../src/kafka-acls.ts';
import { freePort } from './ports.ts';

const run = promisify(execFile);
// kafkajs is CommonJS: its enums are properties of the module object, not named exports Node can see.
const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } = kafkajs;

/**
 * The cluster's principals: `admin` is the super user (the broker itself, topic and ACL set-up);
 * `operator` runs the CLI, which sends commands and reads their outcomes.
 */
export const USERS = ['admin', 'service', 'producer', 'reader', 'operator'] as const;
export type User = typeof USERS[number];
export type SaslMechanism = 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

/**
 * Certificates made at test time with openssl (nothing is committed): a CA that signs the
 * broker's certificate (for `localhost` and 127.0.0.1) and the service's client certificate
 * (CN=service, for the mutual-TLS listener); and a rogue CA, trusted by nobody, with a client
 * certificate of its own, for the refusals.
 */
export interface SecurityFiles {
  ca: string;
  /** The broker's key and certificate in one PEM file (Kafka's PEM keystore). */
  brokerKeystore: string;
  /** The same certificate and key apart, for other local servers (a registry, PostgreSQL). */
  serverCert: string;
  serverKey: string;
  serviceCert: string;
  serviceKey: string;
  rogueCa: string;
  rogueCert: string;
  rogueKey: string;
}

/**
 * What a secured node needs, kept in its directory so that a restart on the same log finds the
 * same users, passwords and certificates. Listeners: SASL_SSL (SCRAM-SHA-256/512 and PLAIN) on
 * the node's port, SSL with required client certificates on `mtlsPort`, SASL_PLAINTEXT (PLAIN,
 * admin only) for the controller; nothing plaintext a client could use.
 */
export interface KafkaSecurity {
  dir: string;
  files: SecurityFiles;
  passwords: Record<User, string>;
  mtlsPort: number;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  await run('openssl', args, { cwd, timeout: 30_000 });
}

/** A key and a certificate for `subject` signed by `ca` (or self-signed as a CA when `ca` is null). */
async function certificate(dir: string, name: string, subject: string, ca: string | null, extensions: string): Promise<void> {
  await openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', `${name}.key`], dir);
  if (ca === null) {
    await openssl(['req', '-x509', '-new', '-key', `${name}.key`, '-subj', subject, '-days', '30', '-out', `${name}.pem`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
    return;
  }
  writeFileSync(join(dir, `${name}.ext`), extensions);
  await openssl(['req', '-new', '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`], dir);
  await openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-days', '30',
    '-extfile', `${name}.ext`, '-out', `${name}.pem`], dir);
}

async function makeFiles(dir: string): Promise<SecurityFiles> {
  const server = 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n';
  const client = 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n';
  await Promise.all([certificate(dir, 'ca', '/CN=backoffice-test-ca', null, ''), certificate(dir, 'rogue-ca', '/CN=rogue-ca', null, '')]);
  await Promise.all([
    certificate(dir, 'broker', '/CN=localhost', 'ca', server),
    certificate(dir, 'service', '/CN=service', 'ca', client),
    certificate(dir, 'rogue', '/CN=service', 'rogue-ca', client),
  ]);
  writeFileSync(join(dir, 'broker-keystore.pem'), readFileSync(join(dir, 'broker.key'), 'utf8') + readFileSync(join(dir, 'broker.pem'), 'utf8'));
  return {
    ca: join(dir, 'ca.pem'), brokerKeystore: join(dir, 'broker-keystore.pem'), serverCert: join(dir, 'broker.pem'), serverKey: join(dir, 'broker.key'),
    serviceCert: join(dir, 'service.pem'), serviceKey: join(dir, 'service.key'),
    rogueCa: join(dir, 'rogue-ca.pem'), rogueCert: join(dir, 'rogue.pem'), rogueKey: join(dir, 'rogue.key'),
  };
}

/** The node's security, made on first use in `<dir>/security` and read back on a restart. */
export async function kafkaSecurity(dir: string): Promise<KafkaSecurity> {
  const home = join(dir, 'security');
  const saved = join(home, 'security.json');
  if (existsSync(saved)) return JSON.parse(readFileSync(saved, 'utf8')) as KafkaSecurity;
  mkdirSync(home, { recursive: true });
  const security: KafkaSecurity = {
    dir: home,
    files: await makeFiles(home),
    passwords: Object.fromEntries(USERS.map((user) => [user, randomBytes(12).toString('base64url')])) as Record<User, string>,
    mtlsPort: await freePort(),
  };
  writeFileSync(saved, JSON.stringify(security, null, 2));
  return security;
}

const jaas = (module: 'plain' | 'scram', options: Record<string, string>) =>
  `org.apache.kafka.common.security.${module}.${module === 'plain' ? 'PlainLoginModule' : 'ScramLoginModule'} required ${Object.entries(options).map(([key, value]) => `${key}="${value}"`).join(' ')};`;

/**
 * What every secured node shares: the authorizer denying what no ACL allows, `admin` as the super
 * user, and the controller listener on SASL_PLAINTEXT with PLAIN and a static admin. SCRAM
 * credentials live in the metadata log, which a controller reads only once it runs, so the
 * controller listener cannot take SCRAM (as Kafka's KRaft docs advise).
 */
function authorizerProperties(security: KafkaSecurity): Record<string, string> {
  const { passwords } = security;
  return {
    'sasl.mechanism.controller.protocol': 'PLAIN',
    'listener.name.controller.sasl.enabled.mechanisms': 'PLAIN',
    'listener.name.controller.plain.sasl.jaas.config': jaas('plain', { username: 'admin', password: passwords.admin, user_admin: passwords.admin }),
    'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    'super.users': 'User:admin',
    'allow.everyone.if.no.acl.found': 'false',
  };
}

/** The SASL_SSL listener `SECURE` (SCRAM-SHA-256/512 and PLAIN), brokers talking to each other on it as admin. */
function secureListenerProperties(security: KafkaSecurity): Record<string, string> {
  const { passwords, files } = security;
  const admin = { username: 'admin', password: passwords.admin };
  const plainUsers = Object.fromEntries(USERS.map((user) => [`user_${user}`, passwords[user]]));
  return {
    'inter.broker.listener.name': 'SECURE',
    'sasl.mechanism.inter.broker.protocol': 'SCRAM-SHA-512',
    'listener.name.secure.sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
    'listener.name.secure.scram-sha-512.sasl.jaas.config': jaas('scram', admin),
    'listener.name.secure.scram-sha-256.sasl.jaas.config': jaas('scram', admin),
    'listener.name.secure.plain.sasl.jaas.config': jaas('plain', { ...admin, ...plainUsers }),
    'ssl.keystore.type': 'PEM',
    'ssl.keystore.location': files.brokerKeystore,
    'ssl.truststore.type': 'PEM',
    'ssl.truststore.location': files.ca,
    ...authorizerProperties(security),
  };
}

/** server.properties entries that replace the plaintext listeners of the single node, with a mutual-TLS listener besides. */
export function securedProperties(security: KafkaSecurity, port: number, controllerPort: number): Record<string, string> {
  return {
    listeners: `SECURE://127.0.0.1:${port},MTLS://127.0.0.1:${security.mtlsPort},CONTROLLER://127.0.0.1:${controllerPort}`,
    'advertised.listeners': `SECURE://localhost:${port},MTLS://localhost:${security.mtlsPort}`,
    'listener.security.protocol.map': 'SECURE:SASL_SSL,MTLS:SSL,CONTROLLER:SASL_PLAINTEXT',
    ...secureListenerProperties(security),
    'listener.name.mtls.ssl.client.auth': 'required',
    // A client certificate's CN is its principal: CN=service is User:service, as over SASL.
    'ssl.principal.mapping.rules': 'RULE:^CN=([^,]+)$/$1/,DEFAULT',
  };
}

/** A broker of the replicated cluster: SASL_SSL for clients and replication, the controllers over SASL_PLAINTEXT. */
export function securedBrokerProperties(security: KafkaSecurity, port: number): Record<string, string> {
  return {
    listeners: `SECURE://127.0.0.1:${port}`,
    'advertised.listeners': `SECURE://localhost:${port}`,
    'listener.security.protocol.map': 'SECURE:SASL_SSL,CONTROLLER:SASL_PLAINTEXT',
    ...secureListenerProperties(security),
  };
}

/** A controller of the replicated cluster: its quorum listener over SASL_PLAINTEXT (PLAIN, admin only), and the authorizer. */
export function securedControllerProperties(security: KafkaSecurity, port: number): Record<string, string> {
  return {
    listeners: `CONTROLLER://127.0.0.1:${port}`,
    'listener.security.protocol.map': 'CONTROLLER:SASL_PLAINTEXT',
    ...authorizerProperties(security),
  };
}

/** `kafka-storage format` arguments that create every user's SCRAM credentials (both hashes). */
export const scramFormatArgs = (security: KafkaSecurity): string[] =>
  USERS.flatMap((user) => ['SCRAM-SHA-256', 'SCRAM-SHA-512'].flatMap((mechanism) => ['--add-scram', `${mechanism}=[name=${user},password=${security.passwords[user]}]`]));

/** kafkajs settings of `user` on the SASL_SSL listener. */
export function saslClient(security: KafkaSecurity, user: User, mechanism: SaslMechanism = 'SCRAM-SHA-512'): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  return {
    ssl: { ca: readFileSync(security.files.ca, 'utf8') },
    sasl: { mechanism: mechanism.toLowerCase(), username: user, password: security.passwords[user] } as KafkaConfig['sasl'],
  };
}

/** The service's settings (src/config.ts) for `user` on the SASL_SSL listener. */
export function saslEnv(security: KafkaSecurity, user: User, mechanism: SaslMechanism = 'SCRAM-SHA-512'): Record<string, string> {
  return {
    KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', KAFKA_SSL_CA_FILE: security.files.ca,
    KAFKA_SASL_MECHANISM: mechanism, KAFKA_SASL_USERNAME: user, KAFKA_SASL_PASSWORD: security.passwords[user],
  };
}

/** Creates the grants as ALLOW ACLs, as the super user. */
export async function grantAcls(brokers: string[], security: KafkaSecurity, grants: AclGrant[]): Promise<void> {
  const admin = new Kafka({ brokers, clientId: 'embedded-acls', logLevel: logLevel.NOTHING, ...saslClient(security, 'admin') }).admin();
  await admin.connect();
  try {
    await admin.createAcls({
      acl: grants.flatMap((grant) => grant.operations.map((operation) => ({
        principal: grant.principal, host: '*',
        resourceType: AclResourceTypes[grant.resource], resourceName: grant.name, resourcePatternType: ResourcePatternTypes[grant.pattern],
        operation: AclOperationTypes[operation], permissionType: AclPermissionTypes.ALLOW,
      }))),
    });
  } finally {
    await admin.disconnect();
  }
}
