// §8.1 "Network roles end with the membership": when an organization's last ACTIVE or FROZEN
// membership in a consortium ends (it leaves, or is removed), its users' network roles there are
// revoked, one NETWORK_ROLE_REVOKED event each. Rejoining later grants none back.
import type { EntityManager } from '@mikro-orm/postgresql';
import { MembershipStatus, networkRolesEnd } from '../../governance';
import { EventKind } from '../event/event.entity';
import { recordEvent, type NewEvent } from '../event/event.recorder';

/**
 * Inside the transaction that ended a membership (its row already changed and flushed): revokes
 * the network roles of the organization's users in the consortium when it holds no current
 * membership there any more. Returns the ids of the users whose role was revoked.
 */
export async function endNetworkRolesIfLast(
  em: EntityManager,
  consortiumId: string,
  organizationId: string,
  actor: NewEvent['actor'],
): Promise<string[]> {
  await em.flush();
  const after = await em.execute<{ status: string }[]>(
    'select status from membership where consortium_id = ? and organization_id = ?',
    [consortiumId, organizationId],
  );
  if (!networkRolesEnd(after.map((m) => ({ status: m.status as MembershipStatus })))) return [];
  const revoked = await em.execute<{ user_id: string; role: string }[]>(
    `delete from network_role nr using app_user u
      where nr.user_id = u.id and nr.consortium_id = ? and u.organization_id = ?
      returning nr.user_id, nr.role`,
    [consortiumId, organizationId],
  );
  revoked.sort((a, b) => a.user_id.localeCompare(b.user_id));
  for (const r of revoked) {
    await recordEvent(em, {
      kind: EventKind.NETWORK_ROLE_REVOKED,
      consortiumId,
      actor,
      subject: { type: 'User', id: r.user_id },
      audienceOrganizationId: organizationId,
      payload: { role: r.role, reason: 'MEMBERSHIP_ENDED' },
    });
  }
  return revoked.map((r) => r.user_id);
}
