// §8.3 removal of a member organization: every membership it holds in the consortium becomes
// LEFT, their nodes stop (freeing the organization's licenses), their open invitations are
// revoked, its users' network roles there end (§8.1). The consortium's event feed ends the
// organization's subscriptions at the MEMBER_REMOVED event, as for any organization that is no
// longer a member. Called by the direct mutation and by an approved REMOVE_MEMBER proposal, each
// inside its own transaction.
import type { EntityManager } from '@mikro-orm/postgresql';
import { refusal } from '../../errors';
import { canRemoveMember, ConsortiumRole, MembershipStatus, removalChanges, type SeatView } from '../../governance';
import { EventKind } from '../event/event.entity';
import { revokeInvitationsSentBy } from './invitation.service';
import { recordEvent, type NewEvent } from '../event/event.recorder';
import { endNetworkRolesIfLast } from '../network-role/network-role.ending';
import { stopRunningNodes } from '../node/node.usage';

export interface RemovalResult {
  organizationId: string;
  membershipIds: string[];
  stoppedNodeIds: string[];
  revokedInvitationIds: string[];
  revokedNetworkRoleUserIds: string[];
}

/** Locks the organization's memberships in the consortium, in id order. */
export async function lockSeats(em: EntityManager, consortiumId: string, organizationId: string): Promise<SeatView[]> {
  const rows = await em.execute<{ id: string; role: string; status: string }[]>(
    `select id, role, status from membership where consortium_id = ? and organization_id = ? order by id for update`,
    [consortiumId, organizationId],
  );
  return rows.map((r) => ({ id: r.id, organizationId, role: r.role as ConsortiumRole, status: r.status as MembershipStatus }));
}

/**
 * Removes an organization from a consortium inside the caller's transaction; refuses (CONFLICT)
 * when it holds no current membership or holds an ADMINISTRATOR one. Writes MEMBER_REMOVED.
 */
export async function removeOrganization(
  em: EntityManager,
  input: { consortiumId: string; organizationId: string; actor: NewEvent['actor']; decidedByUserId: string | null; proposalId?: string },
): Promise<RemovalResult> {
  const { consortiumId, organizationId, actor } = input;
  const seats = await lockSeats(em, consortiumId, organizationId);
  const decision = canRemoveMember(seats);
  if (!decision.allowed) throw refusal('member.remove', decision);
  const membershipIds = removalChanges(seats);
  await em.execute(`update membership set status = ? where id in (?)`, [MembershipStatus.LEFT, membershipIds]);
  const stopped = await stopRunningNodes(em, { membershipIds });
  const revoked = await revokeInvitationsSentBy(em, { consortiumId, membershipIds, actor, decidedByUserId: input.decidedByUserId, reason: 'MEMBER_REMOVED' });
  // The memberships are LEFT now: the organization's users' network roles there end (§8.1).
  const endedUserIds = await endNetworkRolesIfLast(em, consortiumId, organizationId, actor);
  const result: RemovalResult = {
    organizationId,
    membershipIds,
    stoppedNodeIds: stopped,
    revokedInvitationIds: revoked,
    revokedNetworkRoleUserIds: endedUserIds,
  };
  await recordEvent(em, {
    kind: EventKind.MEMBER_REMOVED,
    consortiumId,
    actor,
    subject: { type: 'Organization', id: organizationId },
    audienceOrganizationId: organizationId,
    payload: { ...result, ...(input.proposalId ? { proposalId: input.proposalId } : {}) },
  });
  return result;
}
