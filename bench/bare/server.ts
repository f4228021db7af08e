import express from 'express';
import pg from 'pg';
import { containsPattern } from '../../src/store/read/contains-pattern.ts';

/**
 * The bare peer of the read API: express and a pg pool running the same SQL as the service's
 * routes under test (GET /applications/:id reads the application and its history; the list and
 * the search read one keyset page and count the matches), and returning the rows as JSON. No token check, no parameter
 * validation, no view mapping, no metrics: what is left is the floor of any express+pg endpoint.
 */

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.POOL_SIZE ?? '8') });
const app = express();
app.disable('x-powered-by');

app.get('/applications/:id', async (req, res) => {
  const { rows } = await pool.query('SELECT * FROM applications WHERE id = $1::uuid', [req.params.id]);
  if (rows.length === 0) {
    res.status(404).json({ title: 'not found' });
    return;
  }
  const history = await pool.query(
    'SELECT event_id, command_id, type, version, occurred_at, payload FROM application_events WHERE application_id = $1::uuid ORDER BY id', [req.params.id]);
  res.json({ ...rows[0], history: history.rows });
});

/** The service's search condition (src/store/read/applications.ts), the same SQL. */
const MATCHING = `a.id IN (
    SELECT s.id FROM applications s WHERE application_search_text(s.details) ILIKE $1
    UNION
    SELECT c.id FROM listings l JOIN applications c ON c.listing_id = l.id AND c.kind = 'INFO_CHANGE' WHERE l.name ILIKE $1)`;

/** The list (status and content type) or the search (q), each a keyset page and its total, counted beside it as the service does. */
app.get('/applications', async (req, res) => {
  const limit = Number(req.query.limit ?? 20);
  const [where, values] = typeof req.query.q === 'string'
    ? [MATCHING, [containsPattern(req.query.q)]]
    : ['a.status = $1 AND a.content_type = $2', [req.query.status, req.query.contentType]];
  const [page, count] = await Promise.all([
    pool.query(`
      SELECT a.*, to_char(a.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS key_at FROM applications a
      WHERE ${where}
      ORDER BY a.created_at DESC, a.id DESC
      LIMIT $${values.length + 1}`, [...values, limit + 1]),
    pool.query(`SELECT count(*)::int AS total FROM applications a WHERE ${where}`, values),
  ]);
  const rows = page.rows;
  res.json({ items: rows.slice(0, limit), next: rows.length > limit ? rows[limit - 1]?.key_at : null, total: count.rows[0].total });
});

const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(JSON.stringify({ event: 'listening', port: (server.address() as { port: number }).port }));
});

const stop = () => {
  server.close(() => void pool.end().then(() => process.exit(0)));
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
