import pg from 'pg';

/**
 * Database ceiling: the rows the processor wrote for the N commands (read back from its
 * database), written again into a fresh database with the same schema and indexes by bare
 * multi-row INSERT ... SELECT FROM unnest(...) statements: one transaction per source partition
 * and chunk of up to `chunk` commands (the processor's batch bound), `concurrency` connections at
 * once (the processor's partitions in flight). No reads, no locks, no Kafka, final rows only
 * (an application decided in a later batch than its submission is written once here, twice by
 * the processor), so it bounds from above what any implementation of the same writes can do.
 */

type Row = Record<string, unknown>;
type Column = [name: string, type: string];

interface Table {
  name: string;
  columns: Column[];
  select: string;
  /** Which source partition a row belongs to. */
  partitionOf: (row: Row, partitionOfApplication: Map<string, number>) => number;
}

const byApplication = (column: string) => (row: Row, map: Map<string, number>) => map.get(row[column] as string) ?? 0;

const TABLES: Table[] = [
  {
    name: 'applications',
    columns: [['id', 'uuid'], ['applicant_id', 'text'], ['kind', 'text'], ['listing_id', 'uuid'], ['content_type', 'text'], ['status', 'text'], ['details', 'jsonb'], ['version', 'int4'], ['created_at', 'timestamptz'], ['updated_at', 'timestamptz'], ['decided_at', 'timestamptz'], ['decided_by', 'text'], ['rejection_reason', 'text'], ['decision_note', 'text']],
    select: `SELECT id, applicant_id, kind, listing_id, content_type, status, details::text AS details, version, created_at::text AS created_at, updated_at::text AS updated_at, decided_at::text AS decided_at, decided_by, rejection_reason, decision_note FROM applications`,
    partitionOf: byApplication('id'),
  },
  {
    name: 'listings',
    columns: [['id', 'uuid'], ['owner_id', 'text'], ['content_type', 'text'], ['name', 'text'], ['description', 'text'], ['contact', 'jsonb'], ['address', 'jsonb'], ['business_hours', 'jsonb'], ['specific', 'jsonb'], ['source_application_id', 'uuid'], ['version', 'int4'], ['created_at', 'timestamptz'], ['updated_at', 'timestamptz']],
    select: `SELECT id, owner_id, content_type, name, description, contact::text AS contact, address::text AS address, business_hours::text AS business_hours, specific::text AS specific, source_application_id, version, created_at::text AS created_at, updated_at::text AS updated_at FROM listings`,
    partitionOf: byApplication('source_application_id'),
  },
  {
    name: 'processed_commands',
    columns: [['command_id', 'uuid'], ['payload_hash', 'bytea'], ['application_id', 'uuid'], ['command_type', 'text'], ['outcome', 'text'], ['source_partition', 'int4'], ['source_offset', 'int8'], ['processed_at', 'timestamptz']],
    select: `SELECT command_id, payload_hash, application_id, command_type, outcome, source_partition, source_offset, processed_at::text AS processed_at FROM processed_commands ORDER BY source_partition, source_offset`,
    partitionOf: (row) => row.source_partition as number,
  },
  {
    name: 'admin_action_log',
    columns: [['admin_id', 'text'], ['application_id', 'uuid'], ['action', 'text'], ['reason', 'text'], ['command_id', 'uuid'], ['at', 'timestamptz']],
    select: `SELECT admin_id, application_id, action, reason, command_id, at::text AS at FROM admin_action_log ORDER BY id`,
    partitionOf: byApplication('application_id'),
  },
  {
    name: 'application_events',
    columns: [['event_id', 'uuid'], ['application_id', 'uuid'], ['command_id', 'uuid'], ['version', 'int4'], ['type', 'text'], ['payload', 'jsonb'], ['occurred_at', 'timestamptz']],
    select: `SELECT event_id, application_id, command_id, version, type, payload::text AS payload, occurred_at::text AS occurred_at FROM application_events ORDER BY id`,
    partitionOf: byApplication('application_id'),
  },
  {
    name: 'outbox_rows',
    columns: [['event_id', 'uuid'], ['source_partition', 'int4'], ['topic', 'text'], ['key', 'text'], ['key_bytes', 'bytea'], ['value', 'bytea'], ['headers', 'jsonb'], ['created_at', 'timestamptz']],
    select: `SELECT event_id, source_partition, topic, key, key_bytes, value, headers::text AS headers, created_at::text AS created_at FROM outbox_rows ORDER BY id`,
    partitionOf: (row) => row.source_partition as number,
  },
];

export interface WrittenRows {
  /** table -> partition -> rows */
  tables: Map<string, Map<number, Row[]>>;
  rowCount: number;
}

