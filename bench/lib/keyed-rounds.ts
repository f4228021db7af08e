/**
 * The keyed reads and writes a drain cannot avoid, measured alone: for each command, the lookup of
 * its application and of its commandId (the fold's state and the idempotency check), its
 * processed_commands row (keyed by the client's commandId), its application_events row (keyed by
 * an id derived from the commandId, as the contract requires of event ids) and the upsert of its
 * application (keyed by the client's applicationId), in the service's own tables of a freshly migrated database and
 * in rounds of the service's default size on two connections, as the processor writes them. Every
 * other column is a constant, so what grows is what the indexes of random keys cost: the bound
 * under "PostgreSQL CPU per command flat over 1,000,000".
 */
import pg from 'pg';
import { uuidFromHex } from '../../src/domain/ids.ts';
import { treeCpuMicros } from './procs.ts';

const ROUND = 1000;
const LANES = 2;

/** The ids of every decodable command in plan order, 32 bytes each, so a million of them fit in 32 MB. */
export class CommandKeys {
  private bytes = Buffer.alloc(0);
  count = 0;

  add(commandId: string, applicationId: string): void {
    if ((this.count + 1) * 32 > this.bytes.length) this.bytes = Buffer.concat([this.bytes, Buffer.alloc(Math.max(32 * 65_536, this.bytes.length))]);
    this.bytes.write(commandId.replaceAll('-', ''), this.count * 32, 'hex');
    this.bytes.write(applicationId.replaceAll('-', ''), this.count * 32 + 16, 'hex');
    this.count += 1;
  }

  /** The commands in [from, to) of one lane: lanes split by application, as partitions do, so that they never wait for each other. */
  slice(from: number, to: number, lane: number, lanes: number): { commandIds: string[]; applicationIds: string[] } {
    const uuid = (offset: number) => uuidFromHex(this.bytes.toString('hex', offset, offset + 16));
    const commandIds: string[] = [];
    const applicationIds: string[] = [];
    for (let index = from; index < Math.min(to, this.count); index += 1) {
      if (this.bytes[index * 32 + 16]! % lanes !== lane) continue;
      commandIds.push(uuid(index * 32));
      applicationIds.push(uuid(index * 32 + 16));
    }
    return { commandIds, applicationIds };
  }
}

const LOOKUP_SQL = `
  SELECT 'application' AS kind, id, version FROM applications WHERE id = ANY($2::uuid[])
  UNION ALL SELECT 'known', command_id, 0 FROM processed_commands WHERE command_id = ANY($1::uuid[])`;

const ROUND_SQL = `
  WITH keys AS (SELECT * FROM unnest($1::uuid[], $2::uuid[]) WITH ORDINALITY AS k(command_id, application_id, ord)),
  written_applications AS (
    INSERT INTO applications (id, applicant_id, kind, content_type, status, details, version, created_at, updated_at)
    SELECT DISTINCT ON (application_id) application_id, 'owner-1', 'NEW_LISTING', 'RESTAURANT', 'PENDING', '{}'::jsonb, 1, now(), now() FROM keys
    ON CONFLICT (id) DO UPDATE SET version = applications.version + 1, updated_at = EXCLUDED.updated_at
  ), written_processed AS (
    INSERT INTO processed_commands (command_id, payload_hash, application_id, command_type, outcome, source_partition, source_offset, processed_at)
    SELECT command_id, '\\x00', application_id, 'SUBMIT', 'ACCEPTED', 0, ord, now() FROM keys
    ON CONFLICT (command_id) DO NOTHING
  )
  INSERT INTO application_events (event_id, application_id, command_id, version, type, payload, occurred_at)
  SELECT md5(command_id::text)::uuid, application_id, command_id, 1, 'SUBMITTED', '{}', now() FROM keys
  ON CONFLICT (event_id) DO NOTHING`;

/** PostgreSQL's CPU per command over the first and the last `window` commands of `keys`. */
export async function keyedRounds(databaseUrl: string, postgresPid: number, keys: CommandKeys, window: number): Promise<{ first: number; last: number; seconds: number }> {
  const clients = await Promise.all(Array.from({ length: LANES }, async () => {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    return client;
  }));
  try {
    const cpuAt = new Map<number, number>();
    const mark = (done: number) => cpuAt.set(done, treeCpuMicros(postgresPid));
    const started = performance.now();
    const edges = [window, keys.count - window, keys.count];
    for (let next = 0; next < keys.count;) {
      if (next === 0 || edges.includes(next)) mark(next);
      // A step ends at a window's edge, so that no round is half in a window.
      const to = Math.min(next + ROUND * LANES, ...edges.filter((edge) => edge > next));
      await Promise.all(clients.map(async (client, lane) => {
        const { commandIds, applicationIds } = keys.slice(next, to, lane, LANES);
        if (commandIds.length === 0) return;
        await client.query('BEGIN');
        await client.query(LOOKUP_SQL, [commandIds, applicationIds]);
        await client.query(ROUND_SQL, [commandIds, applicationIds]);
        await client.query('COMMIT');
      }));
      next = to;
    }
    mark(keys.count);
    const perCommand = (from: number, to: number) => Math.round((cpuAt.get(to)! - cpuAt.get(from)!) / (to - from));
    return { first: perCommand(0, window), last: perCommand(keys.count - window, keys.count), seconds: Math.round((performance.now() - started) / 1000) };
  } finally {
    await Promise.all(clients.map((client) => client.end().catch(() => {})));
  }
}
