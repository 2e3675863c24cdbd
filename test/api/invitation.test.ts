// §6 Invite and §5 offers through the API: who may invite, revoke, see and respond; what an
// invitation may offer; what accepting creates; expiry; racing acceptances.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sweepExpiredInvitations } from '../../src/modules/membership/invitation.expiry';
import {
  AcceptInvitationDocument,
  ConsortiumInvitationsDocument,
  DeclineInvitationDocument,
  InvitationByIdDocument,
  InviteOrganizationDocument,
  PendingInvitationsDocument,
  RevokeInvitationDocument,
} from '../generated/graphql';
import { testEm } from '../support/db';
import { joinAsMember, memberOrganization, type TestConsortium } from '../support/factories/consortium';
import { backdateInvitation, consortiumWithAdmin, countEvents, eventRows, invite, membershipRows } from '../support/factories/membership';
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

const DAY = 86_400_000;

describe.concurrent('inviting: an ADMINISTRATOR', () => {
  it('sends the default set, expiring after the configured 14 days, with INVITATION_SENT to the invitee', async () => {
    const invitee = await createOrganization(gw);
    const before = Date.now();
    const inv = await invite(admin.owner, consortium.id, invitee.id);
    expect(inv).toMatchObject({
      status: 'PENDING',
      permissions: ['INVITE_ORGANIZATIONS'],
      consortium: { id: consortium.id, name: consortium.name },
      invitingMembership: { id: consortium.membershipId },
      inviteeOrganization: { id: invitee.id, name: invitee.name },
    });
    const expires = Date.parse(inv.expiresAt);
    expect(expires).toBeGreaterThanOrEqual(before + 14 * DAY - 1000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 14 * DAY + 1000);
    const [event] = await eventRows({ subjectId: inv.id });
    expect(event).toMatchObject({
      kind: 'INVITATION_SENT',
      consortiumId: consortium.id,
      actorUserId: admin.owner.id,
      actorOrganizationId: admin.id,
      actingMembershipId: consortium.membershipId,
      audienceOrganizationId: invitee.id,
    });
    expect(event.payload).toMatchObject({ inviteeOrganizationId: invitee.id, permissions: ['INVITE_ORGANIZATIONS'] });
  });

  it('chooses the lifetime between 1 and 90 days', async () => {
    const invitee = await createOrganization(gw);
    for (const days of [0, 91, -3]) {
      const error = await admin.owner.client.fails('BAD_USER_INPUT', InviteOrganizationDocument, {
        input: { consortiumId: consortium.id, organizationId: invitee.id, expiresInDays: days },
      });
      expect(error.extensions?.field).toBe('expiresInDays');
    }
    const inv = await invite(admin.owner, consortium.id, invitee.id, { expiresInDays: 3 });
    expect(Math.abs(Date.parse(inv.expiresAt) - (Date.now() + 3 * DAY))).toBeLessThan(5000);
  });

  it('offers any held set on ENTERPRISE; CREATE_SIGNERS only to an ENTERPRISE invitee', async () => {
    const enterprise = await createOrganization(gw, { plan: 'ENTERPRISE' });
    const standard = await createOrganization(gw);
    const all = ['CREATE_SIGNERS', 'MANAGE_ENVIRONMENTS', 'INVITE_ORGANIZATIONS', 'MULTIPLE_MEMBERSHIPS'] as const;
    const inv = await invite(admin.owner, consortium.id, enterprise.id, { permissions: [...all].reverse() });
    expect(inv.permissions).toEqual(all);
    const error = await admin.owner.client.fails('BAD_USER_INPUT', InviteOrganizationDocument, {
      input: { consortiumId: consortium.id, organizationId: standard.id, permissions: ['CREATE_SIGNERS'] },
    });
    expect(error.message).toMatch(/ENTERPRISE/);
    expect((await invite(admin.owner, consortium.id, standard.id, { permissions: ['MANAGE_ENVIRONMENTS'] })).permissions).toEqual([
      'MANAGE_ENVIRONMENTS',
    ]);
  });

  it('needs ENTERPRISE to offer anything but the default set, an explicit empty set included', async () => {
    const { admin: standardAdmin, consortium: standardConsortium } = await consortiumWithAdmin(gw);
    const invitee = await createOrganization(gw);
    const events = await countEvents({ consortiumId: standardConsortium.id });
    for (const permissions of [['MANAGE_ENVIRONMENTS'], [], ['INVITE_ORGANIZATIONS', 'MULTIPLE_MEMBERSHIPS']] as const) {
      const error = await standardAdmin.owner.client.fails('FORBIDDEN', InviteOrganizationDocument, {
        input: { consortiumId: standardConsortium.id, organizationId: invitee.id, permissions: [...permissions] },
      });
      expect(error.message).toMatch(/ENTERPRISE/);
    }
    expect(await countEvents({ consortiumId: standardConsortium.id })).toBe(events);
    const inv = await invite(standardAdmin.owner, standardConsortium.id, invitee.id, { permissions: ['INVITE_ORGANIZATIONS'] });
    expect(inv.permissions).toEqual(['INVITE_ORGANIZATIONS']);
  });

  it('refuses an organization that already holds a seat, or already has a pending invitation', async () => {
    const { org } = await memberOrganization(gw, consortium.id);
    await admin.owner.client.fails('CONFLICT', InviteOrganizationDocument, {
      input: { consortiumId: consortium.id, organizationId: org.id },
    });
    const invitee = await createOrganization(gw);
    await invite(admin.owner, consortium.id, invitee.id);
    await admin.owner.client.fails('CONFLICT', InviteOrganizationDocument, {
      input: { consortiumId: consortium.id, organizationId: invitee.id },
    });
  });

  it('of 6 racing invitations of one organization, exactly one is sent', async () => {
    const invitee = await createOrganization(gw);
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        admin.owner.client.request(InviteOrganizationDocument, { input: { consortiumId: consortium.id, organizationId: invitee.id } }),
      ),
    );
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
    expect(results.filter((r) => r.errors?.[0]?.extensions?.code === 'CONFLICT')).toHaveLength(5);
    expect(await countEvents({ consortiumId: consortium.id, kind: 'INVITATION_SENT', subjectId: results.find((r) => !r.errors)!.data!.inviteOrganization.id })).toBe(1);
  });

  it('answers NOT_FOUND for an unknown organization or consortium', async () => {
    await admin.owner.client.fails('NOT_FOUND', InviteOrganizationDocument, {
      input: { consortiumId: consortium.id, organizationId: '00000000-0000-4000-8000-000000000000' },
    });
    await admin.owner.client.fails('NOT_FOUND', InviteOrganizationDocument, {
      input: { consortiumId: 'not-an-id', organizationId: admin.id },
    });
  });
});

