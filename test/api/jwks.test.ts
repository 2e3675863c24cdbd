import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MeDocument } from '../generated/graphql';
import { startTestGateway, uniqueEmail, type TestGateway } from '../support/gateway';

// An OIDC provider stand-in on loopback: it serves a JWKS with one RS256 and one ES256 key.
let jwks: Server;
let gw: TestGateway;
const rsa = generateKeyPair('RS256');
const ec = generateKeyPair('ES256');

beforeAll(async () => {
  const keys = await Promise.all(
    [
      { pair: await rsa, kid: 'rsa-1', alg: 'RS256' },
      { pair: await ec, kid: 'ec-1', alg: 'ES256' },
    ].map(async ({ pair, kid, alg }) => ({ ...(await exportJWK(pair.publicKey)), kid, alg, use: 'sig' })),
  );
  jwks = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys }));
  });
  await new Promise<void>((ok) => jwks.listen(0, '127.0.0.1', ok));
  const url = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`;
  gw = await startTestGateway({ JWT_SECRET: '', JWKS_URL: url, JWT_ISSUER: 'https://idp.test/', JWT_AUDIENCE: 'governance' });
});

afterAll(async () => {
  await gw?.stop();
  await new Promise((ok) => jwks?.close(ok));
});

async function token(alg: 'RS256' | 'ES256', kid: string, email: string, privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey']) {
  return new SignJWT({ email })
    .setProtectedHeader({ alg, kid })
    .setSubject(`idp|${email}`)
    .setIssuer('https://idp.test/')
    .setAudience('governance')
    .setExpirationTime('10m')
    .sign(privateKey);
}

describe('tokens from an OIDC provider (JWKS_URL)', () => {
  it('accepts RS256 and ES256 tokens signed by the provider’s keys', async () => {
    for (const [alg, kid, pair] of [
      ['RS256', 'rsa-1', await rsa],
      ['ES256', 'ec-1', await ec],
    ] as const) {
      const email = uniqueEmail(alg.toLowerCase());
      const data = await gw.anonymous().withRawAuthorization(`Bearer ${await token(alg, kid, email, pair.privateKey)}`).ok(MeDocument);
      expect(data.me.email).toBe(email);
    }
  });

  it('refuses a token signed by a key the provider does not publish', async () => {
    const stranger = await generateKeyPair('RS256');
    const forged = await token('RS256', 'rsa-1', uniqueEmail(), stranger.privateKey);
    await gw.anonymous().withRawAuthorization(`Bearer ${forged}`).fails('UNAUTHENTICATED', MeDocument);
  });

  it('refuses an HS256 token, whatever its secret', async () => {
    const hs = await new SignJWT({ email: uniqueEmail() })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('hs')
      .setIssuer('https://idp.test/')
      .setAudience('governance')
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode('any-secret-long-enough-for-hs256-0123456789'));
    await gw.anonymous().withRawAuthorization(`Bearer ${hs}`).fails('UNAUTHENTICATED', MeDocument);
  });
});
