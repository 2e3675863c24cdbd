// A verified token is remembered, so that a client's every request does not pay for its
// signature again, but never past its expiry, and never instead of checking a different token.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { signToken, TokenVerifier } from '../../src/auth/jwt';

const SECRET = 'a-secret-of-at-least-thirty-two-bytes!!';
const verifier = () => new TokenVerifier({ secret: SECRET, jwksUrl: null, issuer: null, audience: null, maxTtlSeconds: 24 * 3600 });

afterEach(() => {
  vi.useRealTimers();
});

describe('TokenVerifier', () => {
  it('verifies a token once and answers the same identity while it is valid', async () => {
    const v = verifier();
    const token = await signToken(SECRET, { sub: 'alice', email: 'Alice@Example.test' });
    const first = await v.verify(token);
    const second = await v.verify(token);
    expect(first).toEqual({ subject: 'alice', email: 'alice@example.test', name: null, expiresAt: expect.any(Number), emailVerified: true });
    expect(second).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
  });

  it('still refuses a token whose signature was altered after a good one was remembered', async () => {
    const v = verifier();
    const token = await signToken(SECRET, { sub: 'bob', email: 'bob@example.test' });
    await v.verify(token);
    const forged = `${token.slice(0, -4)}${token.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
    await expect(v.verify(forged)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('refuses a remembered token once it has expired, saying so', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const v = verifier();
    const token = await signToken(SECRET, { sub: 'carol', email: 'carol@example.test' }, { expiresIn: '30s' });
    await v.verify(token);
    vi.setSystemTime(Date.now() + 31_000);
    await expect(v.verify(token)).rejects.toThrow(/expired/);
  });
});