describe.concurrent('inviting: the grid (organization.invite)', () => {
  it('a MEMBER needs INVITE_ORGANIZATIONS', async () => {
    const without = await memberOrganization(gw, consortium.id);
    const withIt = await memberOrganization(gw, consortium.id, { permissions: ['INVITE_ORGANIZATIONS'] });
    const invitee = await createOrganization(gw);
    const error = await without.org.owner.client.fails('FORBIDDEN', InviteOrganizationDocument, {
      input: { consortiumId: consortium.id, organizationId: invitee.id },
    });
    expect(error.message).toMatch(/INVITE_ORGANIZATIONS/);
    const inv = await invite(withIt.org.owner, consortium.id, invitee.id);
    expect(inv.invitingMembership.id).toBe(withIt.membership.id);
  });

  it('needs effective role OWNER: account ADMIN or MEMBER without a network role is refused, a network OWNER is allowed', async () => {
    const invitee = await createOrganization(gw);
    const accountAdmin = await addUser(gw, admin, 'ADMIN');
    const accountMember = await addUser(gw, admin, 'MEMBER');
    for (const user of [accountAdmin, accountMember]) {
      const error = await user.client.fails('FORBIDDEN', InviteOrganizationDocument, {
        input: { consortiumId: consortium.id, organizationId: invitee.id },
      });
      expect(error.extensions).toMatchObject({ kind: 'effectiveRole', need: 'OWNER' });
    }
    await seedNetworkRole(accountMember.id, consortium.id, 'OWNER');
    await invite(accountMember, consortium.id, invitee.id);
  });

  it('a FROZEN membership may not invite; a non-member gets NOT_FOUND', async () => {
    const frozen = await memberOrganization(gw, consortium.id, { permissions: ['INVITE_ORGANIZATIONS'], status: 'FROZEN' });
    const outsider = await createOrganization(gw);
    const invitee = await createOrganization(gw);
    const input = { consortiumId: consortium.id, organizationId: invitee.id };
    const error = await frozen.org.owner.client.fails('FORBIDDEN', InviteOrganizationDocument, { input });
    expect(error.message).toMatch(/frozen/);
    await outsider.owner.client.fails('NOT_FOUND', InviteOrganizationDocument, { input });
  });

  it('the subset rule: a MEMBER offers only what it holds, and the refusal lists the permissions not held', async () => {
    const inviter = await memberOrganization(gw, consortium.id, { plan: 'ENTERPRISE', permissions: ['INVITE_ORGANIZATIONS'] });
    const invitee = await createOrganization(gw, { plan: 'ENTERPRISE' });
    const events = await countEvents({ actorOrganizationId: inviter.org.id });
    const error = await inviter.org.owner.client.fails('FORBIDDEN', InviteOrganizationDocument, {
      input: {
        consortiumId: consortium.id,
        organizationId: invitee.id,
        permissions: ['MULTIPLE_MEMBERSHIPS', 'INVITE_ORGANIZATIONS', 'CREATE_SIGNERS'],
      },
    });
    expect(error.extensions?.notHeld).toEqual(['CREATE_SIGNERS', 'MULTIPLE_MEMBERSHIPS']);
    expect(error.message).toMatch(/CREATE_SIGNERS, MULTIPLE_MEMBERSHIPS/);
    expect(await countEvents({ actorOrganizationId: inviter.org.id })).toBe(events);
  });
});

