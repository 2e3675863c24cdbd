// §6 Freeze / unfreeze, additional memberships, leaving. Permissions are chosen only when a
// membership is created (resolveOffer) and no operation here or anywhere edits them.
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { conflict, notFound, refusal } from '../../errors';
import {
  canFreezeOrganization,
  canLeaveConsortium,
  canUnfreezeOrganization,
  freezeChanges,
  ConsortiumRole,
  MembershipStatus,
  Plan,
  resolveOffer,
  type ConsortiumAction,
} from '../../governance';
import type { GatewayContext } from '../../graphql/context';
import type { ConsortiumGrant } from '../../graphql/grant';
import { requireId, requireText } from '../../validation';
import { EventKind } from '../event/event.entity';
import { eventActor, recordEvent } from '../event/event.recorder';
import { endNetworkRolesIfLast } from '../network-role/network-role.ending';
import { Membership } from './membership.entity';
import { handOverAdministration } from './administration';
import type { AdministrationTransferPayload, CreateMembershipInput, LeaveConsortiumPayload, RemoveMemberPayload } from './membership.types';
import { revokeInvitationsSentBy } from './invitation.service';
import { removeOrganization } from './removal';
import { DISPLAY_NAME_MAX, offeredPermissions } from './membership.input';
import { displayNameFor, organizationFacts, uniquely } from './membership.seats';
import { stopRunningNodes } from '../node/node.usage';

/** An additional ACTIVE MEMBER membership for the caller's organization (Kaleido multiple memberships). */
export async function createMembership(ctx: GatewayContext, { acting }: ConsortiumGrant, input: CreateMembershipInput): Promise<Membership> {
  const creator = acting.membership;
  const displayName = requireText(input.displayName, 'displayName', DISPLAY_NAME_MAX);
  return uniquely(() =>
    ctx.em.transactional(async (em) => {
      const org = (await organizationFacts(em, acting.organizationId))!;
      // The new seat belongs to the same organization: its plan stands on both sides of the offer.
      const plan = org.plan as Plan;
      const permissions = offeredPermissions('membership.create', resolveOffer({ inviter: creator, inviterPlan: plan, inviteePlan: plan, requested: input.permissions }));
      const membership = em.create(Membership, {
        consortium: acting.consortiumId,
        organization: acting.organizationId,
        displayName: await displayNameFor(em, acting.consortiumId, displayName, org.name, { strict: true }),
        role: ConsortiumRole.MEMBER,
        permissions,
        status: MembershipStatus.ACTIVE,
        invitedBy: creator.id,
      });
      await recordEvent(em, {
        kind: EventKind.MEMBER_JOINED,
        consortiumId: acting.consortiumId,
        actor: eventActor(acting),
        subject: { type: 'Membership', id: membership.id },
        payload: {
          membershipId: membership.id,
          organizationId: acting.organizationId,
          organizationName: org.name,
          displayName: membership.displayName,
          role: membership.role,
          permissions,
          invitedByMembershipId: creator.id,
          via: 'ADDITIONAL_MEMBERSHIP',
        },
      });
      return membership;
    }),
  );
}

