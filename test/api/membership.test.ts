// §6 Freeze / unfreeze, additional memberships and leaving, through the API.
import fs from 'node:fs';
import path from 'node:path';
import { buildSchema, getNamedType, isInputObjectType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AcceptInvitationDocument,
  ConsortiumApplicationsDocument,
  CreateMembershipDocument,
  FreezeMembershipDocument,
  InviteOrganizationDocument,
  LeaveConsortiumDocument,
  UnfreezeMembershipDocument,
} from '../generated/graphql';
import { sql } from '../support/db';
import { joinAsMember, memberOrganization, setMembershipStatus, type TestConsortium } from '../support/factories/consortium';
import { consortiumWithAdmin, countEvents, eventRows, invite, membershipRows } from '../support/factories/membership';
import { addUser, createOrganization, seedNetworkRole, seedNodes, type TestOrganization } from '../support/factories/organization';
import { startTestGateway, type TestGateway } from '../support/gateway';

let gw: TestGateway;
let admin: TestOrganization;
let consortium: TestConsortium;

beforeAll(async () => {
  gw = await startTestGateway();
  ({ admin, consortium } = await consortiumWithAdmin(gw, { plan: 'ENTERPRISE' }));
});
afterAll(() => gw?.stop());

const statusOf = async (membershipId: string) => (await sql<{ status: string }>('select status from membership where id = ?', [membershipId]))[0].status;

describe.concurrent('freeze and unfreeze (membership.freeze / membership.unfreeze)', () => {
  it('an ADMINISTRATOR freezes a member: it may still view but change nothing; unfreezing restores it; events go to the member', async () => {
    const member = await memberOrganization(gw, consortium.id, { permissions: ['INVITE_ORGANIZATIONS'] });
    const { freezeMembership } = await admin.owner.client.ok(FreezeMembershipDocument, { id: member.membership.id });
    expect(freezeMembership.status).toBe('FROZEN');
    const [frozen] = await eventRows({ subjectId: member.membership.id, kind: 'MEMBER_FROZEN' });
    expect(frozen).toMatchObject({ audienceOrganizationId: member.org.id, actingMembershipId: consortium.membershipId });

    await member.org.owner.client.ok(ConsortiumApplicationsDocument, { consortiumId: consortium.id });
    const invitee = await createOrganization(gw);
    const error = await member.org.owner.client.fails('FORBIDDEN', InviteOrganizationDocument, {
      input: { consortiumId: consortium.id, organizationId: invitee.id },
    });
    expect(error.message).toMatch(/frozen/);
    await admin.owner.client.fails('CONFLICT', FreezeMembershipDocument, { id: member.membership.id });

    const { unfreezeMembership } = await admin.owner.client.ok(UnfreezeMembershipDocument, { id: member.membership.id });
    expect(unfreezeMembership.status).toBe('ACTIVE');
    const [unfrozen] = await eventRows({ subjectId: member.membership.id, kind: 'MEMBER_UNFROZEN' });
    expect(unfrozen).toMatchObject({ audienceOrganizationId: member.org.id });
    await admin.owner.client.fails('CONFLICT', UnfreezeMembershipDocument, { id: member.membership.id });
    await invite(member.org.owner, consortium.id, invitee.id);
  });

  it('an ADMINISTRATOR membership cannot be frozen (CONFLICT), its own included, and nothing is written', async () => {
    const other = await joinAsMember(gw, consortium.id, await createOrganization(gw), { role: 'ADMINISTRATOR' });
    for (const id of [other.id, consortium.membershipId]) {
      const error = await admin.owner.client.fails('CONFLICT', FreezeMembershipDocument, { id });
      expect(error.extensions?.kind).toBe('integrity');
      expect(await countEvents({ subjectId: id, kind: 'MEMBER_FROZEN' })).toBe(0);
    }
    expect(await statusOf(other.id)).toBe('ACTIVE');
    await setMembershipStatus(other.id, 'LEFT');
  });

  it('a MEMBER membership or an account ADMIN may not freeze; a network OWNER may; outsiders get NOT_FOUND', async () => {
    const target = await memberOrganization(gw, consortium.id);
    const member = await memberOrganization(gw, consortium.id, { permissions: ['MULTIPLE_MEMBERSHIPS', 'INVITE_ORGANIZATIONS'] });
    const memberError = await member.org.owner.client.fails('FORBIDDEN', FreezeMembershipDocument, { id: target.membership.id });
    expect(memberError.extensions?.kind).toBe('consortiumRole');
    const accountAdmin = await addUser(gw, admin, 'ADMIN');
    await accountAdmin.client.fails('FORBIDDEN', FreezeMembershipDocument, { id: target.membership.id });
    const outsider = await createOrganization(gw);
    await outsider.owner.client.fails('NOT_FOUND', FreezeMembershipDocument, { id: target.membership.id });
    await admin.owner.client.fails('NOT_FOUND', FreezeMembershipDocument, { id: '00000000-0000-4000-8000-000000000000' });
    expect(await statusOf(target.membership.id)).toBe('ACTIVE');
    await seedNetworkRole(accountAdmin.id, consortium.id, 'OWNER');
    await accountAdmin.client.ok(FreezeMembershipDocument, { id: target.membership.id });
    await accountAdmin.client.ok(UnfreezeMembershipDocument, { id: target.membership.id });
  });
});

