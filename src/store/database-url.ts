import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';

/**
 * The URL is slonik's, whose `sslmode=require` verifies the server (certificate and host name);
 * pg, under node-pg-migrate, verifies the same way but warns that `require` means verify-full
 * there, so it is given that name.
 */
export const forPg = (databaseUrl: string) => databaseUrl.replace(/([?&]sslmode=)require(?=&|$)/, '$1verify-full');

/**
 * TLS options from the URL's `sslrootcert`, `sslcert` and `sslkey`. slonik parses them from the
 * URL but its pg driver passes on only `sslmode` (so a private CA would be ignored and the
 * server refused as untrusted); they are handed to the pool explicitly. null: nothing to add.
 */
export function tlsOf(databaseUrl: string): ConnectionOptions | null {
  const parameters = new URL(databaseUrl).searchParams;
  const file = (name: string) => {
    const path = parameters.get(name);
    return path === null ? undefined : readFileSync(path, 'utf8');
  };
  const [ca, cert, key] = [file('sslrootcert'), file('sslcert'), file('sslkey')];
  if (ca === undefined && cert === undefined) return null;
  return { ca, cert, key, rejectUnauthorized: parameters.get('sslmode') !== 'no-verify' };
}
