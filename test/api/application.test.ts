// §6 Apply, and invitations sent by a MEMBER: applications wait for an ADMINISTRATOR, who approves
// (a membership with the application's permissions) or rejects with a reason. One decision wins.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AcceptInvitationDocument,
  ApplicationByIdDocument,
  ApplyToJoinDocument,
  ApproveApplicationDocument,
  ConsortiumApplicationsDocument,
  RejectApplicationDocument,
  WithdrawApplicationDocument,
} from '../generated/graphql';
import { memberOrganization, setMembershipStatus, type TestConsortium } from '../support/factories/consortium';
import { apply, consortiumWithAdmin, countEvents, eventRows, invite, membershipRows } from '../support/factories/membership';
import { addUser, createOrganization, seedNetworkRole, type TestOrganization } from '../support/factories/organization';
import { startTestGateway, type TestGateway } from '../support/gateway';

let gw: TestGateway;
let admin: TestOrganization;
let consortium: TestConsortium;

beforeAll(async () => {
  gw = await startTestGateway();
  ({ admin, consortium } = await consortiumWithAdmin(gw, { plan: 'ENTERPRISE' }));
});
afterAll(() => gw?.stop());

describe.concurrent('applying (application.submit)', () => {
  it('an OWNER or ADMIN applies; APPLICATION_SUBMITTED; the applicant and the members see it, nobody else', async () => {
    const applicant = await createOrganization(gw);
    const applicantAdmin = await addUser(gw, applicant, 'ADMIN');
    const application = await apply(applicantAdmin, consortium.id, { message: '  We run a node  ' });
    expect(application).toMatchObject({
      status: 'PENDING',
      permissions: [],
      message: 'We run a node',
      organization: { id: applicant.id },
      consortium: { id: consortium.id, name: consortium.name },
      invitation: null,
    });
    const [event] = await eventRows({ subjectId: application.id });
    expect(event).toMatchObject({ kind: 'APPLICATION_SUBMITTED', actorUserId: applicantAdmin.id, actorOrganizationId: applicant.id });

    expect((await applicant.owner.client.ok(ApplicationByIdDocument, { id: application.id })).application.id).toBe(application.id);
    const member = await memberOrganization(gw, consortium.id);
    const { consortiumApplications } = await member.org.owner.client.ok(ConsortiumApplicationsDocument, { consortiumId: consortium.id });
    expect(consortiumApplications.nodes.map((a) => a.id)).toContain(application.id);
    expect((await member.org.owner.client.ok(ApplicationByIdDocument, { id: application.id })).application.id).toBe(application.id);

    const outsider = await createOrganization(gw);
    await outsider.owner.client.fails('NOT_FOUND', ApplicationByIdDocument, { id: application.id });
    await outsider.owner.client.fails('NOT_FOUND', ConsortiumApplicationsDocument, { consortiumId: consortium.id });
    const applicantMember = await addUser(gw, applicant, 'MEMBER');
    await applicantMember.client.fails('NOT_FOUND', ApplicationByIdDocument, { id: application.id });
  });

  it('a user with account role MEMBER may not apply', async () => {
    const applicant = await createOrganization(gw);
    const user = await addUser(gw, applicant, 'MEMBER');
    await user.client.fails('FORBIDDEN', ApplyToJoinDocument, { input: { consortiumId: consortium.id } });
  });

  it('an organization with a seat may not apply, unless an ACTIVE seat holds MULTIPLE_MEMBERSHIPS', async () => {
    const plain = await memberOrganization(gw, consortium.id);
    const frozenMulti = await memberOrganization(gw, consortium.id, { permissions: ['MULTIPLE_MEMBERSHIPS'], status: 'FROZEN' });
    const multi = await memberOrganization(gw, consortium.id, { permissions: ['MULTIPLE_MEMBERSHIPS'] });
    for (const { org } of [plain, frozenMulti]) {
      const error = await org.owner.client.fails('FORBIDDEN', ApplyToJoinDocument, { input: { consortiumId: consortium.id } });
      expect(error.message).toMatch(/MULTIPLE_MEMBERSHIPS/);
    }
    await apply(multi.org.owner, consortium.id, { displayName: 'Second seat' });
  });

  it('one pending application per organization; an unknown consortium is NOT_FOUND; input is checked', async () => {
    const applicant = await createOrganization(gw);
    await apply(applicant.owner, consortium.id);
    await applicant.owner.client.fails('CONFLICT', ApplyToJoinDocument, { input: { consortiumId: consortium.id } });
    await applicant.owner.client.fails('NOT_FOUND', ApplyToJoinDocument, { input: { consortiumId: '00000000-0000-4000-8000-000000000000' } });
    const other = await createOrganization(gw);
    const error = await other.owner.client.fails('BAD_USER_INPUT', ApplyToJoinDocument, {
      input: { consortiumId: consortium.id, displayName: '   ' },
    });
    expect(error.extensions?.field).toBe('displayName');
  });

  it('the applicant withdraws a pending application; nobody can decide it afterwards', async () => {
    const applicant = await createOrganization(gw);
    const application = await apply(applicant.owner, consortium.id);
    const outsider = await createOrganization(gw);
    await outsider.owner.client.fails('NOT_FOUND', WithdrawApplicationDocument, { id: application.id });
    const { withdrawApplication } = await applicant.owner.client.ok(WithdrawApplicationDocument, { id: application.id });
    expect(withdrawApplication.status).toBe('WITHDRAWN');
    expect((await eventRows({ subjectId: application.id })).map((e) => e.kind)).toEqual(['APPLICATION_SUBMITTED', 'APPLICATION_WITHDRAWN']);
    await admin.owner.client.fails('CONFLICT', ApproveApplicationDocument, { id: application.id });
    await applicant.owner.client.fails('CONFLICT', WithdrawApplicationDocument, { id: application.id });
    // Withdrawn, the organization may apply again.
    await apply(applicant.owner, consortium.id);
  });
});