describe.concurrent('additional memberships (membership.create)', () => {
  it('an ADMINISTRATOR on ENTERPRISE creates an ACTIVE MEMBER seat with a chosen subset; MEMBER_JOINED', async () => {
    const { admin: org, consortium: c } = await consortiumWithAdmin(gw, { plan: 'ENTERPRISE' });
    const { createMembership } = await org.owner.client.ok(CreateMembershipDocument, {
      input: { consortiumId: c.id, displayName: ' Treasury ', permissions: ['MANAGE_ENVIRONMENTS', 'CREATE_SIGNERS'] },
    });
    expect(createMembership).toMatchObject({
      displayName: 'Treasury',
      role: 'MEMBER',
      status: 'ACTIVE',
      permissions: ['CREATE_SIGNERS', 'MANAGE_ENVIRONMENTS'],
      invitedBy: { id: c.membershipId },
    });
    const [joined] = await eventRows({ subjectId: createMembership.id });
    expect(joined).toMatchObject({ kind: 'MEMBER_JOINED', actingMembershipId: c.membershipId, actorOrganizationId: org.id });
    // Two seats now: a change must name the one it acts through.
    const invitee = await createOrganization(gw);
    await org.owner.client.fails('BAD_USER_INPUT', InviteOrganizationDocument, { input: { consortiumId: c.id, organizationId: invitee.id } });
    await invite(org.owner, c.id, invitee.id, { membershipId: c.membershipId });
  });

  it('the default set and the plan rule: on STANDARD only the default is allowed', async () => {
    const { admin: org, consortium: c } = await consortiumWithAdmin(gw);
    const error = await org.owner.client.fails('FORBIDDEN', CreateMembershipDocument, {
      input: { consortiumId: c.id, displayName: 'Ops', permissions: ['MANAGE_ENVIRONMENTS'] },
    });
    expect(error.message).toMatch(/ENTERPRISE/);
    const { createMembership } = await org.owner.client.ok(CreateMembershipDocument, { input: { consortiumId: c.id, displayName: 'Ops' } });
    expect(createMembership.permissions).toEqual(['INVITE_ORGANIZATIONS']);
  });

  it('a MEMBER needs MULTIPLE_MEMBERSHIPS, and offers only what it holds (the refusal lists notHeld)', async () => {
    const without = await memberOrganization(gw, consortium.id, { plan: 'ENTERPRISE', permissions: ['INVITE_ORGANIZATIONS'] });
    const permError = await without.org.owner.client.fails('FORBIDDEN', CreateMembershipDocument, {
      input: { consortiumId: consortium.id, displayName: `${without.org.name} B` },
    });
    expect(permError.extensions).toMatchObject({ kind: 'permission', need: 'MULTIPLE_MEMBERSHIPS' });

    const holder = await memberOrganization(gw, consortium.id, { plan: 'ENTERPRISE', permissions: ['MULTIPLE_MEMBERSHIPS', 'INVITE_ORGANIZATIONS'] });
    const events = await countEvents({ actorOrganizationId: holder.org.id });
    const subsetError = await holder.org.owner.client.fails('FORBIDDEN', CreateMembershipDocument, {
      input: { consortiumId: consortium.id, displayName: `${holder.org.name} B`, permissions: ['MANAGE_ENVIRONMENTS', 'MULTIPLE_MEMBERSHIPS'] },
    });
    expect(subsetError.extensions?.notHeld).toEqual(['MANAGE_ENVIRONMENTS']);
    expect(await countEvents({ actorOrganizationId: holder.org.id })).toBe(events);
    const { createMembership } = await holder.org.owner.client.ok(CreateMembershipDocument, {
      input: { consortiumId: consortium.id, displayName: `${holder.org.name} B`, permissions: ['MULTIPLE_MEMBERSHIPS'] },
    });
    expect(createMembership).toMatchObject({ permissions: ['MULTIPLE_MEMBERSHIPS'], invitedBy: { id: holder.membership.id } });
  });

  it('needs effective role ADMIN: an account MEMBER is refused, an account ADMIN allowed; frozen and outsiders refused', async () => {
    const { admin: org, consortium: c } = await consortiumWithAdmin(gw);
    const accountMember = await addUser(gw, org, 'MEMBER');
    const accountAdmin = await addUser(gw, org, 'ADMIN');
    const error = await accountMember.client.fails('FORBIDDEN', CreateMembershipDocument, { input: { consortiumId: c.id, displayName: 'X' } });
    expect(error.extensions).toMatchObject({ kind: 'effectiveRole', need: 'ADMIN', have: 'MEMBER' });
    await accountAdmin.client.ok(CreateMembershipDocument, { input: { consortiumId: c.id, displayName: 'By admin', membershipId: c.membershipId } });
    const outsider = await createOrganization(gw);
    await outsider.owner.client.fails('NOT_FOUND', CreateMembershipDocument, { input: { consortiumId: c.id, displayName: 'Y' } });
    const frozen = await memberOrganization(gw, consortium.id, { permissions: ['MULTIPLE_MEMBERSHIPS'], status: 'FROZEN' });
    await frozen.org.owner.client.fails('FORBIDDEN', CreateMembershipDocument, { input: { consortiumId: consortium.id, displayName: `${frozen.org.name} 2` } });
  });

  it('the display name must be given and unused in the consortium', async () => {
    const { admin: org, consortium: c } = await consortiumWithAdmin(gw);
    const blank = await org.owner.client.fails('BAD_USER_INPUT', CreateMembershipDocument, { input: { consortiumId: c.id, displayName: '  ' } });
    expect(blank.extensions?.field).toBe('displayName');
    const taken = (await membershipRows(c.id, org.id))[0].displayName;
    await org.owner.client.fails('CONFLICT', CreateMembershipDocument, { input: { consortiumId: c.id, displayName: taken } });
    expect(await membershipRows(c.id, org.id)).toHaveLength(1);
  });

  it('no operation edits permissions: only the two creating mutations take a permission set', () => {
    const schema = buildSchema(fs.readFileSync(path.resolve(__dirname, '../../schema.graphql'), 'utf8'));
    const takesPermissions = Object.values(schema.getMutationType()!.getFields())
      .filter((field) =>
        field.args.some((arg) => {
          const type = getNamedType(arg.type);
          return arg.name === 'permissions' || (isInputObjectType(type) && 'permissions' in type.getFields());
        }),
      )
      .map((field) => field.name)
      .sort();
    expect(takesPermissions).toEqual(['createMembership', 'inviteOrganization']);
  });
});

