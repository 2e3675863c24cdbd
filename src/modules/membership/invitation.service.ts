// §6 Invite: a membership offers a seat to an organization; the invitee's OWNER/ADMIN users accept
// or decline until it expires or is revoked. Accepting an ADMINISTRATOR's invitation creates the
// membership at once; accepting a MEMBER's creates an application an administrator decides.
import type { GraphQLResolveInfo } from 'graphql';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Acting } from '../../auth/acting';
import { badInput, conflict, notFound } from '../../errors';
import { ConsortiumRole, invitationNeedsApproval, MembershipStatus, type Permission, Plan, resolveOffer } from '../../governance';
import type { GatewayContext } from '../../graphql/context';
import type { CallerGrant, ConsortiumGrant } from '../../graphql/grant';
import { keysetPage, type Page } from '../../graphql/pagination';
import { isUuid, requireId } from '../../validation';
import { validEmail } from '../organization/organization.validation';
import { Application } from './application.entity';
import { EventKind } from '../event/event.entity';
import { eventActor, recordEvent, type NewEvent } from '../event/event.recorder';
import { Invitation, InvitationStatus } from './invitation.entity';
import { User } from '../user/user.entity';
import { expireInvitation } from './invitation.expiry';
import type { AcceptInvitationPayload, ConsortiumInvitationsArgs, InviteOrganizationInput, PendingInvitationsArgs } from './invitation.types';
import { Membership } from './membership.entity';
import { DISPLAY_NAME_MAX, lifetimeDays, offeredPermissions, optionalText } from './membership.input';
import { displayNameFor, liveConsortiumName, organizationFacts, requireNoPendingApplication, requireSeat, uniquely } from './membership.seats';

const DAY_MS = 86_400_000;

/** Whom an invitation goes to: an organization (named, or the one of the person whose address is given), or an address still unknown. */
type Invitee = { organizationId: string; name: string; plan: Plan; email: string | null } | { email: string };

/**
 * §8.1 "Invite by email": by id, the organization; by email, the organization of the signed-in
 * person with that verified address, else the address itself until such a person has one.
 */
async function resolveInvitee(em: EntityManager, input: { organizationId?: string | null; email?: string | null }): Promise<Invitee> {
  if ((input.organizationId == null) === (input.email == null)) {
    throw badInput('Name the invited organization by organizationId, or by the email of a person in it: one of the two', {
      field: 'organizationId',
    });
  }
  if (input.email != null) {
    const email = validEmail(input.email, 'email');
    const [known] = await em.execute<{ id: string; name: string; plan: Plan }[]>(
      `select o.id, o.name, o.plan from app_user u join organization o on o.id = u.organization_id
        where u.email = ? and u.subject is not null and u.email_verified`,
      [email],
    );
    return known ? { organizationId: known.id, name: known.name, plan: known.plan, email } : { email };
  }
  const organizationId = requireId(input.organizationId!, 'Organization');
  const facts = await organizationFacts(em, organizationId);
  if (!facts) throw notFound('Organization', organizationId);
  return { organizationId, name: facts.name, plan: facts.plan as Plan, email: null };
}

/** Sends an invitation under the subset, default and plan rules of §5; records INVITATION_SENT. */
export async function inviteOrganization(ctx: GatewayContext, { acting }: ConsortiumGrant, input: InviteOrganizationInput): Promise<Invitation> {
  const days = lifetimeDays(input.expiresInDays, ctx.app.config.invitationTtlDays);
  return ctx.em.transactional((em) =>
    sendInvitation(em, acting, { organizationId: input.organizationId, email: input.email, permissions: input.permissions, days }),
  );
}

/**
 * The invitation itself, inside the caller's transaction: by the direct mutation, and by an
 * approved INVITE proposal. The invitee is an organization by id, or the email of a person: their
 * organization when the (verified) address is known, else the invitation waits for the address.
 */
