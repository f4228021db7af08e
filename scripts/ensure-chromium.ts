import { spawnSync } from 'node:child_process';
import { chromiumPath } from '../dev/chromium.ts';

/**
 * The browser tests drive Debian's Chromium (playwright-core, no downloaded browser). Run before
 * jest by `npm test`: when `chromium` is not on PATH it is installed from Debian's packages,
 * which needs root (CI runs as root) or password-less sudo, and says so in one line.
 */
function apt(args: string[]): boolean {
  const asRoot = process.getuid?.() === 0;
  const result = spawnSync(asRoot ? 'apt-get' : 'sudo', asRoot ? args : ['-n', 'apt-get', ...args], {
    stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return result.status === 0;
}

if (chromiumPath() === null) {
  console.log('chromium is not on PATH: installing Debian\'s chromium package for the browser tests (apt-get install -y chromium)');
  // A fresh machine may have no package lists yet.
  const installed = apt(['install', '-y', '-qq', 'chromium']) || (apt(['update', '-qq']) && apt(['install', '-y', '-qq', 'chromium']));
  if (!installed || chromiumPath() === null) {
    console.error('Installing chromium failed: install Debian\'s `chromium` package (as root) and run the tests again.');
    process.exit(1);
  }
}
