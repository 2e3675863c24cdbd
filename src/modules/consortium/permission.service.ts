// Rights made visible: the caller's decisions in one consortium, and the grids themselves. Both
// are read from the policy core, so what a client is shown is what enforcement decides.
import {
  AccountRole,
  CONSORTIUM_ACTIONS,
  CONSORTIUM_GRID,
  EFFECTIVE_ROLE_TABLE,
  explainAccountRoleConsortium,
  explainConsortium,
  NetworkRole,
  NO_NETWORK_ROLE,
  ORGANIZATION_ACTIONS,
  ORGANIZATION_ACTION_INFO,
  ORGANIZATION_GRID,
  TOWARDS_CONSORTIUM_ACTIONS,
  TOWARDS_CONSORTIUM_ACTION_INFO,
  TOWARDS_CONSORTIUM_GRID,
  type AccountRoleSet,
  type ActionInfo,
  type ConsortiumActor,
  type ConsortiumScope,
} from '../../governance';
import type { AccountRoleRule, ConsortiumPermission, PermissionGrid } from './permission.types';

const ACCOUNT_ROLES = Object.values(AccountRole);

/**
 * Every Layer C action, then every action decided by account role alone (§8.2 security editing),
 * with the decision of the policy core for `actor` acting with `accountRole`.
 */
export function myPermissions(
  actor: ConsortiumActor,
  accountRole: AccountRole | null,
  scope?: ConsortiumScope,
): ConsortiumPermission[] {
  const byAccountRole = explainAccountRoleConsortium(
    { membership: actor.membership, accountRole, organizationFrozen: actor.organizationFrozen },
    scope,
  );
  return [...explainConsortium(actor, scope), ...byAccountRole].map(({ action, description, decision }) => ({
    action,
    description,
    allowed: decision.allowed,
    reason: decision.allowed ? null : decision.reason,
    missing: decision.allowed
      ? null
      : { kind: decision.missing.kind, need: decision.missing.need ?? null, have: decision.missing.have ?? null },
  }));
}

function accountRoleRules<A extends string>(
  actions: readonly A[],
  grid: Readonly<Record<A, AccountRoleSet>>,
  info: Readonly<Record<A, ActionInfo>>,
): AccountRoleRule[] {
  return actions.map((action) => ({
    action,
    description: info[action].description,
    note: info[action].note ?? null,
    allowedRoles: ACCOUNT_ROLES.filter((role) => grid[action].has(role)),
  }));
}

function buildGrid(): PermissionGrid {
  const networkRows: (NetworkRole | typeof NO_NETWORK_ROLE)[] = [...Object.values(NetworkRole), NO_NETWORK_ROLE];
  return {
    organizationActions: accountRoleRules(ORGANIZATION_ACTIONS, ORGANIZATION_GRID, ORGANIZATION_ACTION_INFO),
    towardsConsortiumActions: accountRoleRules(
      TOWARDS_CONSORTIUM_ACTIONS,
      TOWARDS_CONSORTIUM_GRID,
      TOWARDS_CONSORTIUM_ACTION_INFO,
    ),
    effectiveRoles: networkRows.map((network) => ({
      networkRole: network === NO_NETWORK_ROLE ? null : network,
      cells: ACCOUNT_ROLES.map((accountRole) => ({ accountRole, effectiveRole: EFFECTIVE_ROLE_TABLE[network][accountRole] })),
    })),
    consortiumActions: CONSORTIUM_ACTIONS.map((action) => {
      const rule = CONSORTIUM_GRID[action];
      return {
        action,
        description: rule.description,
        administrator: rule.administrator,
        member: String(rule.member),
        memberPermission: typeof rule.member === 'string' && rule.member !== 'own' ? rule.member : null,
        minRole: rule.minRole,
        frozenAllowed: rule.frozenAllowed,
      };
    }),
  };
}

let grid: PermissionGrid | undefined;
/** The grids of src/governance/grid.ts as GraphQL data; they are constants, so built once. */
export function permissionGrid(): PermissionGrid {
  grid ??= buildGrid();
  return grid;
}
