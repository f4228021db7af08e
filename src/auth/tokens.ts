import { createRemoteJWKSet, errors, importPKCS8, importSPKI, jwtVerify, SignJWT, type JWTVerifyGetKey } from 'jose';

export type Role = 'MASTER' | 'OWNER';
export interface Principal { subject: string; role: Role }

export type TokenVerdict =
  | { ok: true; principal: Principal }
  | { ok: false; reason: string; subject: string | null };

export interface TokenVerifier {
  /** `at` is the instant the token must be valid at: a command's issuedAt, or now for HTTP. */
  verify(token: string, at: Date): Promise<TokenVerdict>;
}

const ALGORITHMS = ['RS256', 'ES256', 'EdDSA'];

/** Signature, issuer, audience and expiry are checked by jose; only the role claim is ours. */
export function createTokenVerifier(options: { publicKeyPem?: string; jwksUrl?: string; issuer: string; audience: string }): TokenVerifier {
  let keyPromise: Promise<JWTVerifyGetKey | CryptoKey> | undefined;
  const key = () => keyPromise ??= options.jwksUrl
    ? Promise.resolve(createRemoteJWKSet(new URL(options.jwksUrl)))
    : importSPKI(options.publicKeyPem ?? missingKey(), 'RS256');
  return {
    async verify(token, at) {
      try {
        const { payload } = await jwtVerify(token, (await key()) as JWTVerifyGetKey, {
          issuer: options.issuer, audience: options.audience, currentDate: at, algorithms: ALGORITHMS, requiredClaims: ['sub', 'exp'],
        });
        const role = payload.role;
        if (role !== 'MASTER' && role !== 'OWNER') return { ok: false, reason: 'token carries no known role', subject: payload.sub ?? null };
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