describe.concurrent('leaving (membership.leave)', () => {
  it('the membership becomes LEFT, its nodes STOPPED, its open invitations REVOKED; MEMBER_LEFT; it then sees nothing', async () => {
    const member = await memberOrganization(gw, consortium.id, { permissions: ['INVITE_ORGANIZATIONS'] });
    const nodes = await seedNodes(member.membership.id, consortium.id, 2);
    const invitees = [await createOrganization(gw), await createOrganization(gw)];
    const invitations = [];
    for (const invitee of invitees) invitations.push(await invite(member.org.owner, consortium.id, invitee.id));

    const { leaveConsortium } = await member.org.owner.client.ok(LeaveConsortiumDocument, { membershipId: member.membership.id });
    expect(leaveConsortium).toMatchObject({ membershipId: member.membership.id, consortiumId: consortium.id, status: 'LEFT' });
    expect([...leaveConsortium.stoppedNodeIds].sort()).toEqual([...nodes].sort());
    expect([...leaveConsortium.revokedInvitationIds].sort()).toEqual(invitations.map((i) => i.id).sort());

    expect(await statusOf(member.membership.id)).toBe('LEFT');
    const rows = await sql<{ status: string }>('select status from node where membership_id = ?', [member.membership.id]);
    expect(rows.map((r) => r.status)).toEqual(['STOPPED', 'STOPPED']);
    for (const [i, invitation] of invitations.entries()) {
      const [revoked] = await eventRows({ subjectId: invitation.id, kind: 'INVITATION_REVOKED' });
      expect(revoked).toMatchObject({ audienceOrganizationId: invitees[i].id });
      await invitees[i].owner.client.fails('CONFLICT', AcceptInvitationDocument, { id: invitation.id });
    }
    const [left] = await eventRows({ subjectId: member.membership.id, kind: 'MEMBER_LEFT' });
    expect(left).toMatchObject({ actingMembershipId: member.membership.id, actorOrganizationId: member.org.id });

    await member.org.owner.client.fails('NOT_FOUND', ConsortiumApplicationsDocument, { consortiumId: consortium.id });
    await member.org.owner.client.fails('NOT_FOUND', LeaveConsortiumDocument, { membershipId: member.membership.id });
  });

  it('needs effective role OWNER; another organization’s membership is NOT_FOUND', async () => {
    const member = await memberOrganization(gw, consortium.id);
    const accountAdmin = await addUser(gw, member.org, 'ADMIN');
    const error = await accountAdmin.client.fails('FORBIDDEN', LeaveConsortiumDocument, { membershipId: member.membership.id });
    expect(error.extensions).toMatchObject({ kind: 'effectiveRole', need: 'OWNER' });
    await admin.owner.client.fails('NOT_FOUND', LeaveConsortiumDocument, { membershipId: member.membership.id });
    expect(await countEvents({ subjectId: member.membership.id })).toBe(0);
    expect(await statusOf(member.membership.id)).toBe('ACTIVE');
  });

  it('a FROZEN organization may still leave (§8.1: leaving is its way out)', async () => {
    const frozen = await memberOrganization(gw, consortium.id, { status: 'FROZEN' });
    await frozen.org.owner.client.ok(LeaveConsortiumDocument, { membershipId: frozen.membership.id });
    expect(await statusOf(frozen.membership.id)).toBe('LEFT');
    expect(await countEvents({ subjectId: frozen.membership.id, kind: 'MEMBER_LEFT' })).toBe(1);
  });

  it('the last ADMINISTRATOR cannot leave (CONFLICT); nothing changes, its nodes keep running', async () => {
    const { admin: org, consortium: c } = await consortiumWithAdmin(gw);
    const nodes = await seedNodes(c.membershipId, c.id, 1);
    const events = await countEvents({ consortiumId: c.id });
    const error = await org.owner.client.fails('CONFLICT', LeaveConsortiumDocument, { membershipId: c.membershipId });
    expect(error.extensions?.kind).toBe('integrity');
    expect(await countEvents({ consortiumId: c.id })).toBe(events);
    expect((await sql<{ status: string }>('select status from node where id = ?', [nodes[0]]))[0].status).toBe('RUNNING');
    expect(await statusOf(c.membershipId)).toBe('ACTIVE');
  });

  it('of two ADMINISTRATORs leaving at once, exactly one leaves', async () => {
    const { admin: first, consortium: c } = await consortiumWithAdmin(gw);
    const second = await createOrganization(gw);
    const seat = await joinAsMember(gw, c.id, second, { role: 'ADMINISTRATOR' });
    const results = await Promise.all([
      first.owner.client.request(LeaveConsortiumDocument, { membershipId: c.membershipId }),
      second.owner.client.request(LeaveConsortiumDocument, { membershipId: seat.id }),
    ]);
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
    expect(results.filter((r) => r.errors?.[0]?.extensions?.code === 'CONFLICT')).toHaveLength(1);
    const statuses = [await statusOf(c.membershipId), await statusOf(seat.id)].sort();
    expect(statuses).toEqual(['ACTIVE', 'LEFT']);
    expect(await countEvents({ consortiumId: c.id, kind: 'MEMBER_LEFT' })).toBe(1);
  });
});
