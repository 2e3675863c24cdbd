// §8.1 hand-over of the ADMINISTRATOR role, as one state change inside the caller's transaction:
// called by an approved TRANSFER_ADMINISTRATION proposal (and meant for the direct mutation too).
import type { EntityManager } from '@mikro-orm/postgresql';
import { notFound, refusal } from '../../errors';
import { administrationTransfer, canTransferAdministration, ConsortiumRole, MembershipStatus, type SeatView } from '../../governance';
import { EventKind } from '../event/event.entity';
import { recordEvent, type NewEvent } from '../event/event.recorder';

async function lockSeat(em: EntityManager, consortiumId: string, id: string): Promise<SeatView | null> {
  const [row] = await em.execute<{ id: string; organization_id: string; role: string; status: string }[]>(
    `select id, organization_id, role, status from membership where id = ? and consortium_id = ? for update`,
    [id, consortiumId],
  );
  return row ? { id: row.id, organizationId: row.organization_id, role: row.role as ConsortiumRole, status: row.status as MembershipStatus } : null;
}

/** The consortium's ACTIVE ADMINISTRATOR membership that hands over when none is named: the oldest. */
export async function currentAdministratorId(em: EntityManager, consortiumId: string): Promise<string | null> {
  const [row] = await em.execute<{ id: string }[]>(
    `select id from membership where consortium_id = ? and role = ? and status = ? order by created_at, id limit 1`,
    [consortiumId, ConsortiumRole.ADMINISTRATOR, MembershipStatus.ACTIVE],
  );
  return row?.id ?? null;
}

/**
 * Moves the ADMINISTRATOR role from `fromMembershipId` to `toMembershipId` (§8.1): the receiver
 * holds all four permissions, the former administrator becomes a MEMBER keeping them. Refuses
 * with the policy core's reason; writes ADMINISTRATION_TRANSFERRED.
 */
export async function transferAdministrationRole(
  em: EntityManager,
  input: { consortiumId: string; fromMembershipId: string; toMembershipId: string; actor: NewEvent['actor']; proposalId?: string },
): Promise<void> {
  const { consortiumId } = input;
  // Both rows in id order, so two hand-overs meeting one membership take turns.
  const [firstId, secondId] = [input.fromMembershipId, input.toMembershipId].sort();
  const first = await lockSeat(em, consortiumId, firstId);
  const second = firstId === secondId ? first : await lockSeat(em, consortiumId, secondId);
  const from = first?.id === input.fromMembershipId ? first : second;
  const to = first?.id === input.toMembershipId ? first : second;
  if (!from) throw notFound('Membership', input.fromMembershipId);
  if (!to) throw notFound('Membership', input.toMembershipId);
  const toOrganizationMemberships = await em.execute<{ status: MembershipStatus }[]>(
    `select status from membership where consortium_id = ? and organization_id = ?`,
    [consortiumId, to.organizationId],
  );
  const decision = canTransferAdministration({ from, to, toOrganizationMemberships });
  if (!decision.allowed) throw refusal('administration.transfer', decision);
  const change = administrationTransfer(from.id, to.id);
  for (const side of [change.to, change.from]) {
    await em.execute(`update membership set role = ?, permissions = ?::text[] where id = ?`, [side.role, `{${side.permissions.join(',')}}`, side.id]);
  }
  await recordEvent(em, {
    kind: EventKind.ADMINISTRATION_TRANSFERRED,
    consortiumId,
    actor: input.actor,
    subject: { type: 'Membership', id: to.id },
    audienceOrganizationId: to.organizationId,
    payload: {
      fromMembershipId: from.id,
      toMembershipId: to.id,
      toOrganizationId: to.organizationId,
      ...(input.proposalId ? { proposalId: input.proposalId } : {}),
    },
  });
}
