import { runner } from 'node-pg-migrate';
import type { Logger } from 'pino';
import { forPg } from './database-url.ts';

const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url).pathname;

/** Applies pending migrations; node-pg-migrate's advisory lock lets several instances start at once. */
export async function migrate(databaseUrl: string, logger: Logger): Promise<void> {
  const applied = await runner({
    databaseUrl: forPg(databaseUrl),
    dir: MIGRATIONS_DIR,
    direction: 'up',
    migrationsTable: 'pgmigrations',
    checkOrder: true,
    logger: { debug: () => {}, info: () => {}, warn: (msg: string) => logger.warn(msg), error: (msg: string) => logger.error(msg) },
  });
  if (applied.length > 0) logger.info({ migrations: applied.map((m) => m.name) }, 'migrations applied');
}
