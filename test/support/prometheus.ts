import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

export const REPO = resolve(new URL('../..', import.meta.url).pathname);

/** Debian's prometheus package (prometheus, promtool), installed by the script .ci/run uses when missing. */
export async function ensurePrometheus(): Promise<void> {
  const { stderr } = await promisify(execFile)('bash', [`${REPO}/scripts/ensure-prometheus.sh`], { timeout: 590_000 });
  if (stderr) console.log(stderr.trim());
}
