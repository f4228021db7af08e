import { join } from 'node:path';
import { cacheDir, fetchOnce, jdkAtLeast, pomDir, type Jdk } from './java.ts';
import { spawnJvm } from './jvm.ts';
import { freePort, listensOn, onFreePort } from './ports.ts';

export const DEFAULT_APICURIO_VERSION = '3.3.3';
/** Apicurio Registry 3.3 is compiled for Java 21 (class file 65); Java 17 refuses to load it. */
export const APICURIO_MIN_JAVA = 21;

export interface EmbeddedApicurio {
  label: string;
  /** The Confluent-compatible API, the address @kafkajs/confluent-schema-registry is given. */
  url: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
  /** SIGKILL, as a crash would. */
  kill(): Promise<void>;
}

/** The JDK Apicurio would run on, or why it cannot run here. */
export function apicurioJdk(): Jdk | string {
  return jdkAtLeast(APICURIO_MIN_JAVA) ?? `Apicurio Registry needs Java >= ${APICURIO_MIN_JAVA}, and no such JDK was found (JAVA_HOME, PATH, /usr/lib/jvm)`;
}

async function waitForApi(url: string, timeoutMs: number, exited: () => string | null): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const failure = exited();
    if (failure) throw new Error(failure);
    const ok = await fetch(`${url}/subjects`, { signal: AbortSignal.timeout(2000) }).then((response) => response.ok, () => false);
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`Apicurio Registry did not answer ${url}/subjects within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Apicurio Registry from its distribution archive on Maven Central, in-memory storage (its
 * default), reached through its Confluent-compatible API. Its global compatibility is set to
 * BACKWARD, Confluent Schema Registry's default, so that a schema change is checked as it
 * would be in production. `storageDir`: keep its content in an H2 database file there instead,
 * so that a registry started again on it serves the same schemas under the same ids.
 */
export async function startApicurio(options: { port?: number; version?: string; storageDir?: string; announce?: (line: string) => void } = {}): Promise<EmbeddedApicurio> {
  const version = options.version ?? DEFAULT_APICURIO_VERSION;
  const jdk = apicurioJdk();
  if (typeof jdk === 'string') throw new Error(jdk);
  const home = await fetchOnce(join(cacheDir(), `apicurio-${version}`), pomDir('apicurio'), 'dependency:unpack',
    { 'apicurio.version': version }, options.announce ?? (() => {}));
  return onFreePort(options.port, (port) => launch(jdk.java, home, port, version, options.storageDir));
}

async function launch(java: string, home: string, port: number, version: string, storageDir?: string): Promise<EmbeddedApicurio> {
  const jvm = spawnJvm('Apicurio Registry', java, [
    '-Xms64m', '-Xmx256m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-XX:+ExitOnOutOfMemoryError',
    `-Dquarkus.http.port=${port}`, '-Dquarkus.http.host=127.0.0.1', '-Dquarkus.log.level=WARN',
    '-Dquarkus.log.category."io.apicurio".level=WARN', '-Dquarkus.http.access-log.enabled=false',
    // Its management interface (health, metrics) is built in; by default it would take
    // 0.0.0.0:9000, which allows one registry per machine.
    `-Dquarkus.management.port=${await freePort()}`, '-Dquarkus.management.host=127.0.0.1',
    ...(storageDir ? [`-Dapicurio.datasource.url=jdbc:h2:file:${join(storageDir, 'registry')};WRITE_DELAY=0`] : []),
    '-jar', join(home, 'quarkus-run.jar'),
  ], { cwd: home });
  const url = `http://127.0.0.1:${port}/apis/ccompat/v7`;
  const stop = () => jvm.stop(10_000);
  try {
    await waitForApi(url, 120_000, jvm.exited);
    // Another run's registry may hold the port: ready only once our own JVM is the one listening.
    if (!listensOn(jvm.pid, port)) throw new Error(jvm.exited() ?? `port ${port} answers, but not from our Apicurio Registry (pid ${jvm.pid})`);
    const response = await fetch(`${url}/config`, {
      method: 'PUT', headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' }, body: JSON.stringify({ compatibility: 'BACKWARD' }),
    });
    if (!response.ok) throw new Error(`Apicurio Registry refused the global compatibility setting: ${response.status} ${await response.text()}`);
  } catch (error) {
    await stop();
    throw error;
  }
  return { label: `apicurio-registry ${version}`, url, port, pid: jvm.pid, stop, kill: () => jvm.kill() };
}