/** Locks a membership of the consortium for a change of status. */
async function lockMembership(em: EntityManager, id: string): Promise<Membership> {
  const membership = await em.findOne(Membership, id, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
  if (!membership) throw notFound('Membership', id);
  return membership;
}

/** Locks every membership an organization holds in a consortium, in id order. */
async function lockOrganizationSeats(em: EntityManager, consortiumId: string, organizationId: string): Promise<Membership[]> {
  return em.find(
    Membership,
    { consortium: consortiumId, organization: organizationId },
    { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true, orderBy: { id: 'asc' } },
  );
}

/**
 * Freeze or unfreeze the organization of the named membership (§8.1): every membership it holds
 * in the consortium changes at once, with one event each, addressed to that organization.
 */
async function setFrozen(ctx: GatewayContext, { acting, scope }: ConsortiumGrant<Membership>, freeze: boolean): Promise<Membership> {
  const action: ConsortiumAction = freeze ? 'membership.freeze' : 'membership.unfreeze';
  const id = scope.row.id;
  const organizationId = scope.row.organization.id;
  const to = freeze ? MembershipStatus.FROZEN : MembershipStatus.ACTIVE;
  return ctx.em.transactional(async (em) => {
    const seats = await lockOrganizationSeats(em, scope.consortiumId, organizationId);
    const decision = freeze ? canFreezeOrganization(seats) : canUnfreezeOrganization(seats);
    if (!decision.allowed) throw refusal(action, decision);
    const changed = new Set(freezeChanges(seats, freeze));
    for (const seat of seats.filter((m) => changed.has(m.id))) {
      seat.status = to;
      await recordEvent(em, {
        kind: freeze ? EventKind.MEMBER_FROZEN : EventKind.MEMBER_UNFROZEN,
        consortiumId: scope.consortiumId,
        actor: eventActor(acting),
        subject: { type: 'Membership', id: seat.id },
        audienceOrganizationId: organizationId,
        payload: { membershipId: seat.id, organizationId, displayName: seat.displayName, status: to },
      });
    }
    return seats.find((m) => m.id === id) ?? (await lockMembership(em, id));
  });
}

/** Freezes a MEMBER membership: it keeps read access, every change it tries is refused. */
export function freezeMembership(ctx: GatewayContext, grant: ConsortiumGrant<Membership>): Promise<Membership> {
  return setFrozen(ctx, grant, true);
}

/** Unfreezes a FROZEN membership. */
export function unfreezeMembership(ctx: GatewayContext, grant: ConsortiumGrant<Membership>): Promise<Membership> {
  return setFrozen(ctx, grant, false);
}

/** Leaves: the membership becomes LEFT, its nodes STOPPED, its open invitations REVOKED (§6 Leave). */
export async function leaveConsortium(ctx: GatewayContext, { acting, scope }: ConsortiumGrant): Promise<LeaveConsortiumPayload> {
  const membershipId = acting.membership.id;
  const actor = eventActor(acting);
  return ctx.em.transactional(async (em) => {
    // An administrator leaving locks every administrator row (in id order, before its own), so
    // two leaving at once take turns and the second sees the first gone: one always stays.
    const role = acting.membership.role;
    const admins =
      role === ConsortiumRole.ADMINISTRATOR
        ? await em.execute(`select id from membership where consortium_id = ? and role = ? and status = ? order by id for update`, [
            scope.consortiumId,
            ConsortiumRole.ADMINISTRATOR,
            MembershipStatus.ACTIVE,
          ])
        : [];
    // The organization's seats here, so that two of its memberships leaving at once see each other.
    await lockOrganizationSeats(em, scope.consortiumId, acting.organizationId);
    const membership = await lockMembership(em, membershipId);
    // A frozen organization may leave too: leaving is its way out (§8.1).
    if (membership.status === MembershipStatus.LEFT) {
      throw conflict(`The membership is ${membership.status} already`, { status: membership.status });
    }
    const decision = canLeaveConsortium({ role: membership.role, administratorCount: admins.length });
    if (!decision.allowed) throw refusal('membership.leave', decision);
    membership.status = MembershipStatus.LEFT;
    // A STOPPED node no longer uses a license of its organization.
    const stopped = await stopRunningNodes(em, { membershipIds: [membershipId] });
    const revoked = await revokeInvitationsSentBy(em, {
      consortiumId: scope.consortiumId,
      membershipIds: [membershipId],
      actor,
      decidedByUserId: acting.user.id,
      reason: 'MEMBER_LEFT',
    });
    const stoppedNodeIds = stopped;
    const revokedInvitationIds = revoked;
    await recordEvent(em, {
      kind: EventKind.MEMBER_LEFT,
      consortiumId: scope.consortiumId,
      actor,
      subject: { type: 'Membership', id: membershipId },
      payload: {
        membershipId,
        organizationId: acting.organizationId,
        displayName: membership.displayName,
        stoppedNodeIds,
        revokedInvitationIds,
      },
    });
    await endNetworkRolesIfLast(em, scope.consortiumId, acting.organizationId, actor);
    return { membershipId, consortiumId: scope.consortiumId, status: MembershipStatus.LEFT, stoppedNodeIds, revokedInvitationIds };
  });
}

/** §8.3 direct removal of a member organization by the administrator (the shield rule refuses it where REMOVE_MEMBER needs a vote). */
export async function removeMember(ctx: GatewayContext, { acting, scope }: ConsortiumGrant, organizationId: string): Promise<RemoveMemberPayload> {
  const id = requireId(organizationId, 'Organization');
  return ctx.em.transactional(async (em) => {
    const [known] = await em.execute(`select 1 from membership where consortium_id = ? and organization_id = ? limit 1`, [scope.consortiumId, id]);
    if (!known) throw notFound('Organization', id);
    return removeOrganization(em, { consortiumId: scope.consortiumId, organizationId: id, actor: eventActor(acting), decidedByUserId: acting.user.id });
  });
}

/** §8.1: the acting ADMINISTRATOR membership hands the role over to another ACTIVE membership. */
export async function transferAdministration(
  ctx: GatewayContext,
  { acting, scope }: ConsortiumGrant<Membership>,
): Promise<AdministrationTransferPayload> {
  return ctx.em.transactional(async (em) => {
    const { from, to } = await handOverAdministration(em, {
      consortiumId: scope.consortiumId,
      fromMembershipId: acting.membership.id,
      toMembershipId: scope.row.id,
      actor: eventActor(acting),
    });
    return { administrator: to, formerAdministrator: from };
  });
}