/** Reads every row the processor wrote, grouped by the source partition of its command. */
export async function readWrittenRows(databaseUrl: string): Promise<WrittenRows> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const partitionOfApplication = new Map<string, number>();
    const mapping = await client.query('SELECT DISTINCT ON (application_id) application_id, source_partition FROM processed_commands');
    for (const row of mapping.rows) partitionOfApplication.set(row.application_id, row.source_partition);
    const tables = new Map<string, Map<number, Row[]>>();
    let rowCount = 0;
    for (const table of TABLES) {
      const { rows } = await client.query(table.select);
      const grouped = new Map<number, Row[]>();
      for (const row of rows) {
        const partition = table.partitionOf(row, partitionOfApplication);
        const list = grouped.get(partition) ?? [];
        list.push(row);
        grouped.set(partition, list);
      }
      tables.set(table.name, grouped);
      rowCount += rows.length;
    }
    return { tables, rowCount };
  } finally {
    await client.end();
  }
}

export interface Statement { text: string; values: unknown[]; outbox: boolean }

function insertStatement(table: Table, rows: Row[], markPublished: boolean): Statement {
  const names = table.columns.map(([name]) => `"${name}"`).join(', ');
  const params = table.columns.map(([, type], index) => `$${index + 1}::${type}[]`).join(', ');
  const outbox = table.name === 'outbox_rows';
  return {
    text: `INSERT INTO ${table.name} (${names}) SELECT * FROM unnest(${params})${outbox && markPublished ? ' RETURNING id' : ''}`,
    // With markPublished the outbox rows are marked after the commit: the partition's watermark moves past them.
    values: table.columns.map(([name]) => rows.map((row) => row[name] ?? null)),
    outbox,
  };
}

/**
 * The statements that write a partition's rows for its commands [from, to) of `end`: each
 * table's rows of the partition, in proportion, as the processor's batches write them.
 */
export function partitionSlice(rows: WrittenRows, partition: number, from: number, to: number, end: number, markPublished = false): Statement[] {
  const statements: Statement[] = [];
  for (const table of TABLES) {
    const all = rows.tables.get(table.name)?.get(partition) ?? [];
    const first = Math.floor((from * all.length) / end);
    const last = to >= end ? all.length : Math.floor((to * all.length) / end);
    if (last > first) statements.push(insertStatement(table, all.slice(first, last), markPublished));
  }
  return statements;
}

/**
 * `markPublished` adds what the relay does after publishing: the partition's watermark moved past
 * the transaction's outbox rows, in a statement of its own (so its cost can be told apart).
 */
export async function databaseCeiling(options: {
  databaseUrl: string; rows: WrittenRows; commandsPerPartition: Map<number, number>; chunk: number; concurrency: number; markPublished?: boolean;
}): Promise<{ seconds: number; transactions: number; clientCpuMicros: number }> {
  const markPublished = options.markPublished ?? false;
  const jobs: { partition: number; statements: Statement[] }[] = [];
  const partitions = [...options.commandsPerPartition.keys()].sort((a, b) => a - b);
  const chunksOf = new Map(partitions.map((p) => [p, Math.max(1, Math.ceil((options.commandsPerPartition.get(p) ?? 0) / options.chunk))]));
  const maxChunks = Math.max(...chunksOf.values());
  // Round robin over partitions, as batches of several partitions arrive together.
  for (let index = 0; index < maxChunks; index++) {
    for (const partition of partitions) {
      const chunks = chunksOf.get(partition)!;
      if (index < chunks) jobs.push({ partition, statements: partitionSlice(options.rows, partition, index, index + 1, chunks, markPublished) });
    }
  }
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.concurrency });
  try {
    // Connections are opened before the clock starts.
    const clients = await Promise.all(Array.from({ length: options.concurrency }, () => pool.connect()));
    clients.forEach((client) => client.release());
    let next = 0;
    const started = performance.now();
    const cpu = process.cpuUsage();
    await Promise.all(Array.from({ length: options.concurrency }, async () => {
      const client = await pool.connect();
      try {
        while (next < jobs.length) {
          const { partition, statements } = jobs[next++]!;
          await client.query('BEGIN');
          let outboxIds: string[] = [];
          for (const statement of statements) {
            const result = await client.query({ text: statement.text, values: statement.values });
            if (statement.outbox && markPublished) outboxIds = result.rows.map((row) => row.id as string);
          }
          await client.query('COMMIT');
          if (outboxIds.length > 0) {
            await client.query(`INSERT INTO outbox_published (source_partition, published_id) VALUES ($1, $2)
              ON CONFLICT (source_partition) DO UPDATE SET published_id = GREATEST(outbox_published.published_id, EXCLUDED.published_id), published_at = now()`,
            [partition, outboxIds.at(-1)]);
          }
        }
      } finally {
        client.release();
      }
    }));
    const used = process.cpuUsage(cpu);
    return { seconds: (performance.now() - started) / 1000, transactions: jobs.length, clientCpuMicros: used.user + used.system };
  } finally {
    await pool.end();
  }
}
