// §8.2 node sizes (G.U. "add and expand cluster nodes"): a node takes 1, 2 or 4 of its
// organization's licenses, and expanding an own node takes the difference. Pure arithmetic; the
// service counts the licenses in use in the same transaction as the change, as node creation does.
import { ALLOW, deny, type Decision } from './decision';

/** The sizes a node may have; each takes a fixed number of licenses. */
export enum NodeSize {
  SMALL = 'SMALL',
  MEDIUM = 'MEDIUM',
  LARGE = 'LARGE',
}

/** Licenses each size takes. */
export const LICENSES_OF_SIZE: Readonly<Record<NodeSize, number>> = Object.freeze({
  [NodeSize.SMALL]: 1,
  [NodeSize.MEDIUM]: 2,
  [NodeSize.LARGE]: 4,
});

/** Every size, smallest first. */
export const NODE_SIZES: readonly NodeSize[] = Object.freeze([NodeSize.SMALL, NodeSize.MEDIUM, NodeSize.LARGE]);

/** The licenses a running node of this size takes. */
export function licensesOf(size: NodeSize): number {
  return LICENSES_OF_SIZE[size];
}

/** Licenses in use by an organization's running nodes (a stopped node frees its licenses). */
export function licensesInUse(nodes: readonly { size: NodeSize; running: boolean }[]): number {
  return nodes.reduce((sum, n) => sum + (n.running ? licensesOf(n.size) : 0), 0);
}

export type ExpansionResult =
  | { ok: true; additionalLicenses: number }
  | { ok: false; code: 'BAD_USER_INPUT'; reason: string };

/** The licenses an expansion adds; only a larger known size is an expansion. */
export function expansion(from: NodeSize, to: NodeSize): ExpansionResult {
  if (!NODE_SIZES.includes(to)) {
    return { ok: false, code: 'BAD_USER_INPUT', reason: `unknown node size ${String(to)}; known: ${NODE_SIZES.join(', ')}` };
  }
  const extra = licensesOf(to) - licensesOf(from);
  if (extra <= 0) {
    return {
      ok: false,
      code: 'BAD_USER_INPUT',
      reason: `a node can only be expanded to a larger size: it is ${from} (${licensesOf(from)} license${licensesOf(from) > 1 ? 's' : ''}), ${to} takes ${licensesOf(to)}`,
    };
  }
  return { ok: true, additionalLicenses: extra };
}

/**
 * Are there `needed` spare licenses (§6 Nodes, and §8.2 expansion)? Refused with kind 'integrity',
 * which the node service answers with LICENSE_EXHAUSTED.
 */
export function hasSpareLicenses(input: { licenses: number; inUse: number; needed: number }): Decision {
  const spare = input.licenses - input.inUse;
  if (spare >= input.needed) return ALLOW;
  return deny(`not enough spare node licenses: ${input.needed} needed, ${Math.max(spare, 0)} spare (${input.inUse} of ${input.licenses} in use); purchase licenses or stop a node`, {
    kind: 'integrity',
    need: `${input.needed} spare node license${input.needed > 1 ? 's' : ''}`,
    have: `${input.inUse} of ${input.licenses} in use`,
  });
}

/**
 * §8.2 node.expand integrity, after decideConsortium('node.expand', actor, { ownerMembershipId })
 * and expansion(from, to): the licenses are the node's organization's, so only that organization
 * expands it (the grid lets an administrator act on any membership's node, never spend another
 * organization's licenses); the organization must have the additional licenses spare.
 */
export function canExpandNode(input: {
  actingOrganizationId: string;
  nodeOrganizationId: string;
  additionalLicenses: number;
  licenses: number;
  inUse: number;
}): Decision {
  if (input.actingOrganizationId !== input.nodeOrganizationId) {
    return deny("a node is expanded only by its own organization: it takes that organization's licenses", {
      kind: 'ownership',
      need: 'own node',
      have: "another organization's node",
    });
  }
  return hasSpareLicenses({ licenses: input.licenses, inUse: input.inUse, needed: input.additionalLicenses });
}