describe.concurrent('seeing invitations', () => {
  it("the invitee's OWNER and ADMIN see it (pending, by id); its MEMBER users and outsiders do not", async () => {
    const invitee = await createOrganization(gw);
    const inviteeAdmin = await addUser(gw, invitee, 'ADMIN');
    const inviteeMember = await addUser(gw, invitee, 'MEMBER');
    const outsider = await createOrganization(gw);
    const inv = await invite(admin.owner, consortium.id, invitee.id);
    for (const user of [invitee.owner, inviteeAdmin]) {
      const { pendingInvitations } = await user.client.ok(PendingInvitationsDocument, {});
      expect(pendingInvitations.nodes.map((i) => i.id)).toEqual([inv.id]);
      expect(pendingInvitations.nodes[0].consortium).toEqual({ id: consortium.id, name: consortium.name });
      expect((await user.client.ok(InvitationByIdDocument, { id: inv.id })).invitation.status).toBe('PENDING');
    }
    await inviteeMember.client.fails('FORBIDDEN', PendingInvitationsDocument, {});
    await inviteeMember.client.fails('NOT_FOUND', InvitationByIdDocument, { id: inv.id });
    await outsider.owner.client.fails('NOT_FOUND', InvitationByIdDocument, { id: inv.id });
    expect((await outsider.owner.client.ok(PendingInvitationsDocument, {})).pendingInvitations.totalCount).toBe(0);
  });

  it("the consortium's members see its invitations; a non-member does not", async () => {
    const invitee = await createOrganization(gw);
    const member = await memberOrganization(gw, consortium.id);
    const inv = await invite(admin.owner, consortium.id, invitee.id);
    const { consortiumInvitations } = await member.org.owner.client.ok(ConsortiumInvitationsDocument, { consortiumId: consortium.id });
    expect(consortiumInvitations.nodes.map((i) => i.id)).toContain(inv.id);
    expect((await member.org.owner.client.ok(InvitationByIdDocument, { id: inv.id })).invitation.id).toBe(inv.id);
    const outsider = await createOrganization(gw);
    await outsider.owner.client.fails('NOT_FOUND', ConsortiumInvitationsDocument, { consortiumId: consortium.id });
  });
});

