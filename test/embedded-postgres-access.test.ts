import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unreachableByPostgresUser } from '../dev/stack/postgres.ts';

/**
 * As root, embedded PostgreSQL runs as the `postgres` user; a checkout in a folder only root may
 * enter used to end in a raw `spawn ... initdb EACCES`. The check names the folder instead.
 */
const asRoot = process.getuid?.() === 0;

test('a binary under a folder others may not enter is refused in one line naming that folder (as root)', () => {
  const top = mkdtempSync(join(tmpdir(), 'backoffice-access-'));
  try {
    const closed = join(top, 'home');
    const binary = join(closed, 'repo', 'node_modules', 'native', 'bin', 'postgres');
    mkdirSync(join(closed, 'repo', 'node_modules', 'native', 'bin'), { recursive: true });
    writeFileSync(binary, '');
    chmodSync(top, 0o755);
    chmodSync(closed, 0o700);
    const message = unreachableByPostgresUser(binary);
    if (asRoot) {
      expect(message).toContain(`may not enter ${closed} (mode 700)`);
      expect(message).not.toContain('\n');
      chmodSync(closed, 0o711);
      expect(unreachableByPostgresUser(binary)).toBeNull();
    } else {
      // Not root: PostgreSQL runs as the caller, who can reach its own checkout.
      expect(message).toBeNull();
    }
  } finally {
    rmSync(top, { recursive: true, force: true });
  }
});

test('the installed binaries of this checkout are reachable, or the run would not have a database', () => {
  expect(unreachableByPostgresUser()).toBeNull();
});
