import { createRemoteJWKSet, errors, jwtVerify, SignJWT, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { LRUCache } from 'lru-cache';
import type { Config } from '../config';
import { unauthenticated } from '../errors';
import { isWellFormedText } from '../validation';

/** What a verified token tells about its bearer; roles are never read from it. */
export interface Identity {
  subject: string;
  /**
   * Null when the token carries no `email` claim: a machine's client-credentials token, accepted
   * only for a registered service account (see principal.ts).
   */
  email: string | null;
  name: string | null;
  /** When the token expires (ms since the epoch): an open subscription ends then. */
  expiresAt: number | null;
  /** False only when the token says its email address is not verified (`email_verified: false`). */
  emailVerified: boolean;
}

/** Longest `sub`, `email` (RFC 5321's path limit) and `name` claims taken from a token. */
const MAX_SUBJECT_LENGTH = 255;
const MAX_EMAIL_LENGTH = 254;
const MAX_NAME_LENGTH = 200;
const CONTROL = /[\u0000-\u001f\u007f]/;

/** A claim that can be stored and shown: not blank, not too long, no control character, well-formed UTF-16. */
function usableClaim(value: string, max: number): boolean {
  return value !== '' && value.length <= max && !CONTROL.test(value) && isWellFormedText(value);
}

/** How long a verified token is taken as verified again without checking its signature. */
const VERIFIED_TTL_MS = 60_000;

/**
 * Verifies bearer tokens: HS256 with a shared secret, or RS256/ES256 from an OIDC provider's JWKS.
 *
 * A client sends the same token with every request until it expires, so a token that verified
 * is remembered (by its whole text, signature included) for at most a minute and never past its
 * expiry; a remembered token that has expired meanwhile is verified again, to be refused with the
 * reason. A key withdrawn from the provider's JWKS therefore stops being accepted within a minute.
 */
export class TokenVerifier {
  private readonly key: Uint8Array | JWTVerifyGetKey;
  private readonly algorithms: string[];
  private readonly verified = new LRUCache<string, Identity>({ max: 10_000 });

  constructor(private readonly cfg: Config['jwt']) {
    if (cfg.jwksUrl) {
      this.key = createRemoteJWKSet(new URL(cfg.jwksUrl));
      this.algorithms = ['RS256', 'ES256'];
    } else if (cfg.secret) {
      this.key = new TextEncoder().encode(cfg.secret);
      this.algorithms = ['HS256'];
    } else {
      throw new Error('TokenVerifier needs JWT_SECRET or JWKS_URL');
    }
  }

  /** Returns the identity of a valid token, or throws UNAUTHENTICATED saying why. */
  async verify(token: string): Promise<Identity> {
    const known = this.verified.get(token);
    if (known && (known.expiresAt ?? 0) > Date.now()) return known;
    const identity = await this.verifySignature(token);
    const ttl = Math.min(VERIFIED_TTL_MS, (identity.expiresAt ?? 0) - Date.now());
    if (ttl > 0) this.verified.set(token, identity, { ttl });
    return identity;
  }

  private async verifySignature(token: string): Promise<Identity> {
    let payload: JWTPayload;
    try {
      const options = {
        algorithms: this.algorithms,
        issuer: this.cfg.issuer ?? undefined,
        audience: this.cfg.audience ?? undefined,
        requiredClaims: ['exp', 'sub'],
      };
      // jose's overloads differ only in the key's type; both are handled the same way
      ({ payload } =
        typeof this.key === 'function'
          ? await jwtVerify(token, this.key, options)
          : await jwtVerify(token, this.key, options));
    } catch (error) {
      throw unauthenticated(describe(error));
    }
    // A token that lives for years is a stolen credential that never dies: the issuer's choice is capped.
    const exp = payload.exp as number;
    const lifetime = typeof payload.iat === 'number' ? exp - payload.iat : exp - Date.now() / 1000;
    if (lifetime > this.cfg.maxTtlSeconds) {
      throw unauthenticated(`The token lives longer than the ${this.cfg.maxTtlSeconds} s this gateway accepts`);
    }
    if (!payload.sub) throw unauthenticated('The token must carry `sub`');
    // Claims are the identity provider's text, stored as the user's row: only usable text may pass.
    if (!usableClaim(payload.sub, MAX_SUBJECT_LENGTH)) throw unauthenticated('The token claim "sub" is invalid');
    // No `email` claim at all: a machine (client credentials), judged by its subject alone. A claim
    // that is there must be an address.
    let email: string | null = null;
    if (payload.email !== undefined && payload.email !== null) {
      email = typeof payload.email === 'string' ? payload.email.trim().toLowerCase() : '';
      if (!/^[^@\s]+@[^@\s]+$/.test(email)) throw unauthenticated('The token claim "email" must be a valid address');
      if (!usableClaim(email, MAX_EMAIL_LENGTH)) throw unauthenticated('The token claim "email" is invalid');
    }
    // The name is only shown: an unusable one is dropped rather than refusing the token.
    const name = typeof payload.name === 'string' && usableClaim(payload.name.trim(), MAX_NAME_LENGTH) ? payload.name.trim() : null;
    // Some providers send the claim as a string; only an explicit "no" counts as unverified.
    const emailVerified = payload.email_verified !== false && payload.email_verified !== 'false';
    return Object.freeze({ subject: payload.sub, email, name, expiresAt: exp * 1000, emailVerified });
  }
}

function describe(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'The token has expired';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'The token signature is invalid';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'The token algorithm is not accepted';
  if (error instanceof errors.JWTClaimValidationFailed) return `The token claim "${error.claim}" is invalid`;
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) return 'The token is malformed';
  if (error instanceof errors.JWKSNoMatchingKey) return 'No key of the identity provider matches the token';
  return 'The token could not be verified';
}

/** The token of an `Authorization: Bearer …` value, or null when there is none. */
export function bearerToken(header: unknown): string | null {
  if (typeof header !== 'string' || header.trim() === '') return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header.trim());
  if (!match) throw unauthenticated('The Authorization header must be "Bearer <token>"');
  return match[1];
}

/** Signs an HS256 token for development and tests; production tokens come from an identity provider. */
export async function signToken(
  secret: string,
  claims: { sub: string; email: string; name?: string },
  opts: { issuer?: string | null; audience?: string | null; expiresIn?: string | number } = {},
): Promise<string> {
  let jwt = new SignJWT({ email: claims.email, ...(claims.name ? { name: claims.name } : {}) })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuedAt()
    .setExpirationTime(opts.expiresIn ?? '12h');
  if (opts.issuer) jwt = jwt.setIssuer(opts.issuer);
  if (opts.audience) jwt = jwt.setAudience(opts.audience);
  return jwt.sign(new TextEncoder().encode(secret));
}
