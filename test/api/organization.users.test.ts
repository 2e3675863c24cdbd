// Layer A users (governance.md §2): creation, invitation by email, provisioning on first sign-in,
// account roles and the rule that an organization always keeps an OWNER.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateOrganizationDocument,
  InviteUserDocument,
  MyOrganizationDocument,
  OrganizationUsersDocument,
  RemoveUserDocument,
  SetAccountRoleDocument,
} from '../generated/graphql';
import { sql } from '../support/db';
import { addUser, createOrganization, seedMembership, seedNetworkRole } from '../support/factories/organization';
import { startTestGateway, uniqueEmail, type TestGateway } from '../support/gateway';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(() => gw?.stop());

const owners = async (orgId: string) =>
  (await sql<{ id: string }>("select id from app_user where organization_id = ? and account_role = 'OWNER' order by id", [orgId])).map(
    (r) => r.id,
  );
const userRow = async (id: string) =>
  (await sql<{ organization_id: string | null; account_role: string | null }>('select organization_id, account_role from app_user where id = ?', [id]))[0];

describe('createOrganization', () => {
  it('makes the caller the OWNER of a STANDARD organization by default', async () => {
    const client = gw.as(uniqueEmail('founder'));
    const { createOrganization: org } = await client.ok(CreateOrganizationDocument, { input: { name: '  Acme Labs  ' } });
    expect(org).toMatchObject({ name: 'Acme Labs', plan: 'STANDARD', licenses: 0 });
    const { me } = await client.ok(MyOrganizationDocument);
    expect(me.organization?.id).toBe(org.id);
    expect(me.accountRole).toBe('OWNER');
  });

  it('refuses a user who already belongs to an organization (CONFLICT), creating nothing', async () => {
    const org = await createOrganization(gw);
    const name = `Second ${randomUUID()}`;
    await org.owner.client.fails('CONFLICT', CreateOrganizationDocument, { input: { name } });
    expect(await sql('select 1 from organization where name = ?', [name])).toHaveLength(0);
    expect((await userRow(org.owner.id)).organization_id).toBe(org.id);
  });

  it('creates one organization when one user sends several creations at once', async () => {
    const email = uniqueEmail('racer');
    const client = gw.as(email);
    await client.ok(MyOrganizationDocument);
    const name = `Race ${randomUUID()}`;
    const results = await Promise.all([1, 2, 3, 4, 5].map(() => client.request(CreateOrganizationDocument, { input: { name } })));
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
    for (const r of results.filter((r) => r.errors)) expect(r.errors?.[0].extensions?.code).toBe('CONFLICT');
    expect(await sql('select 1 from organization where name = ?', [name])).toHaveLength(1);
  });
});

describe('invitation by email and first sign-in', () => {
  it('joins the organization with the invited role on the first sign-in with that email', async () => {
    const org = await createOrganization(gw);
    const email = uniqueEmail('newcomer');
    const { inviteUser } = await org.owner.client.ok(InviteUserDocument, { organizationId: org.id, email: email.toUpperCase(), role: 'ADMIN' });
    expect(inviteUser).toMatchObject({ email, accountRole: 'ADMIN', signedIn: false, organization: { id: org.id } });
    // Listed while pending, not yet signed in.
    const before = await org.owner.client.ok(OrganizationUsersDocument, { id: org.id });
    expect(before.organization.users?.nodes.find((u) => u.email === email)).toMatchObject({ signedIn: false, accountRole: 'ADMIN' });

    const { me } = await gw.as(email).ok(MyOrganizationDocument);
    expect(me).toMatchObject({ id: inviteUser.id, email, accountRole: 'ADMIN', signedIn: true, organization: { id: org.id } });
    const after = await org.owner.client.ok(OrganizationUsersDocument, { id: org.id });
    expect(after.organization.users?.nodes.find((u) => u.email === email)?.signedIn).toBe(true);
  });

  it('attaches a signed-in user who has no organization yet', async () => {
    const org = await createOrganization(gw);
    const email = uniqueEmail('drifter');
    const { me: alone } = await gw.as(email).ok(MyOrganizationDocument);
    expect(alone.organization).toBeNull();
    await org.owner.client.ok(InviteUserDocument, { organizationId: org.id, email, role: 'MEMBER' });
    const { me } = await gw.as(email).ok(MyOrganizationDocument);
    expect(me).toMatchObject({ id: alone.id, accountRole: 'MEMBER', organization: { id: org.id } });
  });

  it('refuses an email that belongs to a user of any organization (CONFLICT), changing nothing', async () => {
    const mine = await createOrganization(gw);
    const theirs = await createOrganization(gw);
    const colleague = await addUser(gw, mine, 'MEMBER');
    for (const [email, who] of [
      [theirs.owner.email, theirs.owner.id],
      [colleague.email, colleague.id],
    ] as const) {
      const before = await userRow(who);
      await mine.owner.client.fails('CONFLICT', InviteUserDocument, { organizationId: mine.id, email, role: 'ADMIN' });
      expect(await userRow(who)).toEqual(before);
    }
  });

  it('refuses an address that is not an email (BAD_USER_INPUT)', async () => {
    const org = await createOrganization(gw);
    for (const email of ['', '   ', 'not-an-email', 'a@b', 'two@@example.test']) {
      const error = await org.owner.client.fails('BAD_USER_INPUT', InviteUserDocument, { organizationId: org.id, email, role: 'MEMBER' });
      expect(error.extensions?.field).toBe('email');
    }
    expect(await sql('select 1 from app_user where organization_id = ?', [org.id])).toHaveLength(1);
  });

  it('lets only an OWNER invite an OWNER; an ADMIN is told OWNER is needed', async () => {
    const org = await createOrganization(gw);
    const admin = await addUser(gw, org, 'ADMIN');
    const email = uniqueEmail('would-be-owner');
    const error = await admin.client.fails('FORBIDDEN', InviteUserDocument, { organizationId: org.id, email, role: 'OWNER' });
    expect(error.message).toContain('OWNER');
    expect(await sql('select 1 from app_user where email = ?', [email])).toHaveLength(0);
    await org.owner.client.ok(InviteUserDocument, { organizationId: org.id, email, role: 'OWNER' });
    expect(await owners(org.id)).toHaveLength(2);
  });
});

