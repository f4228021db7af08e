import { createRemoteJWKSet, errors, importPKCS8, importSPKI, jwtVerify, SignJWT, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { isRole, type Role } from '../domain/values.ts';

export type { Role };
export interface Principal { subject: string; role: Role }

export type TokenVerdict =
  | { ok: true; principal: Principal }
  | { ok: false; reason: string; subject: string | null };

export interface TokenVerifier {
  /** `at` is the instant the token must be valid at: a command's issuedAt, or now for HTTP. */
  verify(token: string, at: Date): Promise<TokenVerdict>;
}

const ALGORITHMS = ['RS256', 'ES256', 'EdDSA'];

/**
 * Verified tokens, by their text. An RS256 check costs ~200 us of CPU (jose through WebCrypto)
 * and an admin signs many decisions, and reads, with one token. The promise is cached, not its
 * result, because a batch verifies its commands concurrently. exp and nbf are checked again at
 * every caller's own instant, as jose does (clockTolerance 0); a time check that failed at another
 * caller's instant is redone at this one's. Bounded in size and age, so a key removed from a JWKS
 * stops being honoured within CACHE_TTL_MS.
 */
const CACHE_SIZE = 10_000;
const CACHE_TTL_MS = 5 * 60_000;

const isTimeFailure = (error: unknown) =>
  error instanceof errors.JWTExpired || (error instanceof errors.JWTClaimValidationFailed && error.claim === 'nbf');

/** Signature, issuer, audience and expiry are checked by jose; only the role claim is ours. */
export function createTokenVerifier(options: { publicKeyPem?: string; jwksUrl?: string; issuer: string; audience: string }): TokenVerifier {
  let keyPromise: Promise<JWTVerifyGetKey | CryptoKey> | undefined;
  const key = () => keyPromise ??= options.jwksUrl
    ? Promise.resolve(createRemoteJWKSet(new URL(options.jwksUrl)))
    : importSPKI(options.publicKeyPem ?? missingKey(), 'RS256');
  const verifyAt = async (token: string, at: Date): Promise<JWTPayload> => (await jwtVerify(token, (await key()) as JWTVerifyGetKey, {
    issuer: options.issuer, audience: options.audience, currentDate: at, algorithms: ALGORITHMS, requiredClaims: ['sub', 'exp'],
  })).payload;
  const verified = new Map<string, { payload: Promise<JWTPayload>; since: number }>();

  async function payloadOf(token: string, at: Date): Promise<JWTPayload> {
    let entry = verified.get(token);
    if (entry === undefined || Date.now() - entry.since >= CACHE_TTL_MS) {
      if (entry === undefined && verified.size >= CACHE_SIZE) verified.delete(verified.keys().next().value!);
      const created = { payload: verifyAt(token, at), since: Date.now() };
      verified.set(token, created);
      created.payload.catch(() => { if (verified.get(token) === created) verified.delete(token); });
      entry = created;
    }
    let payload: JWTPayload;
    try {
      payload = await entry.payload;
    } catch (error) {
      if (!isTimeFailure(error)) throw error;
      payload = await verifyAt(token, at);
    }
    const now = Math.floor(at.getTime() / 1000);
    if (payload.nbf !== undefined && payload.nbf > now) throw new errors.JWTClaimValidationFailed('"nbf" claim timestamp check failed', payload, 'nbf', 'check_failed');
    if (payload.exp! <= now) throw new errors.JWTExpired('"exp" claim timestamp check failed', payload, 'exp', 'check_failed');
    return payload;
  }

  return {
    async verify(token, at) {
      try {
        const payload = await payloadOf(token, at);
        const role = payload.role;
        if (!isRole(role)) return { ok: false, reason: 'token carries no known role', subject: payload.sub ?? null };
        return { ok: true, principal: { subject: payload.sub!, role } };
      } catch (error) {
        if (error instanceof errors.JOSEError) return { ok: false, reason: `token refused: ${error.code}`, subject: null };
        throw error;
      }
    },
  };
}

function missingKey(): never {
  throw new Error('AUTH_PUBLIC_KEY or AUTH_JWKS_URL is required to verify tokens');
}

/** Development and test tokens, signed with the embedded stack's private key. */
export async function mintToken(options: {
  privateKeyPem: string; subject: string; role: Role; issuer: string; audience: string; expiresInSeconds?: number; issuedAt?: Date;
}): Promise<string> {
  const key = await importPKCS8(options.privateKeyPem, 'RS256');
  const issuedAt = Math.floor((options.issuedAt ?? new Date()).getTime() / 1000);
  return new SignJWT({ role: options.role })
    .setProtectedHeader({ alg: 'RS256' })
    .setSubject(options.subject)
    .setIssuer(options.issuer)
    .setAudience(options.audience)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + (options.expiresInSeconds ?? 3600))
    .sign(key);
}
