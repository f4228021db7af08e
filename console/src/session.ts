import { isRole, type Role } from '../../src/domain/values.ts';

/**
 * The signed-in user: a bearer token kept in sessionStorage, so it lives as long as the tab and
 * is never shared with other tabs or kept on disk. The claims are read for display and routing
 * only; the server verifies the token on every request.
 */
export interface Session { token: string; subject: string; role: Role; expiresAt: number }

const KEY = 'console.token';

function decode(token: string): Session | null {
  try {
    const part = token.split('.')[1];
    if (part === undefined) return null;
    const json = new TextDecoder().decode(Uint8Array.from(atob(part.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0)));
    const claims = JSON.parse(json) as { sub?: unknown; role?: unknown; exp?: unknown };
    if (typeof claims.sub !== 'string' || !isRole(claims.role) || typeof claims.exp !== 'number') return null;
    if (claims.exp * 1000 <= Date.now()) return null;
    return { token, subject: claims.sub, role: claims.role, expiresAt: claims.exp * 1000 };
  } catch {
    return null;
  }
}

export function currentSession(): Session | null {
  const token = sessionStorage.getItem(KEY);
  return token === null ? null : decode(token);
}

/** Keeps `token` for this tab if it reads as a console token; answers the session or null. */
export function signIn(token: string): Session | null {
  const session = decode(token.trim());
  if (session !== null) sessionStorage.setItem(KEY, session.token);
  return session;
}

export function signOut(): void {
  sessionStorage.removeItem(KEY);
}

/**
 * A token handed over by the identity provider's redirect, as `#access_token=…` (OAuth 2.0
 * implicit style): kept, then removed from the address bar and history.
 */
export function takeRedirectedToken(): void {
  const match = /^#access_token=([^&]+)/.exec(location.hash);
  if (match === null) return;
  signIn(decodeURIComponent(match[1]!));
  history.replaceState(null, '', `${location.pathname}#/`);
}
