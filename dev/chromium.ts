import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The `chromium` Debian's package puts on PATH (playwright-core wants an absolute path), or null. */
export function chromiumPath(): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, 'chromium');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return null;
}

/** What the browser tests launch it with: headless as root, and nothing that phones home. */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
