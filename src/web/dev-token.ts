import { signToken } from '../auth/jwt';
import type { Config } from '../config';

/** The identity whose token development pages (Sandbox, the explorer) come prefilled with. */
export const DEV_USER = { sub: 'dev|developer@example.com', email: 'developer@example.com', name: 'Developer' };

/**
 * A fresh token for the development user, or null when there must be none: in production, and
 * when tokens come from an identity provider (JWKS) whose keys the gateway does not hold.
 */
export async function developmentToken(config: Config): Promise<string | null> {
  if (config.production || !config.jwt.secret) return null;
  return signToken(config.jwt.secret, DEV_USER, { issuer: config.jwt.issuer, audience: config.jwt.audience, expiresIn: '12h' });
}
