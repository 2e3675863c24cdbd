// What RUNNING nodes take and how they stop, written once in the module that owns the node
// table: licenses in use (creating, expanding, releasing licenses, the organization's figures)
// and stopping the nodes of memberships that leave or of a consortium that is deleted.
import type { EntityManager } from '@mikro-orm/postgresql';
import { licensesOf, type NodeSize } from '../../governance';
import { NodeStatus } from './node.entity';

/** Licenses in use per organization: its memberships' RUNNING nodes (one statement for all ids). */
export async function countLicensesInUse(em: EntityManager, organizationIds: readonly string[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>(organizationIds.map((id) => [id, 0]));
  if (organizationIds.length === 0) return counts;
  // Counted per size; what a size takes is the policy core's (§8.2 node sizes).
  const rows = await em.execute<{ organization_id: string; size: NodeSize; n: number }[]>(
    `select m.organization_id, n.size, count(*)::int as n
       from node n join membership m on m.id = n.membership_id
      where n.status = ? and m.organization_id in (?)
      group by m.organization_id, n.size`,
    [NodeStatus.RUNNING, [...organizationIds]],
  );
  for (const row of rows) counts.set(row.organization_id, (counts.get(row.organization_id) ?? 0) + licensesOf(row.size) * Number(row.n));
  return counts;
}

/** Licenses taken by RUNNING nodes of every membership of an organization, in every consortium. */
export async function licensesInUseOf(em: EntityManager, organizationId: string): Promise<number> {
  return (await countLicensesInUse(em, [organizationId])).get(organizationId) ?? 0;
}

/** The nodes to stop: those of the memberships named, or those of every membership of a consortium. */
export type NodesOf = { membershipIds: readonly string[] } | { consortiumId: string };

/**
 * Stops the RUNNING nodes of memberships that leave or are removed, or of a deleted consortium,
 * inside the caller's transaction: a STOPPED node no longer uses a license of its organization.
 * Returns the ids of the nodes stopped.
 */
export async function stopRunningNodes(em: EntityManager, of: NodesOf): Promise<string[]> {
  if ('membershipIds' in of && of.membershipIds.length === 0) return [];
  const [where, value] =
    'membershipIds' in of
      ? ['membership_id in (?)', [...of.membershipIds]]
      : ['membership_id in (select id from membership where consortium_id = ?)', of.consortiumId];
  const stopped = await em.execute<{ id: string }[]>(
    `update node set status = ? where status = ? and ${where} returning id`,
    [NodeStatus.STOPPED, NodeStatus.RUNNING, value],
  );
  return stopped.map((n) => n.id);
}