describe.concurrent('deciding (application.decide)', () => {
  it('an ADMINISTRATOR approves: an ACTIVE MEMBER membership with no permissions, APPLICATION_APPROVED to the applicant, MEMBER_JOINED', async () => {
    const applicant = await createOrganization(gw);
    const application = await apply(applicant.owner, consortium.id, { displayName: 'Applicant Seat' });
    const { approveApplication } = await admin.owner.client.ok(ApproveApplicationDocument, { id: application.id });
    expect(approveApplication.application).toMatchObject({ status: 'APPROVED' });
    expect(approveApplication.membership).toMatchObject({
      displayName: 'Applicant Seat',
      role: 'MEMBER',
      status: 'ACTIVE',
      permissions: [],
      invitedBy: null,
    });
    const [approved] = await eventRows({ subjectId: application.id, kind: 'APPLICATION_APPROVED' });
    expect(approved).toMatchObject({ audienceOrganizationId: applicant.id, actingMembershipId: consortium.membershipId, actorUserId: admin.owner.id });
    expect(await countEvents({ subjectId: approveApplication.membership.id, kind: 'MEMBER_JOINED' })).toBe(1);
    await admin.owner.client.fails('CONFLICT', ApproveApplicationDocument, { id: application.id });
    await admin.owner.client.fails('CONFLICT', RejectApplicationDocument, { id: application.id, reason: 'late' });
  });

  it('rejects with a reason the applicant sees; APPLICATION_REJECTED to the applicant; a blank reason is refused', async () => {
    const applicant = await createOrganization(gw);
    const application = await apply(applicant.owner, consortium.id);
    const error = await admin.owner.client.fails('BAD_USER_INPUT', RejectApplicationDocument, { id: application.id, reason: ' ' });
    expect(error.extensions?.field).toBe('reason');
    await admin.owner.client.ok(RejectApplicationDocument, { id: application.id, reason: 'Not a bank' });
    const { application: seen } = await applicant.owner.client.ok(ApplicationByIdDocument, { id: application.id });
    expect(seen).toMatchObject({ status: 'REJECTED', reason: 'Not a bank' });
    const [rejected] = await eventRows({ subjectId: application.id, kind: 'APPLICATION_REJECTED' });
    expect(rejected).toMatchObject({ audienceOrganizationId: applicant.id, payload: { reason: 'Not a bank' } });
    expect(await membershipRows(consortium.id, applicant.id)).toHaveLength(0);
  });

  it('a MEMBER membership (whatever it holds) or an account ADMIN may not decide; a network OWNER may; outsiders get NOT_FOUND', async () => {
    const applicant = await createOrganization(gw);
    const application = await apply(applicant.owner, consortium.id);
    const member = await memberOrganization(gw, consortium.id, {
      permissions: ['INVITE_ORGANIZATIONS', 'MULTIPLE_MEMBERSHIPS', 'MANAGE_ENVIRONMENTS', 'CREATE_SIGNERS'],
    });
    const memberError = await member.org.owner.client.fails('FORBIDDEN', ApproveApplicationDocument, { id: application.id });
    expect(memberError.extensions?.kind).toBe('consortiumRole');
    const accountAdmin = await addUser(gw, admin, 'ADMIN');
    const roleError = await accountAdmin.client.fails('FORBIDDEN', RejectApplicationDocument, { id: application.id, reason: 'no' });
    expect(roleError.extensions).toMatchObject({ kind: 'effectiveRole', have: 'ADMIN' });
    const outsider = await createOrganization(gw);
    await outsider.owner.client.fails('NOT_FOUND', ApproveApplicationDocument, { id: application.id });
    await applicant.owner.client.fails('NOT_FOUND', ApproveApplicationDocument, { id: application.id });
    expect(await countEvents({ subjectId: application.id })).toBe(1);

    const accountMember = await addUser(gw, admin, 'MEMBER');
    await accountMember.client.fails('FORBIDDEN', ApproveApplicationDocument, { id: application.id });
    await seedNetworkRole(accountMember.id, consortium.id, 'OWNER');
    await accountMember.client.ok(ApproveApplicationDocument, { id: application.id });
  });

  it('a FROZEN deciding membership is refused like any change', async () => {
    // The API never freezes an ADMINISTRATOR; a seeded status stands in to reach the policy check.
    const { admin: otherAdmin, consortium: other } = await consortiumWithAdmin(gw);
    const applicant = await createOrganization(gw);
    const application = await apply(applicant.owner, other.id);
    await setMembershipStatus(other.membershipId, 'FROZEN');
    const error = await otherAdmin.owner.client.fails('FORBIDDEN', ApproveApplicationDocument, { id: application.id });
    expect(error.message).toMatch(/frozen/);
  });

  it('exactly one of 10 racing approvals wins: one membership, one APPLICATION_APPROVED', async () => {
    const applicant = await createOrganization(gw);
    const application = await apply(applicant.owner, consortium.id);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => admin.owner.client.request(ApproveApplicationDocument, { id: application.id })),
    );
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
    expect(results.filter((r) => r.errors?.[0]?.extensions?.code === 'CONFLICT')).toHaveLength(9);
    expect(await membershipRows(consortium.id, applicant.id)).toHaveLength(1);
    expect(await countEvents({ subjectId: application.id, kind: 'APPLICATION_APPROVED' })).toBe(1);
    const [membership] = await membershipRows(consortium.id, applicant.id);
    expect(await countEvents({ subjectId: membership.id, kind: 'MEMBER_JOINED' })).toBe(1);
  });

  it('approvals, rejections and a withdrawal racing: one wins, the others get CONFLICT', async () => {
    const applicant = await createOrganization(gw);
    const application = await apply(applicant.owner, consortium.id);
    const results = await Promise.all([
      ...Array.from({ length: 3 }, () => admin.owner.client.request(ApproveApplicationDocument, { id: application.id })),
      ...Array.from({ length: 3 }, () => admin.owner.client.request(RejectApplicationDocument, { id: application.id, reason: 'no' })),
      applicant.owner.client.request(WithdrawApplicationDocument, { id: application.id }),
    ]);
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
    expect(results.filter((r) => r.errors?.[0]?.extensions?.code === 'CONFLICT')).toHaveLength(6);
    const decided = await eventRows({ subjectId: application.id });
    expect(decided.map((e) => e.kind).filter((k) => k !== 'APPLICATION_SUBMITTED')).toHaveLength(1);
  });
});

