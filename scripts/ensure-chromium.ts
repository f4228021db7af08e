import { spawnSync } from 'node:child_process';
import { chromiumPath, hasKoreanFont } from '../dev/chromium.ts';

/**
 * The browser tests drive Debian's Chromium (playwright-core, no downloaded browser) and take the
 * README's screenshots of a Korean-first console. Run before jest by `npm test`: when `chromium`
 * is not on PATH, or no Korean font is installed, Debian's `chromium` and `fonts-nanum` packages
 * are installed, which needs root (CI runs as root) or password-less sudo, and it says so in one line.
 */
function apt(args: string[]): boolean {
  const asRoot = process.getuid?.() === 0;
  const result = spawnSync(asRoot ? 'apt-get' : 'sudo', asRoot ? args : ['-n', 'apt-get', ...args], {
    stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return result.status === 0;
}

const PACKAGES = ['chromium', 'fonts-nanum'];

if (chromiumPath() === null || !hasKoreanFont()) {
  console.log(`chromium or a Korean font is missing: installing Debian's ${PACKAGES.join(' and ')} for the browser tests (apt-get install -y ${PACKAGES.join(' ')})`);
  // A fresh machine may have no package lists yet.
  const install = ['install', '-y', '-qq', ...PACKAGES];
  const installed = apt(install) || (apt(['update', '-qq']) && apt(install));
  if (!installed || chromiumPath() === null) {
    console.error(`Installing ${PACKAGES.join(' and ')} failed: install these Debian packages (as root) and run the tests again.`);
    process.exit(1);
  }
}