describe.concurrent('responding', () => {
  it("accepting an ADMINISTRATOR's invitation creates an ACTIVE MEMBER membership at once, with both events", async () => {
    const invitee = await createOrganization(gw, { plan: 'ENTERPRISE' });
    const inv = await invite(admin.owner, consortium.id, invitee.id, { permissions: ['CREATE_SIGNERS', 'INVITE_ORGANIZATIONS'] });
    const { acceptInvitation } = await invitee.owner.client.ok(AcceptInvitationDocument, { id: inv.id, displayName: '  Acme Seat  ' });
    expect(acceptInvitation.invitation.status).toBe('ACCEPTED');
    expect(acceptInvitation.application).toBeNull();
    expect(acceptInvitation.membership).toMatchObject({
      displayName: 'Acme Seat',
      role: 'MEMBER',
      status: 'ACTIVE',
      permissions: ['CREATE_SIGNERS', 'INVITE_ORGANIZATIONS'],
      invitedBy: { id: consortium.membershipId },
    });
    const events = (await eventRows({ consortiumId: consortium.id })).filter((e) =>
      [inv.id, acceptInvitation.membership!.id].includes(e.subjectId),
    );
    expect(events.map((e) => e.kind)).toEqual(['INVITATION_SENT', 'INVITATION_ACCEPTED', 'MEMBER_JOINED']);
    expect(events.at(-1)).toMatchObject({ actorUserId: invitee.owner.id, actorOrganizationId: invitee.id, actingMembershipId: null });
    // Decided: acting again conflicts.
    await invitee.owner.client.fails('CONFLICT', AcceptInvitationDocument, { id: inv.id });
    await invitee.owner.client.fails('CONFLICT', DeclineInvitationDocument, { id: inv.id });
    expect(await membershipRows(consortium.id, invitee.id)).toHaveLength(1);
  });

  it('without a display name the organization name is used, made unique when taken', async () => {
    const invitee = await createOrganization(gw);
    await joinAsMember(gw, consortium.id, { id: (await createOrganization(gw)).id }, { displayName: invitee.name });
    const inv = await invite(admin.owner, consortium.id, invitee.id);
    const { acceptInvitation } = await invitee.owner.client.ok(AcceptInvitationDocument, { id: inv.id });
    expect(acceptInvitation.membership!.displayName).toBe(`${invitee.name} (2)`);
  });

  it('a display name someone already uses is refused, and nothing is written', async () => {
    const invitee = await createOrganization(gw);
    const inv = await invite(admin.owner, consortium.id, invitee.id);
    const taken = (await membershipRows(consortium.id, admin.id))[0].displayName;
    const error = await invitee.owner.client.fails('CONFLICT', AcceptInvitationDocument, { id: inv.id, displayName: taken });
    expect(error.extensions?.field).toBe('displayName');
    expect(await countEvents({ actorOrganizationId: invitee.id })).toBe(0);
    expect((await invitee.owner.client.ok(InvitationByIdDocument, { id: inv.id })).invitation.status).toBe('PENDING');
  });

  it('declining records INVITATION_DECLINED; the invitation can no longer be accepted', async () => {
    const invitee = await createOrganization(gw);
    const inv = await invite(admin.owner, consortium.id, invitee.id);
    const { declineInvitation } = await invitee.owner.client.ok(DeclineInvitationDocument, { id: inv.id });
    expect(declineInvitation.status).toBe('DECLINED');
    expect((await eventRows({ subjectId: inv.id })).map((e) => e.kind)).toEqual(['INVITATION_SENT', 'INVITATION_DECLINED']);
    const error = await invitee.owner.client.fails('CONFLICT', AcceptInvitationDocument, { id: inv.id });
    expect(error.message).toMatch(/declined/);
  });

  it("only the invitee's OWNER or ADMIN responds; others get FORBIDDEN or NOT_FOUND", async () => {
    const invitee = await createOrganization(gw);
    const inviteeMember = await addUser(gw, invitee, 'MEMBER');
    const inviteeAdmin = await addUser(gw, invitee, 'ADMIN');
    const outsider = await createOrganization(gw);
    const inv = await invite(admin.owner, consortium.id, invitee.id);
    await inviteeMember.client.fails('FORBIDDEN', AcceptInvitationDocument, { id: inv.id });
    await outsider.owner.client.fails('NOT_FOUND', AcceptInvitationDocument, { id: inv.id });
    await outsider.owner.client.fails('NOT_FOUND', DeclineInvitationDocument, { id: inv.id });
    await admin.owner.client.fails('NOT_FOUND', AcceptInvitationDocument, { id: inv.id });
    await invitee.owner.client.fails('NOT_FOUND', AcceptInvitationDocument, { id: 'nope' });
    expect(await countEvents({ subjectId: inv.id })).toBe(1);
    await inviteeAdmin.client.ok(AcceptInvitationDocument, { id: inv.id });
  });

  it('exactly one of 10 racing acceptances wins; the others get CONFLICT', async () => {
    const invitee = await createOrganization(gw);
    const inv = await invite(admin.owner, consortium.id, invitee.id);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => invitee.owner.client.request(AcceptInvitationDocument, { id: inv.id })),
    );
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
    expect(results.filter((r) => r.errors?.[0]?.extensions?.code === 'CONFLICT')).toHaveLength(9);
    expect(await membershipRows(consortium.id, invitee.id)).toHaveLength(1);
    expect(await countEvents({ subjectId: inv.id, kind: 'INVITATION_ACCEPTED' })).toBe(1);
    const [membership] = await membershipRows(consortium.id, invitee.id);
    expect(await countEvents({ subjectId: membership.id, kind: 'MEMBER_JOINED' })).toBe(1);
  });
});

