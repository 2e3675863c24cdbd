// The spec's expected outcomes, kept in this repository as test data (expected-cells.json,
// derived from the specification's tables, second edition included). Tests compute what should
// happen from this file only, never from src/governance/grid.ts: a test that read the grid under
// test could not catch a wrong cell.
import fs from 'node:fs';
import path from 'node:path';

export type Role4 = 'OWNER' | 'ADMIN' | 'MEMBER' | 'GUEST';
export type MatrixMemberCell = boolean | string; // true | false | a permission name | 'own'

export interface MatrixConsortiumCell {
  ADMINISTRATOR: MatrixMemberCell;
  MEMBER: MatrixMemberCell;
  minRole: Role4;
  frozenAllowed: boolean;
}

export interface PermissionMatrix {
  accountRoles: Role4[];
  networkRoles: string[];
  effectiveRole: Record<string, Record<Role4, Role4>>;
  organizationActions: Record<string, Record<Role4, boolean>>;
  permissions: string[];
  consortiumActions: Record<string, MatrixConsortiumCell>;
  roleRank: Record<Role4, number>;
  membershipStatus: Record<string, string>;
  organizationTowardsConsortium: Record<string, { accountRoles: Role4[] }>;
  accountRoleConsortiumActions: Record<string, { accountRoles: Role4[]; membershipMay: string; frozenAllowed: boolean }>;
  frozenOrganization: {
    frozenWhenAnyMembershipFrozen: boolean;
    mayWhileFrozen: string[];
    canBeFrozenWithAdministratorMembership: boolean;
    mayTakeAnotherMembership: boolean;
  };
  consortiumVisibility: {
    withoutNetworkRole: Record<Role4, boolean>;
    withAnyNetworkRole: Record<Role4, boolean>;
    membershipStatusesSeen: string[];
  };
  administrationTransfer: { receiverBecomes: string; receiverPermissions: string[]; formerBecomes: string; formerPermissions: string[] };
  networkRolesEnd: { keptWhileAnyMembershipIs: string[] };
  voting: {
    thresholdPercent: { min: number; max: number };
    comparators: string[];
    durationHours: { min: number; max: number };
    kinds: string[];
    defaultNeedsVote: string[];
    directActionOfKind: Record<string, string>;
  };
}

const FILE = path.join(__dirname, 'expected-cells.json');

function load(): PermissionMatrix {
  const file = FILE;
  const data = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<PermissionMatrix>;
  const required: (keyof PermissionMatrix)[] = [
    'accountRoles',
    'networkRoles',
    'effectiveRole',
    'organizationActions',
    'permissions',
    'consortiumActions',
    'roleRank',
    'membershipStatus',
    'organizationTowardsConsortium',
    'accountRoleConsortiumActions',
    'frozenOrganization',
    'consortiumVisibility',
    'administrationTransfer',
    'networkRolesEnd',
    'voting',
  ];
  const absent = required.filter((key) => data[key] === undefined);
  if (absent.length > 0) throw new Error(`${file} lacks ${absent.join(', ')}: the tests cannot say what to expect`);
  return data as PermissionMatrix;
}

export const matrix = load();

export const ACCOUNT_ROLES = matrix.accountRoles;
export const EFFECTIVE_ROLES = Object.keys(matrix.roleRank) as Role4[];
export const NETWORK_ROWS = [...matrix.networkRoles, 'NONE'];
export const STATUSES = Object.keys(matrix.membershipStatus);
export const CONSORTIUM_ROLES = ['ADMINISTRATOR', 'MEMBER'] as const;
export const CONSORTIUM_ACTION_KEYS = Object.keys(matrix.consortiumActions);
export const ORGANIZATION_ACTION_KEYS = Object.keys(matrix.organizationActions);
export const ACCOUNT_ROLE_CONSORTIUM_ACTION_KEYS = Object.keys(matrix.accountRoleConsortiumActions);

/** The permission a MEMBER needs for an action, if the matrix names one. */
export function permissionOf(cell: MatrixConsortiumCell): string | undefined {
  const member = cell.MEMBER;
  return typeof member === 'string' && matrix.permissions.includes(member) ? member : undefined;
}

export type Expected = { allowed: true } | { allowed: false; kind: string; need?: string };

/**
 * §4 applied to the matrix: status, then consortium role cell, then minimum effective role.
 * §8.1: an ACTIVE membership of a frozen organization (`organizationFrozen`) acts as FROZEN.
 */
export function expectedConsortium(
  cell: MatrixConsortiumCell,
  role: 'ADMINISTRATOR' | 'MEMBER',
  held: readonly string[],
  effective: Role4,
  membershipStatus: string,
  owns?: boolean,
  organizationFrozen = false,
): Expected {
  const frozenOrg = organizationFrozen && matrix.frozenOrganization.frozenWhenAnyMembershipFrozen;
  const status = membershipStatus === 'ACTIVE' && frozenOrg ? 'FROZEN' : membershipStatus;
  if (status === 'LEFT') return { allowed: false, kind: 'status' };
  if (status === 'FROZEN' && !cell.frozenAllowed) return { allowed: false, kind: 'status' };
  const rule = cell[role];
  if (rule === false) return { allowed: false, kind: 'consortiumRole', need: 'ADMINISTRATOR' };
  if (rule === 'own' && owns === false) return { allowed: false, kind: 'ownership' };
  if (typeof rule === 'string' && rule !== 'own' && !held.includes(rule)) {
    return { allowed: false, kind: 'permission', need: rule };
  }
  if (matrix.roleRank[effective] < matrix.roleRank[cell.minRole]) {
    return { allowed: false, kind: 'effectiveRole', need: cell.minRole };
  }
  return { allowed: true };
}

/**
 * §8.2 note applied to the matrix: membership present and ACTIVE (organization not frozen), the
 * consortium role cell of the Layer C action named, then the account role; no network role counts.
 */
export function expectedByAccountRole(
  action: string,
  role: 'ADMINISTRATOR' | 'MEMBER',
  held: readonly string[],
  accountRole: Role4 | null,
  membershipStatus: string,
  organizationFrozen = false,
): Expected {
  const row = matrix.accountRoleConsortiumActions[action];
  const status = membershipStatus === 'ACTIVE' && organizationFrozen ? 'FROZEN' : membershipStatus;
  if (status !== 'ACTIVE' && !(status === 'FROZEN' && row.frozenAllowed)) return { allowed: false, kind: 'status' };
  const rule = matrix.consortiumActions[row.membershipMay][role];
  if (rule === false) return { allowed: false, kind: 'consortiumRole', need: 'ADMINISTRATOR' };
  if (typeof rule === 'string' && rule !== 'own' && !held.includes(rule)) return { allowed: false, kind: 'permission', need: rule };
  if (accountRole === null || !row.accountRoles.includes(accountRole)) return { allowed: false, kind: 'accountRole' };
  return { allowed: true };
}

/** Every subset of a list, smallest first, in the list's order. */
export function subsets<T>(list: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let mask = 0; mask < 1 << list.length; mask++) out.push(list.filter((_, i) => mask & (1 << i)));
  return out.sort((a, b) => a.length - b.length);
}
