import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Jdk { java: string; major: number }

/** Where the Maven-fetched parts (Kafka's jars, Apicurio's distribution) are kept between runs. */
export const cacheDir = (): string =>
  process.env.BACKOFFICE_CACHE_DIR || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'backoffice-approval-processor');

/** The folder of the poms that declare what Maven fetches. */
export const pomDir = (part: 'kafka' | 'apicurio'): string => join(dirname(fileURLToPath(import.meta.url)), part);

function onPath(command: string): string | null {
  for (const folder of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(folder, command);
    if (folder && existsSync(candidate)) return candidate;
  }
  return null;
}

function majorVersion(java: string): number | null {
  // `java -version` writes to stderr: openjdk version "17.0.15" 2025-04-15 (or "1.8.0_412").
  const result = spawnSync(java, ['-version'], { encoding: 'utf8', timeout: 10_000 });
  return result.status === 0 ? parseVersion(`${result.stderr}${result.stdout}`) : null;
}

function parseVersion(text: string): number | null {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(text);
  if (!match) return null;
  const first = Number(match[1]);
  return first === 1 ? Number(match[2]) : first;
}

let jdks: Jdk[] | null = null;

/** Every JDK found (JAVA_HOME, `java` on PATH, /usr/lib/jvm), newest first. */
export function findJdks(): Jdk[] {
  if (jdks) return jdks;
  const candidates = new Set<string>();
  if (process.env.JAVA_HOME) candidates.add(join(process.env.JAVA_HOME, 'bin', 'java'));
  const fromPath = onPath('java');
  if (fromPath) candidates.add(fromPath);
  if (existsSync('/usr/lib/jvm')) {
    for (const entry of readdirSync('/usr/lib/jvm')) candidates.add(join('/usr/lib/jvm', entry, 'bin', 'java'));
  }
  const found = new Map<number, Jdk>();
  for (const java of candidates) {
    if (!existsSync(java)) continue;
    const major = majorVersion(java);
    if (major !== null && !found.has(major)) found.set(major, { java, major });
  }
  jdks = [...found.values()].sort((a, b) => b.major - a.major);
  return jdks;
}

export const jdkAtLeast = (major: number): Jdk | null => findJdks().find((jdk) => jdk.major >= major) ?? null;

export const findMaven = (): string | null =>
  (process.env.MAVEN_HOME && existsSync(join(process.env.MAVEN_HOME, 'bin', 'mvn')) ? join(process.env.MAVEN_HOME, 'bin', 'mvn') : null) ?? onPath('mvn');

/**
 * Runs a Maven goal of one of our poms into `target` once: the output goes to a folder of its
 * own and is renamed into place only when complete, so an interrupted fetch is never taken for
 * a cached one, and two runs fetching at once both end with one whole copy.
 */
export async function fetchOnce(target: string, pom: string, goal: string, properties: Record<string, string>, announce: (line: string) => void): Promise<string> {
  if (existsSync(join(target, '.complete'))) return target;
  const maven = findMaven();
  if (!maven) throw new Error(`Maven (mvn) is needed to fetch ${target} and was not found on PATH`);
  const staging = `${target}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  announce(`fetching ${goal} of ${pom} into ${target} with Maven (first run only)`);
  const args = ['-B', '-q', '-f', join(pom, 'pom.xml'), goal, `-DoutputDirectory=${staging}`,
    ...Object.entries(properties).map(([name, value]) => `-D${name}=${value}`)];
  const jdk = jdkAtLeast(17);
  const env = jdk ? { ...process.env, JAVA_HOME: dirname(dirname(jdk.java)) } : process.env;
  await new Promise<void>((resolve, reject) => {
    const child = spawn(maven, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout!.on('data', (chunk: Buffer) => { text = (text + chunk.toString()).slice(-8192); });
    child.stderr!.on('data', (chunk: Buffer) => { text = (text + chunk.toString()).slice(-8192); });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`mvn ${goal} failed (exit ${code}):\n${text.trim()}`))));
  }).catch((error: unknown) => { rmSync(staging, { recursive: true, force: true }); throw error; });
  writeFileSync(join(staging, '.complete'), new Date().toISOString());
  try {
    renameSync(staging, target);
  } catch (error) {
    // Another run finished first: its copy is as good as ours.
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(join(target, '.complete'))) throw error;
  }
  return target;
}
