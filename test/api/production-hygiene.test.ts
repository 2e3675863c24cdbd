// What a production gateway tells and accepts: no field suggestions on any transport, error
// messages that never echo a megabyte back, tokens that live at most JWT_MAX_TTL, and
// invitations claimed by email only when the address is not said to be unverified.
import { SignJWT } from 'jose';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { InviteUserDocument } from '../generated/graphql';
import { GraphQLClient } from '../support/client';
import { sql } from '../support/db';
import { createOrganization, type TestOrganization } from '../support/factories/organization';
import { startTestGateway, TEST_JWT_SECRET, uniqueEmail, type TestGateway } from '../support/gateway';

let gw: TestGateway;
let org: TestOrganization;
beforeAll(async () => {
  gw = await startTestGateway({ NODE_ENV: 'production' });
  org = await createOrganization(gw);
});
afterAll(() => gw?.stop());

const secret = new TextEncoder().encode(TEST_JWT_SECRET);
const HOUR = 3600;
const now = () => Math.floor(Date.now() / 1000);

/** A token with exactly the claims given (iat only when given). */
function token(claims: { sub: string; email: string; iat?: number; exp: number; email_verified?: unknown }): Promise<string> {
  const { sub, iat, exp, ...rest } = claims;
  let jwt = new SignJWT(rest).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setExpirationTime(exp);
  if (iat !== undefined) jwt = jwt.setIssuedAt(iat);
  return jwt.sign(secret);
}

const client = (t: string) => new GraphQLClient(gw.url, async () => t);

describe('no field suggestions in production', () => {
  it('over HTTP: a misspelt field or enum value is refused without "Did you mean"', async () => {
    const field = await org.owner.client.request('{ mee { id } }');
    expect(field.status).toBe(400);
    expect(field.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(field.errors?.[0].message).toBe('Cannot query field "mee" on type "Query".');

    const value = await org.owner.client.request(
      'mutation($role: AccountRole!) { inviteUser(organizationId: "00000000-0000-4000-8000-000000000000", email: "a@b.c", role: $role) { id } }',
      { role: 'OWNR' },
    );
    expect(value.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(value.errors)).not.toMatch(/Did you mean/);
  });

  it('over WebSocket: the same refusal, without "Did you mean"', async () => {
    const ws = createClient({
      url: gw.wsUrl,
      webSocketImpl: WebSocket,
      connectionParams: { Authorization: `Bearer ${await gw.tokenFor(org.owner.email)}` },
      retryAttempts: 0,
    });
    try {
      const errors = await new Promise<unknown>((resolve) => {
        ws.subscribe(
          { query: 'subscription { organizationEvent { sequence } }' },
          { next: () => resolve('unexpected result'), error: resolve, complete: () => resolve('completed') },
        );
      });
      expect(Array.isArray(errors), JSON.stringify(errors)).toBe(true);
      const [first] = errors as { message: string }[];
      expect(first.message).toBe('Cannot query field "organizationEvent" on type "Subscription".');
    } finally {
      await ws.dispose();
    }
  });
});

describe('error messages echo at most a little of the input', () => {
  it('NOT_FOUND for a 1 MB id names the id cut short', async () => {
    const id = 'f'.repeat(1_000_000);
    const result = await org.owner.client.request('query($id: ID!) { consortium(id: $id) { id } }', { id });
    expect(result.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect(result.errors![0].message.length).toBeLessThanOrEqual(500);
    expect(result.errors![0].message).toMatch(/^Consortium f+… not found$/);
  });

  it('a 1 MB value of the wrong type is refused in a capped message', async () => {
    const result = await org.owner.client.request('query($first: Int) { consortia(first: $first) { totalCount } }', {
      first: 'x'.repeat(1_000_000),
    });
    expect(result.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(result.errors).length).toBeLessThan(2_000);
  });
});

describe('JWT_MAX_TTL (default 24 h)', () => {
  it('refuses a token whose exp − iat exceeds it, and one without iat expiring further than it from now', async () => {
    const email = uniqueEmail('ttl');
    const tooLong = await token({ sub: `ttl|${email}`, email, iat: now(), exp: now() + 25 * HOUR });
    const centuryNoIat = await token({ sub: `ttl|${email}`, email, exp: now() + 100 * 365 * 24 * HOUR });
    for (const t of [tooLong, centuryNoIat]) {
      const result = await client(t).request('{ me { id } }');
      expect(result.status).toBe(401);
      expect(result.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    }
    expect(await sql('select id from app_user where email = ?', [email])).toEqual([]);
    const fine = await token({ sub: `ttl|${email}`, email, iat: now(), exp: now() + 23 * HOUR });
    expect((await client(fine).request('{ me { email } }')).errors).toBeUndefined();
  });
});

describe('an invitation by email is claimed only when the address is not said to be unverified', () => {
  it.each([false, 'false'])('email_verified: %j cannot claim it; a verified token then can', async (unverified) => {
    const email = uniqueEmail('invitee');
    await org.owner.client.ok(InviteUserDocument, { organizationId: org.id, email, role: 'MEMBER' });
    const sub = `claim|${email}`;
    const refused = await client(await token({ sub, email, iat: now(), exp: now() + HOUR, email_verified: unverified })).request(
      '{ me { id } }',
    );
    expect(refused.status).toBe(401);
    expect(refused.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(await sql('select subject from app_user where email = ?', [email])).toEqual([{ subject: null }]);

    const verified = await client(await token({ sub, email, iat: now(), exp: now() + HOUR, email_verified: true })).ok(
      '{ me { organization { id } } }',
    );
    expect(verified).toEqual({ me: { organization: { id: org.id } } });
  });
});
