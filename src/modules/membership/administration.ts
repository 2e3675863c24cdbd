// §8.1 handing administration over: the state change alone, inside a transaction the caller
// holds, so that the transferAdministration mutation and a TRANSFER_ADMINISTRATION proposal being
// carried out (§8.3) run the same code. The grid's decision (administration.transfer) is the
// caller's; this checks the integrity rule against the locked rows and records the event.
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { notFound, refusal } from '../../errors';
import { administrationTransfer, canTransferAdministration, ConsortiumRole, MembershipStatus } from '../../governance';
import { EventKind } from '../event/event.entity';
import { recordEvent, type NewEvent } from '../event/event.recorder';
import { Membership } from './membership.entity';

export interface AdministrationHandOver {
  consortiumId: string;
  /** The ADMINISTRATOR membership that hands the role over. */
  fromMembershipId: string;
  /** The ACTIVE membership that receives it. */
  toMembershipId: string;
  /** Who the event names as actor. */
  actor: NewEvent['actor'];
  /** The proposal that decided it, when one did. */
  proposalId?: string;
}

/**
 * Makes `to` the ADMINISTRATOR holding all four permissions and `from` a MEMBER keeping them, and
 * records ADMINISTRATION_TRANSFERRED, in `em`'s transaction. A refusal is an AppError (CONFLICT).
 */
export async function handOverAdministration(em: EntityManager, h: AdministrationHandOver): Promise<{ from: Membership; to: Membership }> {
  // Both rows, and every seat of the receiving organization (its freeze), locked in id order.
  const to0 = await em.findOne(Membership, { id: h.toMembershipId, consortium: h.consortiumId });
  if (!to0) throw notFound('Membership', h.toMembershipId);
  const locked = await em.find(
    Membership,
    { consortium: h.consortiumId, $or: [{ id: h.fromMembershipId }, { organization: to0.organization.id }] },
    { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true, orderBy: { id: 'asc' } },
  );
  const from = locked.find((m) => m.id === h.fromMembershipId);
  const to = locked.find((m) => m.id === h.toMembershipId);
  if (!from) throw notFound('Membership', h.fromMembershipId);
  if (!to) throw notFound('Membership', h.toMembershipId);
  const view = (m: Membership) => ({ id: m.id, organizationId: m.organization.id, role: m.role, status: m.status });
  const decision = canTransferAdministration({
    from: view(from),
    to: view(to),
    toOrganizationMemberships: locked.filter((m) => m.organization.id === to.organization.id),
  });
  if (!decision.allowed) throw refusal('administration.transfer', decision);
  const change = administrationTransfer(from.id, to.id);
  to.role = change.to.role;
  to.permissions = change.to.permissions;
  from.role = change.from.role;
  from.permissions = change.from.permissions;
  await recordEvent(em, {
    kind: EventKind.ADMINISTRATION_TRANSFERRED,
    consortiumId: h.consortiumId,
    actor: h.actor,
    subject: { type: 'Membership', id: to.id },
    audienceOrganizationId: to.organization.id,
    payload: {
      fromMembershipId: from.id,
      fromOrganizationId: from.organization.id,
      toMembershipId: to.id,
      toOrganizationId: to.organization.id,
      toDisplayName: to.displayName,
      ...(h.proposalId ? { proposalId: h.proposalId } : {}),
    },
  });
  return { from, to };
}

/** The consortium's ACTIVE ADMINISTRATOR membership that hands over when none is named: the oldest. */
export async function currentAdministratorId(em: EntityManager, consortiumId: string): Promise<string | null> {
  const [row] = await em.execute<{ id: string }[]>(
    `select id from membership where consortium_id = ? and role = ? and status = ? order by created_at, id limit 1`,
    [consortiumId, ConsortiumRole.ADMINISTRATOR, MembershipStatus.ACTIVE],
  );
  return row?.id ?? null;
}
