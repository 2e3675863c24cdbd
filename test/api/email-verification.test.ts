// §8.1 "Claiming by email needs a verified email": a token whose `email_verified` is false never
// claims an invitation by email, whether the person signs in after it or was signed in before it.
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InviteUserDocument } from '../generated/graphql';
import { GraphQLClient } from '../support/client';
import { sql } from '../support/db';
import { createOrganization, type TestOrganization } from '../support/factories/organization';
import { startTestGateway, TEST_JWT_SECRET, uniqueEmail, type TestGateway } from '../support/gateway';

let gw: TestGateway;
let org: TestOrganization;
beforeAll(async () => {
  gw = await startTestGateway();
  org = await createOrganization(gw);
});
afterAll(() => gw?.stop());

const secret = new TextEncoder().encode(TEST_JWT_SECRET);

/** A client for `email` whose tokens say `email_verified: verified`. */
function person(email: string, verified: boolean): GraphQLClient {
  return new GraphQLClient(gw.url, () => {
    let jwt = new SignJWT({ email, email_verified: verified })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(`verify|${email}`)
      .setIssuedAt()
      .setExpirationTime('1h');
    if (gw.config.jwt.issuer) jwt = jwt.setIssuer(gw.config.jwt.issuer);
    if (gw.config.jwt.audience) jwt = jwt.setAudience(gw.config.jwt.audience);
    return jwt.sign(secret);
  });
}

describe('inviteUser attaches a signed-in person only when their address is verified', () => {
  it('a person signed in with email_verified false is not attached (CONFLICT), and stays without organization', async () => {
    const email = uniqueEmail('unverified');
    expect(await person(email, false).ok('{ me { email organization { id } } }')).toEqual({ me: { email, organization: null } });
    const error = await org.owner.client.fails('CONFLICT', InviteUserDocument, { organizationId: org.id, email, role: 'MEMBER' });
    expect(error.message).toMatch(/not been verified/);
    expect(await sql('select organization_id, account_role from app_user where email = ?', [email])).toEqual([
      { organization_id: null, account_role: null },
    ]);
  });

  it('once the same person signs in with a verified address, the invitation attaches them', async () => {
    const email = uniqueEmail('later');
    await person(email, false).ok('{ me { id } }');
    await org.owner.client.fails('CONFLICT', InviteUserDocument, { organizationId: org.id, email, role: 'MEMBER' });
    await person(email, true).ok('{ me { id } }');
    const { inviteUser } = await org.owner.client.ok(InviteUserDocument, { organizationId: org.id, email, role: 'MEMBER' });
    expect(inviteUser).toMatchObject({ email, accountRole: 'MEMBER', signedIn: true, organization: { id: org.id } });
  });

  it('a verified person who later signs in unverified can no longer be attached', async () => {
    const email = uniqueEmail('revoked');
    await person(email, true).ok('{ me { id } }');
    await person(email, false).ok('{ me { id } }');
    await org.owner.client.fails('CONFLICT', InviteUserDocument, { organizationId: org.id, email, role: 'MEMBER' });
  });

  it('a token without the claim counts as verified (providers that verify every address omit it)', async () => {
    const email = uniqueEmail('plain');
    await gw.as(email).ok('{ me { id } }');
    const { inviteUser } = await org.owner.client.ok(InviteUserDocument, { organizationId: org.id, email, role: 'GUEST' });
    expect(inviteUser.organization).toEqual({ id: org.id });
  });
});
