import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CONSOLE_DIST } from '../src/http/console.ts';

const CONSOLE_DIR = fileURLToPath(new URL('./', import.meta.url));

/**
 * Bundles the console (console/src, Preact) into console/dist, which the service serves at
 * /console: run by `npm start`, by the test run's global setup and by the image's build stage. esbuild works offline, and
 * the bundle loads nothing from elsewhere at run time.
 */
export async function buildConsole(): Promise<void> {
  mkdirSync(CONSOLE_DIST, { recursive: true });
  await build({
    // The stylesheet main.tsx imports becomes app.css beside app.js.
    entryPoints: { app: `${CONSOLE_DIR}src/main.tsx` },
    bundle: true, format: 'esm', target: 'es2022', minify: true, sourcemap: 'linked', outdir: CONSOLE_DIST,
    jsx: 'automatic', jsxImportSource: 'preact', logLevel: 'warning',
  });
  copyFileSync(`${CONSOLE_DIR}index.html`, `${CONSOLE_DIST}index.html`);
}
