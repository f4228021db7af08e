import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgres, type EmbeddedDatabase } from '../../src/embedded/postgres.ts';

declare global {
  var testPostgres: EmbeddedDatabase | undefined;
}

/** One real PostgreSQL server for the whole run; every suite gets a database of its own. */
export default async function globalSetup(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'backoffice-test-pg-'));
  const postgres = await startPostgres({ dataDir, persistent: false });
  globalThis.testPostgres = postgres;
  process.env.TEST_POSTGRES_URL = postgres.url;
}
