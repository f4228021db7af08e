import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';
import { z } from 'zod';
import { mintToken } from '../auth/tokens.ts';
import { ROLES } from '../domain/values.ts';
import { identifier } from './params.ts';
import { HttpProblem, invalidFields } from './problem.ts';
import { GET_ONLY, methodNotAllowed } from './routes/shared.ts';

/** Where console/build.ts writes the bundle. */
export const CONSOLE_DIST = fileURLToPath(new URL('../../console/dist/', import.meta.url));

/** The embedded stack's development key: only then may the console sign anyone in. */
export interface DevSignIn { privateKeyPem: string; issuer: string; audience: string }

/** The page loads its own script and styles and talks to this origin only. */
const CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const devTokenBody = z.strictObject({ role: z.enum(ROLES), subject: identifier.refine((s) => s.trim() !== '' && s.length <= 100, 'must be 1 to 100 characters') });

/**
 * The console at /console: one page, its bundle under /console/assets, built beforehand (no
 * network at run time). With a development key (embedded stack only) the page offers a
 * development sign-in, served by POST /console/dev-token.
 */
export function consoleRoutes(devSignIn: DevSignIn | undefined): Router {
  const router = Router();
  router.route('/console').get((_req, res) => {
    const page = `${CONSOLE_DIST}index.html`;
    if (!existsSync(page)) throw new HttpProblem('service-unavailable', 'The console is not built: run `npm run build:console`.');
    const html = readFileSync(page, 'utf8').replace('__DEV_SIGN_IN__', devSignIn ? 'true' : 'false');
    res.set('Content-Security-Policy', CONTENT_SECURITY_POLICY).set('Cache-Control', 'no-cache').type('html').send(html);
  }).all(GET_ONLY);
  router.use('/console/assets', express.static(CONSOLE_DIST, { index: false, fallthrough: true, maxAge: 0 }));

  if (devSignIn) {
    router.route('/console/dev-token').post(express.json({ limit: '4kb' }), async (req, res) => {
      const parsed = devTokenBody.safeParse(req.body ?? {});
      if (!parsed.success) throw invalidFields(parsed.error.issues.map((issue) => ({ path: issue.path.join('.') || 'body', message: issue.message })));
      const token = await mintToken({ ...devSignIn, role: parsed.data.role, subject: parsed.data.subject.trim(), expiresInSeconds: 8 * 3600 });
      res.set('Cache-Control', 'no-store').json({ token });
    }).all(methodNotAllowed(['POST']));
  }
  return router;
}