describe.concurrent("a MEMBER's invitation becomes an application", () => {
  it('accepting creates a PENDING application carrying the invitation and its permissions; approval keeps the inviter', async () => {
    const inviter = await memberOrganization(gw, consortium.id, { plan: 'ENTERPRISE', permissions: ['INVITE_ORGANIZATIONS', 'MANAGE_ENVIRONMENTS'] });
    const invitee = await createOrganization(gw);
    const invitation = await invite(inviter.org.owner, consortium.id, invitee.id, { permissions: ['MANAGE_ENVIRONMENTS'] });
    const { acceptInvitation } = await invitee.owner.client.ok(AcceptInvitationDocument, { id: invitation.id, displayName: 'Via Member' });
    expect(acceptInvitation.membership).toBeNull();
    expect(acceptInvitation.invitation.status).toBe('ACCEPTED');
    const application = acceptInvitation.application!;
    expect(application).toMatchObject({
      status: 'PENDING',
      permissions: ['MANAGE_ENVIRONMENTS'],
      displayName: 'Via Member',
      invitation: { id: invitation.id, status: 'ACCEPTED' },
    });
    expect(await membershipRows(consortium.id, invitee.id)).toHaveLength(0);
    expect((await eventRows({ consortiumId: consortium.id })).filter((e) => [invitation.id, application.id].includes(e.subjectId)).map((e) => e.kind)).toEqual([
      'INVITATION_SENT',
      'INVITATION_ACCEPTED',
      'APPLICATION_SUBMITTED',
    ]);

    const { approveApplication } = await admin.owner.client.ok(ApproveApplicationDocument, { id: application.id });
    expect(approveApplication.membership).toMatchObject({
      displayName: 'Via Member',
      status: 'ACTIVE',
      role: 'MEMBER',
      permissions: ['MANAGE_ENVIRONMENTS'],
      invitedBy: { id: inviter.membership.id },
    });
  });

  it('the administrator may reject it with a reason', async () => {
    const inviter = await memberOrganization(gw, consortium.id, { permissions: ['INVITE_ORGANIZATIONS'] });
    const invitee = await createOrganization(gw);
    const invitation = await invite(inviter.org.owner, consortium.id, invitee.id);
    const { acceptInvitation } = await invitee.owner.client.ok(AcceptInvitationDocument, { id: invitation.id });
    const { rejectApplication } = await admin.owner.client.ok(RejectApplicationDocument, { id: acceptInvitation.application!.id, reason: 'Duplicate' });
    expect(rejectApplication).toMatchObject({ status: 'REJECTED', reason: 'Duplicate', permissions: ['INVITE_ORGANIZATIONS'] });
    expect(await membershipRows(consortium.id, invitee.id)).toHaveLength(0);
  });

  it('an organization that already waits on an application cannot open a second one by accepting', async () => {
    const inviter = await memberOrganization(gw, consortium.id, { permissions: ['INVITE_ORGANIZATIONS'] });
    const invitee = await createOrganization(gw);
    await apply(invitee.owner, consortium.id);
    const invitation = await invite(inviter.org.owner, consortium.id, invitee.id);
    await invitee.owner.client.fails('CONFLICT', AcceptInvitationDocument, { id: invitation.id });
    expect(await countEvents({ subjectId: invitation.id })).toBe(1);
  });
});

describe.concurrent('approving re-checks the seat rule', () => {
  it('an application approved after the organization joined another way is refused with CONFLICT', async () => {
    const applicant = await createOrganization(gw);
    const application = await apply(applicant.owner, consortium.id);
    const invitation = await invite(admin.owner, consortium.id, applicant.id);
    await applicant.owner.client.ok(AcceptInvitationDocument, { id: invitation.id });
    await admin.owner.client.fails('CONFLICT', ApproveApplicationDocument, { id: application.id });
    expect(await membershipRows(consortium.id, applicant.id)).toHaveLength(1);
  });
});
