import { SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MeDocument } from '../generated/graphql';
import { startTestGateway, TEST_JWT_SECRET, uniqueEmail, type TestGateway } from '../support/gateway';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(() => gw?.stop());

const secret = new TextEncoder().encode(TEST_JWT_SECRET);

describe('identity', () => {
  it('provisions a user from sub and email on the first verified request, once', async () => {
    const email = uniqueEmail('first');
    const client = gw.as(email);
    const [a, b] = await Promise.all([client.ok(MeDocument), client.ok(MeDocument)]);
    expect(a.me.email).toBe(email);
    expect(a.me.id).toBe(b.me.id);
    expect(a.me.signedIn).toBe(true);
    expect(a.me.accountRole).toBeNull();
    expect((await client.ok(MeDocument)).me.id).toBe(a.me.id);
  });

  it('answers a known user from the fast path with the same fields as on first sight', async () => {
    const client = gw.as(uniqueEmail('again'));
    const first = await client.ok<{ me: { id: string; createdAt: string } }, Record<string, never>>('{ me { id createdAt } }');
    const again = await client.ok<{ me: { id: string; createdAt: string } }, Record<string, never>>('{ me { id createdAt } }');
    expect(again.me).toEqual(first.me);
    expect(new Date(again.me.createdAt).toISOString()).toBe(again.me.createdAt);
  });

  it('refuses a request without a token', async () => {
    await gw.anonymous().fails('UNAUTHENTICATED', MeDocument);
  });

  it('refuses a malformed token', async () => {
    const result = await gw.anonymous().withRawAuthorization('Bearer not.a.jwt').request(MeDocument);
    expect(result.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(result.status).toBe(401);
  });

  it('refuses an Authorization header that is not a bearer token', async () => {
    await gw.anonymous().withRawAuthorization('Basic YWxpY2U6cHc=').fails('UNAUTHENTICATED', MeDocument);
  });

  it('refuses an expired token', async () => {
    const token = await new SignJWT({ email: uniqueEmail() })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('expired')
      .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
      .sign(secret);
    const error = await gw.anonymous().withRawAuthorization(`Bearer ${token}`).fails('UNAUTHENTICATED', MeDocument);
    expect(error.message).toMatch(/expired/);
  });

  it('refuses a token signed with another secret', async () => {
    const token = await new SignJWT({ email: uniqueEmail() })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('forged')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('another-secret-that-is-long-enough-too!!'));
    const error = await gw.anonymous().withRawAuthorization(`Bearer ${token}`).fails('UNAUTHENTICATED', MeDocument);
    expect(error.message).toMatch(/signature/);
  });

  it('refuses an unsigned token (alg: none)', async () => {
    const token = new UnsecuredJWT({ email: uniqueEmail() }).setSubject('none').setExpirationTime('1h').encode();
    await gw.anonymous().withRawAuthorization(`Bearer ${token}`).fails('UNAUTHENTICATED', MeDocument);
  });

  it('refuses a token without an expiry', async () => {
    const token = await new SignJWT({ email: uniqueEmail() }).setProtectedHeader({ alg: 'HS256' }).setSubject('forever').sign(secret);
    await gw.anonymous().withRawAuthorization(`Bearer ${token}`).fails('UNAUTHENTICATED', MeDocument);
  });

  it('refuses a token without an email claim', async () => {
    const token = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('nomail').setExpirationTime('1h').sign(secret);
    await gw.anonymous().withRawAuthorization(`Bearer ${token}`).fails('UNAUTHENTICATED', MeDocument);
  });

  it('reads roles from the database, never from the token', async () => {
    const email = uniqueEmail('claims');
    const token = await new SignJWT({ email, accountRole: 'OWNER', roles: ['OWNER'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(`claims|${email}`)
      .setExpirationTime('1h')
      .sign(secret);
    const data = await gw.anonymous().withRawAuthorization(`Bearer ${token}`).ok(MeDocument);
    expect(data.me.accountRole).toBeNull();
  });
});

describe('identity with issuer and audience configured', () => {
  let strict: TestGateway;
  beforeAll(async () => {
    strict = await startTestGateway({ JWT_ISSUER: 'https://issuer.test/', JWT_AUDIENCE: 'governance' });
  });
  afterAll(() => strict?.stop());

  it('accepts a token with the right issuer and audience', async () => {
    await strict.as(uniqueEmail('iss')).ok(MeDocument);
  });

  it('refuses a token for another audience', async () => {
    const token = await new SignJWT({ email: uniqueEmail() })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('aud')
      .setIssuer('https://issuer.test/')
      .setAudience('someone-else')
      .setExpirationTime('1h')
      .sign(secret);
    await strict.anonymous().withRawAuthorization(`Bearer ${token}`).fails('UNAUTHENTICATED', MeDocument);
  });

  it('refuses a token from another issuer', async () => {
    const token = await new SignJWT({ email: uniqueEmail() })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('iss')
      .setIssuer('https://evil.test/')
      .setAudience('governance')
      .setExpirationTime('1h')
      .sign(secret);
    await strict.anonymous().withRawAuthorization(`Bearer ${token}`).fails('UNAUTHENTICATED', MeDocument);
  });
});