describe.concurrent('racing decisions', () => {
  it('accepts, declines and a revocation racing on one invitation: exactly one wins, with one event', async () => {
    const invitee = await createOrganization(gw);
    const inv = await invite(admin.owner, consortium.id, invitee.id);
    const results = await Promise.all([
      ...Array.from({ length: 4 }, () => invitee.owner.client.request(AcceptInvitationDocument, { id: inv.id })),
      ...Array.from({ length: 4 }, () => invitee.owner.client.request(DeclineInvitationDocument, { id: inv.id })),
      admin.owner.client.request(RevokeInvitationDocument, { id: inv.id }),
    ]);
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
    expect(results.filter((r) => r.errors?.[0]?.extensions?.code === 'CONFLICT')).toHaveLength(8);
    expect((await eventRows({ subjectId: inv.id })).map((e) => e.kind).filter((k) => k !== 'INVITATION_SENT')).toHaveLength(1);
  });
});

describe.concurrent('revoking (invitation.revoke: own only for a MEMBER)', () => {
  let inviterA: { org: TestOrganization; membership: { id: string } };
  let inviterB: { org: TestOrganization; membership: { id: string } };
  beforeAll(async () => {
    inviterA = await memberOrganization(gw, consortium.id, { permissions: ['INVITE_ORGANIZATIONS'] });
    inviterB = await memberOrganization(gw, consortium.id, { permissions: ['INVITE_ORGANIZATIONS'] });
  });

  it('a MEMBER revokes its own invitation, with INVITATION_REVOKED to the invitee', async () => {
    const invitee = await createOrganization(gw);
    const inv = await invite(inviterA.org.owner, consortium.id, invitee.id);
    const { revokeInvitation } = await inviterA.org.owner.client.ok(RevokeInvitationDocument, { id: inv.id });
    expect(revokeInvitation.status).toBe('REVOKED');
    const [, revoked] = await eventRows({ subjectId: inv.id });
    expect(revoked).toMatchObject({ kind: 'INVITATION_REVOKED', audienceOrganizationId: invitee.id, actingMembershipId: inviterA.membership.id });
    await inviterA.org.owner.client.fails('CONFLICT', RevokeInvitationDocument, { id: inv.id });
    await invitee.owner.client.fails('CONFLICT', AcceptInvitationDocument, { id: inv.id });
  });

  it("a MEMBER may not revoke another membership's invitation; an ADMINISTRATOR may revoke any", async () => {
    const invitee = await createOrganization(gw);
    const inv = await invite(inviterA.org.owner, consortium.id, invitee.id);
    const error = await inviterB.org.owner.client.fails('FORBIDDEN', RevokeInvitationDocument, { id: inv.id });
    expect(error.extensions?.kind).toBe('ownership');
    expect(await countEvents({ subjectId: inv.id })).toBe(1);
    const { revokeInvitation } = await admin.owner.client.ok(RevokeInvitationDocument, { id: inv.id });
    expect(revokeInvitation.status).toBe('REVOKED');
  });

  it('revoking needs effective role OWNER; the invitee and outsiders get NOT_FOUND', async () => {
    const invitee = await createOrganization(gw);
    const inv = await invite(inviterA.org.owner, consortium.id, invitee.id);
    const accountAdmin = await addUser(gw, inviterA.org, 'ADMIN');
    await accountAdmin.client.fails('FORBIDDEN', RevokeInvitationDocument, { id: inv.id });
    await invitee.owner.client.fails('NOT_FOUND', RevokeInvitationDocument, { id: inv.id });
    const outsider = await createOrganization(gw);
    await outsider.owner.client.fails('NOT_FOUND', RevokeInvitationDocument, { id: inv.id });
    await inviterA.org.owner.client.ok(RevokeInvitationDocument, { id: inv.id, membershipId: inviterA.membership.id });
  });
});