export async function sendInvitation(
  em: EntityManager,
  acting: Acting,
  input: { organizationId?: string | null; email?: string | null; permissions?: Permission[] | null; days: number },
): Promise<Invitation> {
  const inviter = acting.membership;
  const days = input.days;
  const invitee = await resolveInvitee(em, input);
  const inviteeId = 'organizationId' in invitee ? invitee.organizationId : null;
  // Kept as the inviter addressed it, also when it reached a known person's organization at once.
  const inviteeEmail = invitee.email;
  const own = await organizationFacts(em, acting.organizationId);
  // An address not yet known has no plan: it is offered what a STANDARD organization may hold.
  const permissions = offeredPermissions(
    'organization.invite',
    resolveOffer({
      inviter,
      inviterPlan: own!.plan as Plan,
      inviteePlan: 'plan' in invitee ? invitee.plan : Plan.STANDARD,
      requested: input.permissions,
    }),
  );
  if (inviteeId) await requireSeat(em, acting.consortiumId, inviteeId);
  // Two invitations of one invitee racing: serialize on the pair, so the check below holds.
  const key = inviteeId ?? `email:${inviteeEmail}`;
  await em.execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`invite:${acting.consortiumId}:${key}`]);
  const [open] = await em.execute(
    inviteeId
      ? `select 1 from invitation where consortium_id = ? and invitee_organization_id = ? and status = ? and expires_at > now() limit 1`
      : `select 1 from invitation where consortium_id = ? and invitee_email = ? and invitee_organization_id is null
            and status = ? and expires_at > now() limit 1`,
    [acting.consortiumId, inviteeId ?? inviteeEmail, InvitationStatus.PENDING],
  );
  if (open) throw conflict('This organization already has a pending invitation to this consortium: revoke it first');
  const invitation = em.create(Invitation, {
    consortium: acting.consortiumId,
    invitingMembership: inviter.id,
    inviteeOrganization: inviteeId,
    inviteeEmail,
    permissions,
    expiresAt: new Date(Date.now() + days * DAY_MS),
    createdBy: acting.user.id,
  });
  await recordEvent(em, {
    kind: EventKind.INVITATION_SENT,
    consortiumId: acting.consortiumId,
    actor: eventActor(acting),
    subject: { type: 'Invitation', id: invitation.id },
    audienceOrganizationId: inviteeId,
    payload: {
      invitationId: invitation.id,
      inviteeOrganizationId: inviteeId,
      inviteeOrganizationName: 'name' in invitee ? invitee.name : null,
      inviteeEmail,
      invitingMembershipId: inviter.id,
      invitingMembershipName: inviter.displayName,
      permissions,
      expiresAt: invitation.expiresAt.toISOString(),
    },
  });
  return invitation;
}

/**
 * Hands the open invitations sent to a person's address to the organization they now belong to
 * (they created or joined it with a verified address), each with an INVITATION_DELIVERED event
 * in its consortium's log, addressed to that organization: from now on the organization sees it
 * on organizationEvents and may accept it. `userId` is the person whose arrival delivered them.
 * Runs in the caller's transaction; returns how many were delivered.
 */
export async function deliverInvitationsByEmail(em: EntityManager, email: string, organizationId: string, userId: string | null): Promise<number> {
  const rows = await em.execute<{ id: string; consortium_id: string; inviting_membership_id: string; expires_at: Date | string }[]>(
    `update invitation set invitee_organization_id = ?
      where invitee_email = ? and invitee_organization_id is null and status = ?
      returning id, consortium_id, inviting_membership_id, expires_at`,
    [organizationId, email, InvitationStatus.PENDING],
  );
  // Oldest first, so the log reads in the order they were sent.
  rows.sort((a, b) => new Date(a.expires_at).getTime() - new Date(b.expires_at).getTime() || a.id.localeCompare(b.id));
  for (const row of rows) {
    await recordEvent(em, {
      kind: EventKind.INVITATION_DELIVERED,
      consortiumId: row.consortium_id,
      actor: { userId, organizationId, membershipId: null },
      subject: { type: 'Invitation', id: row.id },
      audienceOrganizationId: organizationId,
      payload: {
        invitationId: row.id,
        invitingMembershipId: row.inviting_membership_id,
        inviteeOrganizationId: organizationId,
        inviteeEmail: email,
        expiresAt: new Date(row.expires_at).toISOString(),
      },
    });
  }
  return rows.length;
}

/** Another organization's id and name, for one who may invite it (the rule decided that). */
export async function invitableOrganization(ctx: GatewayContext, id: string): Promise<{ id: string; name: string }> {
  const organizationId = requireId(id, 'Organization');
  const facts = await organizationFacts(ctx.em, organizationId);
  if (!facts) throw notFound('Organization', organizationId);
  return { id: organizationId, name: facts.name };
}

type Locked = { invitation: Invitation } | { expired: true };

/**
 * Locks a PENDING invitation for a decision. Decided → CONFLICT; past its expiry → marked EXPIRED
 * (with its event, committed by the caller's transaction) and reported, so the caller can throw
 * CONFLICT after commit. `visible` says whether the caller may know the invitation at all.
 */
