import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse/sync';
import { parse as parseStream } from 'csv-parse';
import { expectProblem, startSuite, type Suite } from './harness.ts';
import { at, insertAdminAction, insertApplication } from './seed.ts';
import { restaurantDetails } from '../fixtures/details.ts';

let suite: Suite;
beforeAll(async () => {
  suite = await startSuite();
});
afterAll(async () => {
  await suite?.stop();
});

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const HEADER = 'id,submittedAt,status,kind,contentType,applicantId,name,listingId,version,decidedAt,decidedBy,rejectionReason,decisionNote,updatedAt';

/** The raw bytes (fetch's text() would drop the byte-order mark this checks). */
async function download(path: string, token: string | null) {
  const response = await fetch(`${suite.api.url}${path}`, { headers: token === null ? {} : { authorization: `Bearer ${token}` } });
  return { response, bytes: Buffer.from(await response.arrayBuffer()) };
}

const rowsOf = (bytes: Buffer) => parse(bytes.subarray(BOM.length), { columns: true }) as Record<string, string>[];

describe('GET /applications.csv', () => {
  test('the filtered queue as a UTF-8 download with a BOM: Korean text intact, formula cells escaped, newest first', async () => {
    const owner = `owner-${randomUUID()}`;
    const older = await insertApplication(suite.stack.db, { applicantId: owner, createdAt: at(10), details: { ...restaurantDetails(), name: '을지로 골뱅이집' } });
    const formula = await insertApplication(suite.stack.db, { applicantId: owner, createdAt: at(20), details: { ...restaurantDetails(), name: '=HYPERLINK("http://evil")' } });
    await insertApplication(suite.stack.db, { applicantId: owner, createdAt: at(30), status: 'APPROVED' });

    const { response, bytes } = await download(`/applications.csv?applicantId=${owner}&status=PENDING`, suite.master);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename=applications.csv');
    expect(bytes.subarray(0, 3)).toEqual(BOM);
    const rows = rowsOf(bytes);
    expect(rows.map((row) => [row.id, row.name, row.status])).toEqual([
      [formula.id, '\'=HYPERLINK("http://evil")', 'PENDING'],
      [older.id, '을지로 골뱅이집', 'PENDING'],
    ]);
    expect(rows[1]).toMatchObject({ submittedAt: at(10), kind: 'NEW_LISTING', contentType: 'RESTAURANT', applicantId: owner, decidedBy: '' });
  });

  test('an OWNER exports only its own applications; another owner\'s are 403, no token is 401, a bad filter is 400', async () => {
    const owner = `owner-${randomUUID()}`;
    const mine = await insertApplication(suite.stack.db, { applicantId: owner });
    await insertApplication(suite.stack.db, { applicantId: `owner-${randomUUID()}` });
    const token = await suite.ownerToken(owner);
    const { bytes } = await download('/applications.csv', token);
    expect(rowsOf(bytes).map((row) => row.id)).toEqual([mine.id]);
    expectProblem(await suite.api.get('/applications.csv?applicantId=someone-else', token), 403, 'forbidden');
    expectProblem(await suite.api.get('/applications.csv', null), 401, 'unauthorized');
    expectProblem(await suite.api.get('/applications.csv?status=MAYBE', suite.master), 400, 'invalid-request');
  });
});

