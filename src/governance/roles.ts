// The vocabulary of the three permission layers (governance.md §2–5). String enums whose value
// equals the key, so the same names travel unchanged to GraphQL enums and database columns.

/** A user's role inside their own organization (Layer A, G.U. account roles). */
export enum AccountRole {
  OWNER = 'OWNER',
  ADMIN = 'ADMIN',
  MEMBER = 'MEMBER',
  GUEST = 'GUEST',
}

/** A user's role inside one consortium's network (Layer B input, G.U. network roles). */
export enum NetworkRole {
  OWNER = 'OWNER',
  ADMIN = 'ADMIN',
  OPERATOR = 'OPERATOR',
  GUEST = 'GUEST',
}

/** Account role and network role combined for one consortium (Layer B output). */
export enum EffectiveRole {
  OWNER = 'OWNER',
  ADMIN = 'ADMIN',
  MEMBER = 'MEMBER',
  GUEST = 'GUEST',
}

/** A membership's role in its consortium (Layer C, Alibaba consortium roles). */
export enum ConsortiumRole {
  ADMINISTRATOR = 'ADMINISTRATOR',
  MEMBER = 'MEMBER',
}

/** The four Kaleido permissions a membership may hold (§5). */
export enum Permission {
  CREATE_SIGNERS = 'CREATE_SIGNERS',
  MANAGE_ENVIRONMENTS = 'MANAGE_ENVIRONMENTS',
  INVITE_ORGANIZATIONS = 'INVITE_ORGANIZATIONS',
  MULTIPLE_MEMBERSHIPS = 'MULTIPLE_MEMBERSHIPS',
}

/** Lifecycle of a membership; only ACTIVE may change anything (§4 rule 1). */
export enum MembershipStatus {
  ACTIVE = 'ACTIVE',
  FROZEN = 'FROZEN',
  LEFT = 'LEFT',
}

/** An organization's plan; ENTERPRISE unlocks non-default permission offers (§5). */
export enum Plan {
  STANDARD = 'STANDARD',
  ENTERPRISE = 'ENTERPRISE',
}

/** Order of effective roles, for "at least" comparisons against a grid's minimum role. */
export const ROLE_RANK: Readonly<Record<EffectiveRole, number>> = Object.freeze({
  [EffectiveRole.GUEST]: 0,
  [EffectiveRole.MEMBER]: 1,
  [EffectiveRole.ADMIN]: 2,
  [EffectiveRole.OWNER]: 3,
});

/** Every permission in canonical order; offers are sorted in this order so results are stable. */
export const ALL_PERMISSIONS: readonly Permission[] = Object.freeze([
  Permission.CREATE_SIGNERS,
  Permission.MANAGE_ENVIRONMENTS,
  Permission.INVITE_ORGANIZATIONS,
  Permission.MULTIPLE_MEMBERSHIPS,
]);

/** True when `have` ranks at or above `min`. */
export function hasAtLeast(have: EffectiveRole, min: EffectiveRole): boolean {
  return ROLE_RANK[have] >= ROLE_RANK[min];
}

/** Permissions a membership holds in effect: an ADMINISTRATOR holds all four (§5). */
export function heldPermissions(m: {
  role: ConsortiumRole;
  permissions: readonly Permission[];
}): readonly Permission[] {
  return m.role === ConsortiumRole.ADMINISTRATOR ? ALL_PERMISSIONS : m.permissions;
}