async function lockPending(em: EntityManager, id: string, visible: (i: Invitation) => boolean): Promise<Locked> {
  const invitation = await em.findOne(Invitation, id, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
  if (!invitation || !visible(invitation) || !(await liveConsortiumName(em, invitation.consortium.id))) {
    throw notFound('Invitation', id);
  }
  if (invitation.status === InvitationStatus.EXPIRED) throw conflict('The invitation has expired', { status: invitation.status });
  if (invitation.status !== InvitationStatus.PENDING) {
    throw conflict(`The invitation was already ${invitation.status.toLowerCase()}`, { status: invitation.status });
  }
  if (await expireInvitation(em, id)) return { expired: true };
  return { invitation };
}

/** Runs a decision on a PENDING invitation; an expiry found on the way commits, then CONFLICT. */
async function decide<T>(
  ctx: GatewayContext,
  id: string,
  visible: (i: Invitation) => boolean,
  change: (em: EntityManager, i: Invitation) => Promise<T>,
): Promise<T> {
  requireId(id, 'Invitation');
  const outcome = await uniquely(() =>
    ctx.em.transactional(async (em) => {
      const locked = await lockPending(em, id, visible);
      return 'expired' in locked ? locked : { value: await change(em, locked.invitation) };
    }),
  );
  if ('expired' in outcome) throw conflict('The invitation has expired', { status: InvitationStatus.EXPIRED });
  return outcome.value;
}

/** Marks a decision on the invitation: who and when. */
function settle(em: EntityManager, invitation: Invitation, status: InvitationStatus, userId: string): void {
  invitation.status = status;
  invitation.decidedBy = em.getReference(User, userId, { wrapped: true });
  invitation.decidedAt = new Date();
}

/** Accepts an invitation addressed to the caller's organization (§6 Invite). */
export async function acceptInvitation(
  ctx: GatewayContext,
  caller: CallerGrant,
  id: string,
  displayName?: string | null,
): Promise<AcceptInvitationPayload> {
  const { user } = caller;
  const orgId = caller.organizationId!;
  const chosen = optionalText(displayName, 'displayName', DISPLAY_NAME_MAX);
  const actor = { userId: user.id, organizationId: orgId, membershipId: null };
  return decide(ctx, id, (i) => i.inviteeOrganization?.id === orgId, async (em, invitation) => {
    const consortiumId = invitation.consortium.id;
    await requireSeat(em, consortiumId, orgId);
    const inviting = await em.findOneOrFail(Membership, invitation.invitingMembership.id);
    const org = (await organizationFacts(em, orgId))!;
    settle(em, invitation, InvitationStatus.ACCEPTED, user.id);
    const common = { invitationId: id, organizationId: orgId, organizationName: org.name, permissions: invitation.permissions };
    const accepted = async (next: string) =>
      recordEvent(em, {
        kind: EventKind.INVITATION_ACCEPTED,
        consortiumId,
        actor,
        subject: { type: 'Invitation', id },
        payload: { ...common, invitingMembershipId: inviting.id, next },
      });

    if (!invitationNeedsApproval(inviting.role)) {
      const membership = em.create(Membership, {
        consortium: consortiumId,
        organization: orgId,
        displayName: await displayNameFor(em, consortiumId, chosen, org.name, { strict: true }),
        role: ConsortiumRole.MEMBER,
        permissions: invitation.permissions,
        status: MembershipStatus.ACTIVE,
        invitedBy: inviting.id,
      });
      await accepted('MEMBER_JOINED');
      await recordEvent(em, {
        kind: EventKind.MEMBER_JOINED,
        consortiumId,
        actor,
        subject: { type: 'Membership', id: membership.id },
        payload: {
          ...common,
          membershipId: membership.id,
          displayName: membership.displayName,
          role: membership.role,
          invitedByMembershipId: inviting.id,
          via: 'INVITATION',
        },
      });
      return { invitation, membership, application: null };
    }

    // Alibaba: anyone may invite, only the administrator approves.
    await requireNoPendingApplication(em, consortiumId, orgId);
    if (chosen !== null) await displayNameFor(em, consortiumId, chosen, org.name, { strict: true });
    const application = em.create(Application, {
      consortium: consortiumId,
      organization: orgId,
      invitation: id,
      permissions: invitation.permissions,
      displayName: chosen,
      submittedBy: user.id,
    });
    await accepted('APPLICATION_SUBMITTED');
    await recordEvent(em, {
      kind: EventKind.APPLICATION_SUBMITTED,
      consortiumId,
      actor,
      subject: { type: 'Application', id: application.id },
      payload: { ...common, applicationId: application.id, displayName: chosen, invitingMembershipId: inviting.id },
    });
    return { invitation, membership: null, application };
  });
}

/** Declines an invitation addressed to the caller's organization. */
export async function declineInvitation(ctx: GatewayContext, caller: CallerGrant, id: string): Promise<Invitation> {
  const { user } = caller;
  const orgId = caller.organizationId!;
  return decide(ctx, id, (i) => i.inviteeOrganization?.id === orgId, async (em, invitation) => {
    settle(em, invitation, InvitationStatus.DECLINED, user.id);
    await recordEvent(em, {
      kind: EventKind.INVITATION_DECLINED,
      consortiumId: invitation.consortium.id,
      actor: { userId: user.id, organizationId: orgId, membershipId: null },
      subject: { type: 'Invitation', id },
      payload: { invitationId: id, organizationId: orgId, invitingMembershipId: invitation.invitingMembership.id },
    });
    return invitation;
  });
}

/** Revokes a PENDING invitation: a MEMBER its own, an administrator any (§4 invitation.revoke). */
export async function revokeInvitation(ctx: GatewayContext, { acting, scope }: ConsortiumGrant<Invitation>): Promise<Invitation> {
  const id = scope.row.id;
  return decide(ctx, id, () => true, async (em, invitation) => {
    settle(em, invitation, InvitationStatus.REVOKED, acting.user.id);
    await recordEvent(em, {
      kind: EventKind.INVITATION_REVOKED,
      consortiumId: acting.consortiumId,
      actor: eventActor(acting),
      subject: { type: 'Invitation', id },
      audienceOrganizationId: invitation.inviteeOrganization?.id ?? null,
      payload: { invitationId: id, inviteeOrganizationId: invitation.inviteeOrganization?.id ?? null, invitingMembershipId: scope.ownerMembershipId },
    });
    return invitation;
  });
}

/** One invitation its rule let the caller see; touching an overdue one expires it. */
export async function getInvitation(ctx: GatewayContext, invitation: Invitation): Promise<Invitation> {
  const id = invitation.id;
  if (invitation.status !== InvitationStatus.PENDING || invitation.expiresAt > new Date()) return invitation;
  await ctx.em.fork().transactional((em) => expireInvitation(em, id));
  return ctx.em.findOneOrFail(Invitation, id, { refresh: true });
}

/** Open invitations addressed to the caller's organization: PENDING, not expired, consortium not deleted. */
export async function pendingInvitations(ctx: GatewayContext, caller: CallerGrant, args: PendingInvitationsArgs, info?: GraphQLResolveInfo): Promise<Page<Invitation>> {
  const where = {
    inviteeOrganization: caller.organizationId!,
    status: InvitationStatus.PENDING,
    expiresAt: { $gt: new Date() },
    consortium: { deletedAt: null },
  };
  return keysetPage(ctx, Invitation, where, args, info);
}

/** A consortium's invitations, for its members (consortium.view); default the open ones. */
export async function consortiumInvitations(
  ctx: GatewayContext,
  { acting }: ConsortiumGrant,
  args: ConsortiumInvitationsArgs,
  info?: GraphQLResolveInfo,
): Promise<Page<Invitation>> {
  const status = args.status ?? InvitationStatus.PENDING;
  const where = {
    consortium: acting.consortiumId,
    status,
    ...(status === InvitationStatus.PENDING ? { expiresAt: { $gt: new Date() } } : {}),
  };
  return keysetPage(ctx, Invitation, where, args, info);
}

/**
 * Revokes the pending invitations the given memberships sent, when they leave or are removed:
 * each with an INVITATION_REVOKED event addressed to the invited organization. Runs in the
 * caller's transaction; returns the revoked invitations' ids.
 */
export async function revokeInvitationsSentBy(
  em: EntityManager,
  input: { consortiumId: string; membershipIds: string[]; actor: NewEvent['actor']; decidedByUserId: string | null; reason: 'MEMBER_LEFT' | 'MEMBER_REMOVED' },
): Promise<string[]> {
  const revoked = await em.execute<{ id: string; invitee_organization_id: string; inviting_membership_id: string }[]>(
    `update invitation set status = ?, decided_at = now(), decided_by_id = ?
      where inviting_membership_id in (?) and status = ? returning id, invitee_organization_id, inviting_membership_id`,
    [InvitationStatus.REVOKED, input.decidedByUserId, input.membershipIds, InvitationStatus.PENDING],
  );
  for (const invitation of revoked) {
    await recordEvent(em, {
      kind: EventKind.INVITATION_REVOKED,
      consortiumId: input.consortiumId,
      actor: input.actor,
      subject: { type: 'Invitation', id: invitation.id },
      audienceOrganizationId: invitation.invitee_organization_id,
      payload: {
        invitationId: invitation.id,
        inviteeOrganizationId: invitation.invitee_organization_id,
        invitingMembershipId: invitation.inviting_membership_id,
        reason: input.reason,
      },
    });
  }
  return revoked.map((invitation) => invitation.id);
}
