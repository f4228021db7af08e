import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir, fetchOnce } from '../../dev/stack/java.ts';
import { REPO } from './service.ts';

const PEER_DIR = join(REPO, 'bench', 'streams');

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

const digest = (files: string[]) => {
  const hash = createHash('sha256');
  for (const file of files) hash.update(file.slice(PEER_DIR.length)).update(readFileSync(file));
  return hash.digest('hex').slice(0, 16);
};

/**
 * The classpath of the Kafka Streams peer (bench/streams), built by Maven into the cache the
 * broker's jars live in: its dependencies once per pom, its own jar once per pom and source
 * (the folder names carry their hashes, so an edited peer is rebuilt and an unchanged one is not).
 */
export async function streamsPeerClasspath(announce: (line: string) => void): Promise<string> {
  const pom = join(PEER_DIR, 'pom.xml');
  const libs = await fetchOnce(join(cacheDir(), `streams-peer-libs-${digest([pom])}`), PEER_DIR, 'dependency:copy-dependencies', { includeScope: 'runtime' }, announce);
  const jar = await fetchOnce(join(cacheDir(), `streams-peer-${digest([pom, ...filesUnder(join(PEER_DIR, 'src'))])}`), PEER_DIR, 'package', {}, announce);
  return [join(jar, '*'), join(libs, '*')].join(':');
}