describe.concurrent('expiry', () => {
  it('an invitation past its expiry cannot be accepted: CONFLICT, marked EXPIRED, one INVITATION_EXPIRED', async () => {
    const invitee = await createOrganization(gw);
    const inv = await invite(admin.owner, consortium.id, invitee.id);
    await backdateInvitation(inv.id);
    const error = await invitee.owner.client.fails('CONFLICT', AcceptInvitationDocument, { id: inv.id });
    expect(error.message).toMatch(/expired/);
    expect((await invitee.owner.client.ok(InvitationByIdDocument, { id: inv.id })).invitation.status).toBe('EXPIRED');
    await invitee.owner.client.fails('CONFLICT', AcceptInvitationDocument, { id: inv.id });
    await invitee.owner.client.fails('CONFLICT', DeclineInvitationDocument, { id: inv.id });
    const expired = await eventRows({ subjectId: inv.id, kind: 'INVITATION_EXPIRED' });
    expect(expired).toHaveLength(1);
    expect(expired[0]).toMatchObject({ audienceOrganizationId: invitee.id, consortiumId: consortium.id });
    expect(await membershipRows(consortium.id, invitee.id)).toHaveLength(0);
    expect((await invitee.owner.client.ok(PendingInvitationsDocument, {})).pendingInvitations.totalCount).toBe(0);
  });

  it('the sweeper expires overdue invitations once each, however often it runs', async () => {
    const invitees = await Promise.all([createOrganization(gw), createOrganization(gw)]);
    const invs = await Promise.all(invitees.map((o) => invite(admin.owner, consortium.id, o.id)));
    const fresh = await invite(admin.owner, consortium.id, (await createOrganization(gw)).id);
    for (const inv of invs) await backdateInvitation(inv.id);
    const em = (await testEm()) as EntityManager;
    // Two sweeps at once stand for two gateway instances.
    const [a, b] = await Promise.all([sweepExpiredInvitations(em.fork()), sweepExpiredInvitations(em.fork())]);
    expect(a + b).toBeGreaterThanOrEqual(2);
    await sweepExpiredInvitations(em.fork());
    for (const inv of invs) {
      expect((await admin.owner.client.ok(InvitationByIdDocument, { id: inv.id })).invitation.status).toBe('EXPIRED');
      expect(await countEvents({ subjectId: inv.id, kind: 'INVITATION_EXPIRED' })).toBe(1);
    }
    expect((await admin.owner.client.ok(InvitationByIdDocument, { id: fresh.id })).invitation.status).toBe('PENDING');
  });

  it('the gateway runs the sweeper while it lives', () => {
    // Registered by the membership module's start(); its stop() clears it when the gateway stops.
    expect(gw.app.services.registry.has('invitationSweeper')).toBe(true);
  });
});
