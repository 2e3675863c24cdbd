// §8.1 clarified rules through the public API: freeze is of an organization, a GUEST sees only
// the networks where it holds a network role, network roles end with the last membership, who
// sees network-role events, and handing administration over.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApplyToJoinDocument,
  ConsortiumByIdDocument,
  ConsortiumEventLogDocument,
  ConsortiumEventsDocument,
  ConsortiumMembershipsDocument,
  CreateMembershipDocument,
  FreezeMembershipDocument,
  GrantNetworkRoleDocument,
  InviteOrganizationDocument,
  LeaveConsortiumDocument,
  MyPermissionsDocument,
  RevokeNetworkRoleDocument,
  TransferAdministrationDocument,
  UnfreezeMembershipDocument,
  UpdateConsortiumDocument,
} from '../generated/graphql';
import { sql } from '../support/db';
import { createTestConsortium, joinAsMember, memberOrganization, setMembershipStatus } from '../support/factories/consortium';
import { touchConsortium } from '../support/factories/event';
import { consortiumWithAdmin, countEvents, eventRows } from '../support/factories/membership';
import { addUser, createOrganization, seedNetworkRole } from '../support/factories/organization';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { subscribe, type LiveSubscription } from '../support/ws';

let gw: TestGateway;
const open: LiveSubscription<unknown>[] = [];
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => {
  await Promise.all(open.map((s) => s.close()));
  await gw?.stop();
});
const track = <T>(s: LiveSubscription<T>) => {
  open.push(s as LiveSubscription<unknown>);
  return s;
};

const statusOf = async (id: string) => (await sql<{ status: string }>('select status from membership where id = ?', [id]))[0].status;
const roleOf = async (id: string) =>
  (await sql<{ role: string; permissions: string[] }>('select role, permissions from membership where id = ?', [id]))[0];

/** An ADMINISTRATOR's consortium and a member organization holding two memberships there. */
async function twoSeatMember() {
  const { admin, consortium } = await consortiumWithAdmin(gw, { plan: 'ENTERPRISE' });
  const member = await memberOrganization(gw, consortium.id, { plan: 'ENTERPRISE', permissions: ['MULTIPLE_MEMBERSHIPS', 'INVITE_ORGANIZATIONS'] });
  const second = await joinAsMember(gw, consortium.id, member.org, { permissions: ['MULTIPLE_MEMBERSHIPS', 'INVITE_ORGANIZATIONS'] });
  return { admin, consortium, member, first: member.membership.id, second: second.id };
}