describe('account roles and the last OWNER', () => {
  it('never removes or demotes the last OWNER (CONFLICT), even at their own request', async () => {
    const org = await createOrganization(gw);
    const error = await org.owner.client.fails('CONFLICT', RemoveUserDocument, { organizationId: org.id, userId: org.owner.id });
    expect(error.message).toMatch(/last OWNER/);
    for (const role of ['ADMIN', 'MEMBER', 'GUEST'] as const) {
      await org.owner.client.fails('CONFLICT', SetAccountRoleDocument, { organizationId: org.id, userId: org.owner.id, role });
    }
    expect(await userRow(org.owner.id)).toEqual({ organization_id: org.id, account_role: 'OWNER' });
  });

  it('an ADMIN can neither grant, take away nor remove OWNER (FORBIDDEN naming OWNER)', async () => {
    const org = await createOrganization(gw);
    const admin = await addUser(gw, org, 'ADMIN');
    const member = await addUser(gw, org, 'MEMBER');
    const second = await addUser(gw, org, 'OWNER');
    const refusals = [
      await admin.client.fails('FORBIDDEN', SetAccountRoleDocument, { organizationId: org.id, userId: member.id, role: 'OWNER' }),
      await admin.client.fails('FORBIDDEN', SetAccountRoleDocument, { organizationId: org.id, userId: admin.id, role: 'OWNER' }),
      await admin.client.fails('FORBIDDEN', SetAccountRoleDocument, { organizationId: org.id, userId: second.id, role: 'ADMIN' }),
      await admin.client.fails('FORBIDDEN', RemoveUserDocument, { organizationId: org.id, userId: second.id }),
    ];
    for (const error of refusals) expect(error.message).toMatch(/only an OWNER/);
    expect(await owners(org.id)).toEqual([org.owner.id, second.id].sort());
    expect((await userRow(member.id)).account_role).toBe('MEMBER');
    expect((await userRow(admin.id)).account_role).toBe('ADMIN');
  });

  it('an ADMIN manages non-owners: promote a MEMBER to ADMIN, demote to GUEST, remove', async () => {
    const org = await createOrganization(gw);
    const admin = await addUser(gw, org, 'ADMIN');
    const member = await addUser(gw, org, 'MEMBER');
    await admin.client.ok(SetAccountRoleDocument, { organizationId: org.id, userId: member.id, role: 'ADMIN' });
    await admin.client.ok(SetAccountRoleDocument, { organizationId: org.id, userId: member.id, role: 'GUEST' });
    expect((await member.client.ok(MyOrganizationDocument)).me.accountRole).toBe('GUEST');
    await admin.client.ok(RemoveUserDocument, { organizationId: org.id, userId: member.id });
    expect(await userRow(member.id)).toEqual({ organization_id: null, account_role: null });
  });

  it('a second OWNER can be made, and then the first demoted', async () => {
    const org = await createOrganization(gw);
    const admin = await addUser(gw, org, 'ADMIN');
    await org.owner.client.ok(SetAccountRoleDocument, { organizationId: org.id, userId: admin.id, role: 'OWNER' });
    const { setAccountRole } = await admin.client.ok(SetAccountRoleDocument, { organizationId: org.id, userId: org.owner.id, role: 'ADMIN' });
    expect(setAccountRole.accountRole).toBe('ADMIN');
    expect(await owners(org.id)).toEqual([admin.id]);
    // The former owner now acts as an ADMIN: OWNER is out of reach.
    await org.owner.client.fails('FORBIDDEN', SetAccountRoleDocument, { organizationId: org.id, userId: org.owner.id, role: 'OWNER' });
  });

  it('two OWNERs demoting each other at once leave one OWNER', async () => {
    for (let round = 0; round < 4; round++) {
      const org = await createOrganization(gw);
      const other = await addUser(gw, org, 'OWNER');
      const results = await Promise.all([
        org.owner.client.request(SetAccountRoleDocument, { organizationId: org.id, userId: other.id, role: 'ADMIN' }),
        other.client.request(SetAccountRoleDocument, { organizationId: org.id, userId: org.owner.id, role: 'ADMIN' }),
      ]);
      expect(results.filter((r) => !r.errors)).toHaveLength(1);
      // The loser acts after the winner: it is no longer an OWNER, or would remove the last one.
      expect(['FORBIDDEN', 'CONFLICT']).toContain(results.find((r) => r.errors)?.errors?.[0].extensions?.code);
      expect(await owners(org.id)).toHaveLength(1);
    }
  });

  it('two OWNERs removing each other at once leave one OWNER', async () => {
    const org = await createOrganization(gw);
    const other = await addUser(gw, org, 'OWNER');
    const results = await Promise.all([
      org.owner.client.request(RemoveUserDocument, { organizationId: org.id, userId: other.id }),
      other.client.request(RemoveUserDocument, { organizationId: org.id, userId: org.owner.id }),
    ]);
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
    expect(await owners(org.id)).toHaveLength(1);
  });

  it('removing a user clears their organization, account role and network roles', async () => {
    const org = await createOrganization(gw);
    const member = await addUser(gw, org, 'MEMBER');
    const { consortiumId } = await seedMembership(org.id);
    await seedNetworkRole(member.id, consortiumId, 'OPERATOR');
    const { removeUser } = await org.owner.client.ok(RemoveUserDocument, { organizationId: org.id, userId: member.id });
    expect(removeUser).toMatchObject({ id: member.id, accountRole: null, organization: null });
    expect(await sql('select 1 from network_role where user_id = ?', [member.id])).toHaveLength(0);
    const { me } = await member.client.ok(MyOrganizationDocument);
    expect(me).toMatchObject({ organization: null, accountRole: null });
    // Gone from the organization, they may start their own.
    await member.client.ok(CreateOrganizationDocument, { input: { name: `Fresh start ${randomUUID()}` } });
  });

  it('answers NOT_FOUND for a user of another organization, an unknown or a malformed id', async () => {
    const org = await createOrganization(gw);
    const stranger = await createOrganization(gw);
    for (const userId of [stranger.owner.id, randomUUID(), 'not-a-uuid']) {
      await org.owner.client.fails('NOT_FOUND', SetAccountRoleDocument, { organizationId: org.id, userId, role: 'GUEST' });
      await org.owner.client.fails('NOT_FOUND', RemoveUserDocument, { organizationId: org.id, userId });
    }
    expect(await userRow(stranger.owner.id)).toEqual({ organization_id: stranger.id, account_role: 'OWNER' });
  });

  it("refuses to manage another organization's users (NOT_FOUND), changing nothing", async () => {
    const org = await createOrganization(gw);
    const stranger = await createOrganization(gw);
    const email = uniqueEmail('poached');
    await org.owner.client.fails('NOT_FOUND', InviteUserDocument, { organizationId: stranger.id, email, role: 'OWNER' });
    await org.owner.client.fails('NOT_FOUND', SetAccountRoleDocument, { organizationId: stranger.id, userId: stranger.owner.id, role: 'GUEST' });
    await org.owner.client.fails('NOT_FOUND', RemoveUserDocument, { organizationId: stranger.id, userId: stranger.owner.id });
    await org.owner.client.fails('NOT_FOUND', OrganizationUsersDocument, { id: stranger.id });
    expect(await sql('select 1 from app_user where email = ?', [email])).toHaveLength(0);
    expect(await userRow(stranger.owner.id)).toEqual({ organization_id: stranger.id, account_role: 'OWNER' });
  });
});

describe('users list', () => {
  it('pages through the members with a cursor', async () => {
    const org = await createOrganization(gw);
    for (const role of ['ADMIN', 'MEMBER', 'GUEST'] as const) await addUser(gw, org, role);
    const first = await org.owner.client.ok(OrganizationUsersDocument, { id: org.id, first: 3 });
    expect(first.organization.users).toMatchObject({ totalCount: 4, pageInfo: { hasNextPage: true } });
    const rest = await org.owner.client.ok(OrganizationUsersDocument, {
      id: org.id,
      first: 3,
      after: first.organization.users?.pageInfo.endCursor,
    });
    expect(rest.organization.users?.nodes).toHaveLength(1);
    expect(rest.organization.users?.pageInfo.hasNextPage).toBe(false);
    await org.owner.client.fails('BAD_USER_INPUT', OrganizationUsersDocument, { id: org.id, first: 0 });
  });
});
