import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Config } from './config.ts';

/**
 * The settings whose value is a secret: each may also come from a file named by `<NAME>_FILE`
 * (as container platforms mount secrets), and none is ever repeated in a message.
 */
export const SECRETS = ['DATABASE_URL', 'KAFKA_SASL_PASSWORD', 'KAFKA_SSL_KEY_PASSWORD', 'SCHEMA_REGISTRY_PASSWORD'] as const;

const readable = (path: string): { text: string } | { error: string } => {
  try {
    return { text: readFileSync(path, 'utf8') };
  } catch (error) {
    return { error: `cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message} (${path})` };
  }
};

/** A path to a PEM file (certificates or a key), read at start so that a wrong path stops it there. */
export const pemFile = z.string().min(1).superRefine((path, context) => {
  const file = readable(path);
  if ('error' in file) context.addIssue({ code: 'custom', message: file.error });
  else if (!file.text.includes('-----BEGIN ')) context.addIssue({ code: 'custom', message: `is not a PEM file (no "-----BEGIN" line in ${path})` });
});

/**
 * slonik reads `sslmode` as disable, require or no-verify (require verifies the server's
 * certificate and host name, against `sslrootcert` when given), and node-pg-migrate's pg reads
 * the same URL; a libpq spelling such as verify-full would fail only at the first query.
 */
export const postgresUrl = z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').superRefine((url, context) => {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    context.addIssue({ code: 'custom', message: 'is not a valid URL' });
    return;
  }
  const mode = parsed.searchParams.get('sslmode');
  if (mode !== null && !['disable', 'require', 'no-verify'].includes(mode)) {
    context.addIssue({ code: 'custom', message: `sslmode must be disable, require (verified TLS) or no-verify (got sslmode=${mode})` });
  }
  for (const parameter of ['sslrootcert', 'sslcert', 'sslkey']) {
    const path = parsed.searchParams.get(parameter);
    const file = path === null ? null : readable(path);
    if (file && 'error' in file) context.addIssue({ code: 'custom', message: `${parameter} ${file.error}` });
  }
});

type Resolved = { ok: true; env: Record<string, string | undefined> } | { ok: false; variable: string; message: string };

/** `<NAME>_FILE` becomes `<NAME>`: the file's content without its final line break. */
export function withSecretFiles(env: Record<string, string | undefined>): Resolved {
  const resolved = { ...env };
  for (const name of SECRETS) {
    const path = env[`${name}_FILE`];
    if (path === undefined) continue;
    if (env[name] !== undefined) return { ok: false, variable: `${name}_FILE`, message: `and ${name} are exclusive; set one` };
    const file = readable(path);
    if ('error' in file) return { ok: false, variable: `${name}_FILE`, message: file.error };
    resolved[name] = file.text.replace(/\r?\n$/, '');
  }
  return { ok: true, env: resolved };
}

const SASL_SETTINGS = ['KAFKA_SASL_MECHANISM', 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] as const;

/** Two settings that are given together or not at all. */
function missingHalf(config: Config, first: keyof Config, second: keyof Config, why: string): string | null {
  if ((config[first] === undefined) === (config[second] === undefined)) return null;
  const [missing, given] = config[first] === undefined ? [first, second] : [second, first];
  return `${missing} is required with ${given} (${why})`;
}

/**
 * Settings that only make sense together: a half-configured connection would otherwise fall
 * back to plaintext or fail at the first broker request with a less helpful message.
 */
export function connectionSecurityProblem(config: Config): string | null {
  const protocol = config.KAFKA_SECURITY_PROTOCOL;
  const sasl = protocol.startsWith('SASL_');
  const tls = protocol === 'SSL' || protocol === 'SASL_SSL';
  if (sasl) {
    for (const name of SASL_SETTINGS) {
      if (config[name] === undefined) return `${name} is required with KAFKA_SECURITY_PROTOCOL=${protocol}${name === 'KAFKA_SASL_PASSWORD' ? ' (or KAFKA_SASL_PASSWORD_FILE)' : ''}`;
    }
  } else {
    const set = SASL_SETTINGS.find((name) => config[name] !== undefined);
    if (set) return `${set} is set, but KAFKA_SECURITY_PROTOCOL=${protocol} uses no SASL (SASL_SSL or SASL_PLAINTEXT does)`;
  }
  if (!tls) {
    const set = (['KAFKA_SSL_CA_FILE', 'KAFKA_SSL_CERT_FILE', 'KAFKA_SSL_KEY_FILE', 'KAFKA_SSL_KEY_PASSWORD'] as const).find((name) => config[name] !== undefined);
    if (set) return `${set} is set, but KAFKA_SECURITY_PROTOCOL=${protocol} uses no TLS (SSL or SASL_SSL does)`;
  }
  const pair = missingHalf(config, 'KAFKA_SSL_CERT_FILE', 'KAFKA_SSL_KEY_FILE', 'mutual TLS needs both')
    ?? missingHalf(config, 'SCHEMA_REGISTRY_USERNAME', 'SCHEMA_REGISTRY_PASSWORD', 'basic auth needs both');
  if (pair) return pair;
  if (config.SCHEMA_REGISTRY_CA_FILE !== undefined && config.SCHEMA_REGISTRY_URL !== undefined && !config.SCHEMA_REGISTRY_URL.startsWith('https:')) {
    return `SCHEMA_REGISTRY_CA_FILE is set, but SCHEMA_REGISTRY_URL is not https:// (${config.SCHEMA_REGISTRY_URL})`;
  }
  return null;
}
