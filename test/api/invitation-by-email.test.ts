// §8.1 "Invite by email": an invitation names an organization by id, or by the email of a person.
// It then goes to that person's organization, or waits until a user with that verified address
// signs in and creates or joins one. Looking up another organization by id answers its id and
// name only, and only to users allowed to invite.
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AcceptInvitationDocument, CreateOrganizationDocument, InviteUserDocument, ServiceAccountEventsDocument } from '../generated/graphql';
import { GraphQLClient } from '../support/client';
import { createOrganization, type TestOrganization } from '../support/factories/organization';
import { consortiumWithAdmin, eventRows, invitedMember } from '../support/factories/membership';
import type { TestConsortium } from '../support/factories/consortium';
import { startTestGateway, TEST_JWT_SECRET, uniqueEmail, type TestGateway } from '../support/gateway';
import { subscribe } from '../support/ws';

let gw: TestGateway;
let admin: TestOrganization;
let consortium: TestConsortium;
beforeAll(async () => {
  gw = await startTestGateway();
  ({ admin, consortium } = await consortiumWithAdmin(gw));
});
afterAll(() => gw?.stop());

const secret = new TextEncoder().encode(TEST_JWT_SECRET);

/** A token for `email` that says `email_verified: verified`. */
function tokenOf(email: string, verified: boolean): Promise<string> {
  let jwt = new SignJWT({ email, email_verified: verified })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(`test|${email}`)
    .setIssuedAt()
    .setExpirationTime('1h');
  if (gw.config.jwt.issuer) jwt = jwt.setIssuer(gw.config.jwt.issuer);
  if (gw.config.jwt.audience) jwt = jwt.setAudience(gw.config.jwt.audience);
  return jwt.sign(secret);
}

/** A client for `email` whose tokens say `email_verified: verified`. */
function person(email: string, verified: boolean): GraphQLClient {
  return new GraphQLClient(gw.url, () => tokenOf(email, verified));
}

interface SentInvitation {
  id: string;
  inviteeEmail: string | null;
  inviteeOrganization: { id: string; name: string } | null;
}

const INVITE_BY_EMAIL = `mutation($c: ID!, $email: String, $o: ID) {
  inviteOrganization(input: { consortiumId: $c, email: $email, organizationId: $o }) { id inviteeEmail inviteeOrganization { id name } }
}`;
const PENDING = '{ pendingInvitations { nodes { id inviteeEmail consortium { id } } } }';

async function inviteByEmail(email: string): Promise<SentInvitation> {
  const { inviteOrganization } = await admin.owner.client.ok<{ inviteOrganization: SentInvitation }, Record<string, unknown>>(
    INVITE_BY_EMAIL,
    { c: consortium.id, email },
  );
  return inviteOrganization;
}

async function pendingIds(client: GraphQLClient): Promise<string[]> {
  const { pendingInvitations } = await client.ok<{ pendingInvitations: { nodes: { id: string }[] } }, Record<string, never>>(PENDING);
  return pendingInvitations.nodes.map((n) => n.id);
}