describe.concurrent('freeze is of an organization (§8.1)', () => {
  it('freezing one membership freezes every membership of the organization there, one MEMBER_FROZEN each; unfreezing all of them', async () => {
    const { admin, consortium, first, second, member } = await twoSeatMember();
    const { freezeMembership } = await admin.owner.client.ok(FreezeMembershipDocument, { id: first });
    expect(freezeMembership.status).toBe('FROZEN');
    expect([await statusOf(first), await statusOf(second)]).toEqual(['FROZEN', 'FROZEN']);
    for (const id of [first, second]) {
      expect(await eventRows({ subjectId: id, kind: 'MEMBER_FROZEN' })).toEqual([
        expect.objectContaining({ audienceOrganizationId: member.org.id, actingMembershipId: consortium.membershipId }),
      ]);
    }
    // Named by either membership, the organization is frozen already.
    await admin.owner.client.fails('CONFLICT', FreezeMembershipDocument, { id: second });

    const { unfreezeMembership } = await admin.owner.client.ok(UnfreezeMembershipDocument, { id: second });
    expect(unfreezeMembership.status).toBe('ACTIVE');
    expect([await statusOf(first), await statusOf(second)]).toEqual(['ACTIVE', 'ACTIVE']);
    expect(await countEvents({ consortiumId: consortium.id, kind: 'MEMBER_UNFROZEN' })).toBe(2);
  });

  it('a frozen organization changes nothing through any membership: no membership, invitation, application or network role', async () => {
    const { admin, consortium, first, second, member } = await twoSeatMember();
    // A membership frozen alone (as the first edition left them) freezes the organization all the same.
    await setMembershipStatus(first, 'FROZEN');
    const invitee = await createOrganization(gw);
    const invited = await member.org.owner.client.fails('FORBIDDEN', InviteOrganizationDocument, {
      input: { consortiumId: consortium.id, organizationId: invitee.id, membershipId: second },
    });
    expect(invited.extensions).toMatchObject({ kind: 'status', have: 'FROZEN' });
    const created = await member.org.owner.client.fails('FORBIDDEN', CreateMembershipDocument, {
      input: { consortiumId: consortium.id, displayName: `${member.org.name} third`, membershipId: second },
    });
    expect(created.extensions).toMatchObject({ kind: 'status', have: 'FROZEN' });
    const applied = await member.org.owner.client.request(ApplyToJoinDocument, { input: { consortiumId: consortium.id } });
    expect(applied.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', have: 'FROZEN' });
    const colleague = await addUser(gw, member.org, 'MEMBER');
    const granted = await member.org.owner.client.fails('FORBIDDEN', GrantNetworkRoleDocument, {
      input: { userId: colleague.id, consortiumId: consortium.id, role: 'ADMIN' },
    });
    expect(granted.extensions).toMatchObject({ kind: 'status', have: 'FROZEN' });
    expect(await countEvents({ actorOrganizationId: member.org.id })).toBe(0);
    // It keeps all read access.
    await member.org.owner.client.ok(ConsortiumMembershipsDocument, { id: consortium.id });
    const { myPermissions } = await member.org.owner.client.ok(MyPermissionsDocument, { consortiumId: consortium.id, membershipId: second });
    const allowed = (action: string) => myPermissions.find((p: { action: string }) => p.action === action);
    expect(allowed('organization.invite')).toMatchObject({ allowed: false });
    expect(allowed('consortium.view')).toMatchObject({ allowed: true });
    expect(allowed('certificate.download')).toMatchObject({ allowed: true });
    expect(allowed('membership.leave')).toMatchObject({ allowed: true });
    void admin;
  });

  it('an organization holding an ADMINISTRATOR membership cannot be frozen, through any of its memberships', async () => {
    const { admin, consortium } = await consortiumWithAdmin(gw);
    const other = await createOrganization(gw);
    await joinAsMember(gw, consortium.id, other, { role: 'ADMINISTRATOR' });
    const memberSeat = await joinAsMember(gw, consortium.id, other);
    const error = await admin.owner.client.fails('CONFLICT', FreezeMembershipDocument, { id: memberSeat.id });
    expect(error.extensions).toMatchObject({ kind: 'integrity', have: 'ADMINISTRATOR' });
    expect(await statusOf(memberSeat.id)).toBe('ACTIVE');
    expect(await countEvents({ consortiumId: consortium.id, kind: 'MEMBER_FROZEN' })).toBe(0);
  });
});

describe.concurrent('an account GUEST sees only the networks where it holds a network role (§8.1)', () => {
  it('without a network role: NOT_FOUND for the consortium, its memberships, its changes and its subscription, like an outsider', async () => {
    const { admin, consortium } = await consortiumWithAdmin(gw);
    const guest = await addUser(gw, admin, 'GUEST');
    const outsider = await createOrganization(gw);
    for (const user of [guest, outsider.owner]) {
      const error = await user.client.fails('NOT_FOUND', ConsortiumByIdDocument, { id: consortium.id });
      expect(error.message).toMatch(/Consortium/);
      await user.client.fails('NOT_FOUND', ConsortiumMembershipsDocument, { id: consortium.id });
      await user.client.fails('NOT_FOUND', UpdateConsortiumDocument, { id: consortium.id, input: { name: 'x' } });
      await user.client.fails('NOT_FOUND', MyPermissionsDocument, { consortiumId: consortium.id });
      const sub = track(await subscribe(gw, await gw.tokenFor(user.email), ConsortiumEventsDocument, { consortiumId: consortium.id }));
      expect((await sub.next()).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    }

    // With network role GUEST it views (Layer B as in §3) and changes nothing.
    await seedNetworkRole(guest.id, consortium.id, 'GUEST');
    const { consortium: seen } = await guest.client.ok(ConsortiumByIdDocument, { id: consortium.id });
    expect(seen.myEffectiveRole).toBe('GUEST');
    await guest.client.fails('FORBIDDEN', UpdateConsortiumDocument, { id: consortium.id, input: { name: 'x' } });
  });

  it('a GUEST whose network role is revoked receives nothing more: its subscription completes', async () => {
    const { admin, consortium } = await consortiumWithAdmin(gw);
    const guest = await addUser(gw, admin, 'GUEST');
    await admin.owner.client.ok(GrantNetworkRoleDocument, { input: { userId: guest.id, consortiumId: consortium.id, role: 'GUEST' } });
    const sub = track(await subscribe(gw, await gw.tokenFor(guest.email), ConsortiumEventsDocument, { consortiumId: consortium.id }));
    await touchConsortium(admin.owner.client, consortium.id);
    expect((await sub.next()).data?.consortiumEvents.kind).toBe('CONSORTIUM_UPDATED');
    await admin.owner.client.ok(RevokeNetworkRoleDocument, { userId: guest.id, consortiumId: consortium.id });
    await touchConsortium(admin.owner.client, consortium.id);
    // The revocation itself is the last event it may see, if any; then the stream ends.
    let item = await sub.end().catch(() => null);
    if (item === null) item = await sub.end();
    expect(item).toEqual({ kind: 'complete' });
  });
});

describe.concurrent('network roles end with the last membership (§8.1)', () => {
  it('leaving the last membership revokes the organization’s network roles there, one NETWORK_ROLE_REVOKED each; rejoining grants none back', async () => {
    const { admin, consortium } = await consortiumWithAdmin(gw);
    const member = await memberOrganization(gw, consortium.id, { permissions: ['MULTIPLE_MEMBERSHIPS'] });
    const second = await joinAsMember(gw, consortium.id, member.org);
    const [a, b] = [await addUser(gw, member.org, 'MEMBER'), await addUser(gw, member.org, 'GUEST')];
    for (const [user, role] of [[a, 'ADMIN'], [b, 'OPERATOR']] as const) {
      await member.org.owner.client.ok(GrantNetworkRoleDocument, { input: { userId: user.id, consortiumId: consortium.id, role } });
    }
    const roles = () => sql('select user_id from network_role where consortium_id = ? and user_id in (?, ?)', [consortium.id, a.id, b.id]);
    // Leaving one of two memberships keeps them.
    await member.org.owner.client.ok(LeaveConsortiumDocument, { membershipId: second.id });
    expect(await roles()).toHaveLength(2);
    expect(await countEvents({ consortiumId: consortium.id, kind: 'NETWORK_ROLE_REVOKED' })).toBe(0);

    await member.org.owner.client.ok(LeaveConsortiumDocument, { membershipId: member.membership.id });
    expect(await roles()).toEqual([]);
    const revoked = await eventRows({ consortiumId: consortium.id, kind: 'NETWORK_ROLE_REVOKED' });
    expect(revoked.map((e) => e.subjectId).sort()).toEqual([a.id, b.id].sort());
    for (const e of revoked) expect(e).toMatchObject({ audienceOrganizationId: member.org.id, payload: { reason: 'MEMBERSHIP_ENDED' } });

    // Rejoining grants none back: the MEMBER user is a MEMBER again, not ADMIN.
    await joinAsMember(gw, consortium.id, member.org);
    expect((await a.client.ok(ConsortiumByIdDocument, { id: consortium.id })).consortium.myEffectiveRole).toBe('MEMBER');
    await b.client.fails('NOT_FOUND', ConsortiumByIdDocument, { id: consortium.id });
    void admin;
  });
});

describe.concurrent('who sees network-role events (§8.1)', () => {
  it('the organization of the user and the administrator see whose role; other members see that a role changed, in the log and live', async () => {
    const { admin, consortium } = await consortiumWithAdmin(gw);
    const member = await memberOrganization(gw, consortium.id);
    const other = await memberOrganization(gw, consortium.id);
    const colleague = await addUser(gw, member.org, 'MEMBER');
    const live = track(await subscribe(gw, await gw.tokenFor(other.org.owner.email), ConsortiumEventsDocument, { consortiumId: consortium.id }));
    await member.org.owner.client.ok(GrantNetworkRoleDocument, { input: { userId: colleague.id, consortiumId: consortium.id, role: 'ADMIN' } });

    const roleEvent = async (client: typeof admin.owner.client) => {
      const { consortium: c } = await client.ok(ConsortiumEventLogDocument, { id: consortium.id });
      return c.events.nodes.find((e) => e.kind === 'NETWORK_ROLE_GRANTED')!;
    };
    for (const client of [admin.owner.client, member.org.owner.client]) {
      expect(await roleEvent(client)).toMatchObject({
        subjectType: 'User', subjectId: colleague.id, actorOrganizationId: member.org.id, rawPayload: { role: 'ADMIN' },
      });
    }
    const redacted = await roleEvent(other.org.owner.client);
    expect(redacted).toMatchObject({
      kind: 'NETWORK_ROLE_GRANTED', subjectType: 'Consortium', subjectId: consortium.id, actorUserId: null, actorOrganizationId: null, rawPayload: {},
    });
    expect(JSON.stringify(redacted)).not.toContain(colleague.id);
    const { data } = await live.next();
    expect(data?.consortiumEvents).toMatchObject({ kind: 'NETWORK_ROLE_GRANTED', subjectId: consortium.id, actorUserId: null, rawPayload: {} });
  });
});

describe.concurrent('administration can be handed over (transferAdministration, §8.1)', () => {
  it('the administrator hands it to an ACTIVE membership: it gets all four permissions, the former becomes MEMBER keeping them; one event', async () => {
    const { admin, consortium } = await consortiumWithAdmin(gw);
    const member = await memberOrganization(gw, consortium.id);
    const { transferAdministration } = await admin.owner.client.ok(TransferAdministrationDocument, { toMembershipId: member.membership.id });
    expect(transferAdministration.administrator).toMatchObject({ id: member.membership.id, role: 'ADMINISTRATOR', status: 'ACTIVE' });
    expect(transferAdministration.formerAdministrator).toMatchObject({ id: consortium.membershipId, role: 'MEMBER' });
    const all = ['CREATE_SIGNERS', 'INVITE_ORGANIZATIONS', 'MANAGE_ENVIRONMENTS', 'MULTIPLE_MEMBERSHIPS'];
    for (const id of [member.membership.id, consortium.membershipId]) expect([...(await roleOf(id)).permissions].sort()).toEqual(all);
    expect(await eventRows({ consortiumId: consortium.id, kind: 'ADMINISTRATION_TRANSFERRED' })).toEqual([
      expect.objectContaining({
        actingMembershipId: consortium.membershipId,
        subjectId: member.membership.id,
        audienceOrganizationId: member.org.id,
        payload: expect.objectContaining({ fromMembershipId: consortium.membershipId, toMembershipId: member.membership.id }),
      }),
    ]);
    // The former administrator, now a MEMBER, may leave; the new one may freeze.
    await member.org.owner.client.ok(FreezeMembershipDocument, { id: consortium.membershipId });
    await admin.owner.client.ok(LeaveConsortiumDocument, { membershipId: consortium.membershipId });
  });

  it('is refused to a MEMBER membership, to a user below effective OWNER, to outsiders and GUESTs without a network role', async () => {
    const { admin, consortium } = await consortiumWithAdmin(gw);
    const member = await memberOrganization(gw, consortium.id, { permissions: ['INVITE_ORGANIZATIONS'] });
    const target = await memberOrganization(gw, consortium.id);
    const byMember = await member.org.owner.client.fails('FORBIDDEN', TransferAdministrationDocument, { toMembershipId: target.membership.id });
    expect(byMember.extensions).toMatchObject({ kind: 'consortiumRole', need: 'ADMINISTRATOR' });
    const accountAdmin = await addUser(gw, admin, 'ADMIN');
    const byAdmin = await accountAdmin.client.fails('FORBIDDEN', TransferAdministrationDocument, { toMembershipId: target.membership.id });
    expect(byAdmin.extensions).toMatchObject({ kind: 'effectiveRole', need: 'OWNER', have: 'ADMIN' });
    const guest = await addUser(gw, admin, 'GUEST');
    await guest.client.fails('NOT_FOUND', TransferAdministrationDocument, { toMembershipId: target.membership.id });
    const outsider = await createOrganization(gw);
    await outsider.owner.client.fails('NOT_FOUND', TransferAdministrationDocument, { toMembershipId: target.membership.id });
    // A network OWNER acts as OWNER.
    await seedNetworkRole(accountAdmin.id, consortium.id, 'OWNER');
    await accountAdmin.client.ok(TransferAdministrationDocument, { toMembershipId: target.membership.id });
    expect((await roleOf(target.membership.id)).role).toBe('ADMINISTRATOR');
  });

  it('goes only to an ACTIVE membership of an organization that is not frozen, never to itself or a LEFT one (CONFLICT, nothing written)', async () => {
    const { admin, consortium } = await consortiumWithAdmin(gw);
    const frozen = await memberOrganization(gw, consortium.id, { permissions: ['MULTIPLE_MEMBERSHIPS'] });
    const frozenSecond = await joinAsMember(gw, consortium.id, frozen.org);
    await setMembershipStatus(frozen.membership.id, 'FROZEN');
    const left = await memberOrganization(gw, consortium.id, { status: 'LEFT' });
    for (const id of [frozenSecond.id, frozen.membership.id, left.membership.id, consortium.membershipId]) {
      const error = await admin.owner.client.fails('CONFLICT', TransferAdministrationDocument, { toMembershipId: id });
      expect(error.extensions?.kind).toBe('integrity');
    }
    expect(await countEvents({ consortiumId: consortium.id, kind: 'ADMINISTRATION_TRANSFERRED' })).toBe(0);
    expect((await roleOf(consortium.membershipId)).role).toBe('ADMINISTRATOR');
    await admin.owner.client.fails('NOT_FOUND', TransferAdministrationDocument, { toMembershipId: '00000000-0000-4000-8000-000000000000' });
    const elsewhere = await createTestConsortium((await createOrganization(gw)).owner);
    await admin.owner.client.fails('NOT_FOUND', TransferAdministrationDocument, { toMembershipId: elsewhere.membershipId });
  });
});