describe('GET /admin-actions.csv', () => {
  test('the filtered audit log, MASTER only', async () => {
    const admin = `admin-${randomUUID()}`;
    const application = await insertApplication(suite.stack.db, { status: 'REJECTED', details: { ...restaurantDetails(), name: '을지로 골뱅이집' } });
    const first = await insertAdminAction(suite.stack.db, { adminId: admin, action: 'REJECT', at: at(10), reason: '+82 번호가 없습니다', applicationId: application.id });
    await insertAdminAction(suite.stack.db, { adminId: admin, action: 'APPROVE', at: at(20) });
    const { response, bytes } = await download(`/admin-actions.csv?adminId=${admin}&action=REJECT`, suite.master);
    expect(response.headers.get('content-disposition')).toBe('attachment; filename=admin-actions.csv');
    expect(bytes.subarray(0, 3)).toEqual(BOM);
    expect(rowsOf(bytes)).toEqual([{
      id: first.id, at: first.at, adminId: admin, action: 'REJECT', applicationId: application.id, applicationName: '을지로 골뱅이집', reason: '\'+82 번호가 없습니다', commandId: first.commandId,
    }]);
    expectProblem(await suite.api.get('/admin-actions.csv', await suite.ownerToken('owner-1')), 403, 'forbidden');
    expectProblem(await suite.api.get(`/admin-actions.csv?from=${at(10)}&to=${at(5)}`, suite.master), 400, 'invalid-request');
  });
});

test('100,000 applications stream out while the server holds a small fraction of what it sends', async () => {
  const owner = `owner-bulk-${randomUUID()}`;
  const rows = 100_000;
  await suite.stack.db.query(
    `INSERT INTO applications (id, applicant_id, kind, listing_id, content_type, status, details, version, created_at, updated_at, decision_note)
     SELECT gen_random_uuid(), $1, 'NEW_LISTING', NULL, 'RESTAURANT', 'PENDING', jsonb_set($2::jsonb, '{name}', to_jsonb('가게 ' || i)), 1,
       now() - make_interval(secs => i), now(), repeat('메모 ', 20)
     FROM generate_series(1, $3::int) AS i`,
    [owner, JSON.stringify(restaurantDetails()), rows]);

  const server = spawn(process.execPath, ['--expose-gc', 'test/support/export-server.ts'], {
    env: {
      ...process.env, DATABASE_URL: suite.stack.config.DATABASE_URL, AUTH_PUBLIC_KEY: suite.stack.keys.publicKeyPem,
      AUTH_ISSUER: suite.stack.config.AUTH_ISSUER, AUTH_AUDIENCE: suite.stack.config.AUTH_AUDIENCE,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => server.once('exit', resolve));
  const lines = createInterface({ input: server.stdout! })[Symbol.asyncIterator]();
  const nextLine = async () => JSON.parse((await lines.next()).value as string) as Record<string, number>;
  try {
    const { port } = await nextLine();
    const exportOf = (applicantId: string) => fetch(`http://127.0.0.1:${port}/applications.csv?applicantId=${applicantId}`, { headers: { authorization: `Bearer ${suite.master}` } });
    // A warm-up export loads the code every request runs; the measurement starts after it.
    expect(Buffer.from(await (await exportOf('nobody')).arrayBuffer()).toString('utf8')).toBe(`\ufeff${HEADER}\n`);
    server.kill('SIGUSR2');
    expect(await nextLine()).toEqual({ reset: true });
    const response = await exportOf(owner);
    expect(response.status).toBe(200);
    const parser = parseStream({ columns: true, bom: true });
    const counted = (async () => {
      let count = 0;
      let last: Record<string, string> | undefined;
      for await (const row of parser) {
        count += 1;
        last = row as Record<string, string>;
      }
      return { count, last };
    })();
    let bytes = 0;
    for await (const chunk of response.body!) {
      bytes += (chunk as Uint8Array).length;
      parser.write(chunk);
    }
    parser.end();
    const { count, last } = await counted;
    expect(count).toBe(rows);
    // Newest first: the last row is the oldest, i = rows.
    expect(last).toMatchObject({ name: `가게 ${rows}`, applicantId: owner, decisionNote: '메모 '.repeat(20) });

    server.kill('SIGTERM');
    const { baselineBytes, peakBytes } = await nextLine();
    const held = peakBytes! - baselineBytes!;
    // Held in memory, the rows would take more than their CSV text; streamed, the server never
    // holds more than a tenth of it.
    expect(held).toBeLessThan(bytes / 10);
  } finally {
    server.kill('SIGTERM');
    await exited;
    await suite.stack.db.query('DELETE FROM applications WHERE applicant_id = $1', [owner]);
  }
}, 300_000);