describe('inviting by the email of a person', () => {
  it('goes to the organization of a known person, who accepts it like any invitation', async () => {
    const partner = await createOrganization(gw);
    const sent = await inviteByEmail(partner.owner.email.toUpperCase());
    expect(sent.inviteeOrganization).toEqual({ id: partner.id, name: partner.name });
    expect(sent.inviteeEmail).toBe(partner.owner.email);
    expect(await pendingIds(partner.owner.client)).toContain(sent.id);
    const [event] = await eventRows({ subjectId: sent.id, kind: 'INVITATION_SENT' });
    expect(event.audienceOrganizationId).toBe(partner.id);
    const { acceptInvitation } = await partner.owner.client.ok(AcceptInvitationDocument, { id: sent.id });
    expect(acceptInvitation.membership?.role).toBe('MEMBER');
  });

  it('to an unknown address, waits without organization; the person creating one with a verified address receives it', async () => {
    const email = uniqueEmail('newcomer');
    const sent = await inviteByEmail(email);
    expect(sent).toMatchObject({ inviteeEmail: email, inviteeOrganization: null });
    const [event] = await eventRows({ subjectId: sent.id, kind: 'INVITATION_SENT' });
    expect(event.audienceOrganizationId).toBeNull();
    expect(event.payload).toMatchObject({ inviteeEmail: email, inviteeOrganizationId: null });

    const newcomer = person(email, true);
    const { createOrganization: org } = await newcomer.ok(CreateOrganizationDocument, { input: { name: `Newcomer ${Date.now()}` } });
    expect(await pendingIds(newcomer)).toEqual([sent.id]);
    // Its arrival is an event of the consortium's log, addressed to the organization it reached.
    const delivered = await eventRows({ subjectId: sent.id, kind: 'INVITATION_DELIVERED' });
    expect(delivered).toHaveLength(1);
    expect(delivered[0]).toMatchObject({ consortiumId: consortium.id, audienceOrganizationId: org.id, actorOrganizationId: org.id });
    expect(delivered[0].payload).toMatchObject({ invitationId: sent.id, inviteeOrganizationId: org.id, inviteeEmail: email });
    // The organization sees it on organizationEvents.
    const token = await tokenOf(email, true);
    const feed = await subscribe(gw, token, ServiceAccountEventsDocument, { after: 0 });
    try {
      const first = await feed.next();
      expect(first.data?.organizationEvents).toMatchObject({
        kind: 'INVITATION_DELIVERED',
        subjectId: sent.id,
        audienceOrganizationId: org.id,
        payload: { __typename: 'InvitationDeliveredPayload', invitationId: sent.id, inviteeOrganizationId: org.id, inviteeEmail: email },
      });
    } finally {
      await feed.close();
    }
    const { acceptInvitation } = await newcomer.ok(AcceptInvitationDocument, { id: sent.id });
    expect(acceptInvitation.membership?.id).toBeTruthy();
    const { consortium: seen } = await newcomer.ok<{ consortium: { id: string } }, Record<string, unknown>>(
      'query($id: ID!) { consortium(id: $id) { id } }',
      { id: consortium.id },
    );
    expect(seen.id).toBe(consortium.id);
    void org;
  });

  it('an unverified address creating an organization does not receive it; verified later, it does', async () => {
    const email = uniqueEmail('unverified');
    const sent = await inviteByEmail(email);
    await person(email, false).ok(CreateOrganizationDocument, { input: { name: `Unverified ${Date.now()}` } });
    expect(await pendingIds(person(email, false))).toEqual([]);
    await person(email, false).fails('NOT_FOUND', AcceptInvitationDocument, { id: sent.id });
    expect(await eventRows({ subjectId: sent.id, kind: 'INVITATION_DELIVERED' })).toEqual([]);
    expect(await pendingIds(person(email, true))).toEqual([sent.id]);
    expect(await eventRows({ subjectId: sent.id, kind: 'INVITATION_DELIVERED' })).toHaveLength(1);
  });

  it('reaches the organization that invited the person as a user, when they sign in', async () => {
    const email = uniqueEmail('employee');
    const sent = await inviteByEmail(email);
    const employer = await createOrganization(gw);
    await employer.owner.client.ok(InviteUserDocument, { organizationId: employer.id, email, role: 'ADMIN' });
    // Not signed in yet: the invitation waits.
    const waiting = await admin.owner.client.ok<{ invitation: SentInvitation }, Record<string, unknown>>(
      'query($id: ID!) { invitation(id: $id) { id inviteeEmail inviteeOrganization { id name } } }',
      { id: sent.id },
    );
    expect(waiting.invitation.inviteeOrganization).toBeNull();
    expect(await eventRows({ subjectId: sent.id, kind: 'INVITATION_DELIVERED' })).toEqual([]);
    expect(await pendingIds(person(email, true))).toEqual([sent.id]);
    expect(await pendingIds(employer.owner.client)).toEqual([sent.id]);
    const [delivered] = await eventRows({ subjectId: sent.id, kind: 'INVITATION_DELIVERED' });
    expect(delivered).toMatchObject({ consortiumId: consortium.id, audienceOrganizationId: employer.id });
  });

  it('an invitation waiting for an address is not shown to a user without organization', async () => {
    const email = uniqueEmail('loner');
    const sent = await inviteByEmail(email);
    await person(email, true).fails('NOT_FOUND', 'query($id: ID!) { invitation(id: $id) { id } }', { id: sent.id });
  });

  it('a second open invitation to the same address is CONFLICT', async () => {
    const email = uniqueEmail('twice');
    await inviteByEmail(email);
    await admin.owner.client.fails('CONFLICT', INVITE_BY_EMAIL, { c: consortium.id, email });
  });

  it('names exactly one of organizationId and email, and a malformed address is BAD_USER_INPUT', async () => {
    const other = await createOrganization(gw);
    await admin.owner.client.fails('BAD_USER_INPUT', INVITE_BY_EMAIL, { c: consortium.id });
    await admin.owner.client.fails('BAD_USER_INPUT', INVITE_BY_EMAIL, { c: consortium.id, o: other.id, email: other.owner.email });
    await admin.owner.client.fails('BAD_USER_INPUT', INVITE_BY_EMAIL, { c: consortium.id, email: 'not an address' });
  });
});

describe('invitableOrganization', () => {
  const LOOKUP = 'query($c: ID!, $o: ID!) { invitableOrganization(consortiumId: $c, id: $o) { id name } }';

  it('answers id and name to a user allowed to invite', async () => {
    const partner = await createOrganization(gw);
    const found = await admin.owner.client.ok<{ invitableOrganization: { id: string; name: string } }, Record<string, unknown>>(
      LOOKUP,
      { c: consortium.id, o: partner.id },
    );
    expect(found.invitableOrganization).toEqual({ id: partner.id, name: partner.name });
  });

  it('an unknown id is NOT_FOUND naming the organization', async () => {
    const error = await admin.owner.client.fails('NOT_FOUND', LOOKUP, { c: consortium.id, o: '00000000-0000-4000-8000-000000000000' });
    expect(error.message).toMatch(/Organization/);
  });

  it('a member without INVITE_ORGANIZATIONS is refused', async () => {
    // Offering no permissions at all is an ENTERPRISE inviter's choice (§5).
    const enterprise = await consortiumWithAdmin(gw, { plan: 'ENTERPRISE' });
    const { org } = await invitedMember(gw, enterprise.admin.owner, enterprise.consortium.id, { permissions: [] });
    const partner = await createOrganization(gw);
    await org.owner.client.fails('FORBIDDEN', LOOKUP, { c: enterprise.consortium.id, o: partner.id });
  });

  it('an outsider learns nothing', async () => {
    const outsider = await createOrganization(gw);
    await outsider.owner.client.fails('NOT_FOUND', LOOKUP, { c: consortium.id, o: admin.id });
  });
});
