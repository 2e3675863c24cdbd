import { describe, expect, it } from 'vitest';
import {
  ConsortiumRole,
  MembershipStatus,
  ORGANIZATION_ACTIONS,
  Permission,
  TOWARDS_CONSORTIUM_ACTIONS,
  decideOrganization,
  decideTowardsConsortium,
  type AccountRole,
  type Decision,
  type OrganizationAction,
  type TowardsConsortiumAction,
} from '../../src/governance';
import { ACCOUNT_ROLES, ORGANIZATION_ACTION_KEYS, matrix, type Role4 } from './matrix';

/** A denial names the roles that would have been allowed, and the role the user has. */
function expectAccountRoleDenial(decision: Decision, allowedRoles: readonly string[], have: string): void {
  expect(decision.allowed).toBe(false);
  if (decision.allowed) return;
  expect(decision.missing.kind).toBe('accountRole');
  expect(decision.missing.need?.split(' or ').sort()).toEqual([...allowedRoles].sort());
  expect(decision.missing.have).toBe(have);
  expect(decision.reason).toMatch(/^requires account role /);
  for (const role of allowedRoles) expect(decision.reason).toContain(role);
}

describe('Layer A: a user inside their own organization', () => {
  it('the grid has exactly the matrix actions, in its order', () => {
    expect([...ORGANIZATION_ACTIONS]).toEqual(ORGANIZATION_ACTION_KEYS);
  });

  const cells = ORGANIZATION_ACTION_KEYS.flatMap((action) =>
    ACCOUNT_ROLES.map((role) => ({ action, role, allowed: matrix.organizationActions[action][role] })),
  );

  // The spec's nine actions, and the two of machine identities (service accounts) of the partner programs.
  it('the matrix has the 44 cells the spec and the service accounts describe', () => {
    expect(cells).toHaveLength(44);
  });

  it.each(cells)('$action by $role → allowed: $allowed', ({ action, role, allowed }) => {
    const decision = decideOrganization(action as OrganizationAction, role as AccountRole);
    if (allowed) {
      expect(decision).toEqual({ allowed: true });
    } else {
      const allowedRoles = ACCOUNT_ROLES.filter((r) => matrix.organizationActions[action][r]);
      expectAccountRoleDenial(decision, allowedRoles, role);
      expect(decision.allowed === false && decision.reason).toContain(`(you are ${role})`);
    }
  });

  it.each(ORGANIZATION_ACTION_KEYS)('%s is refused to someone with no account role in the organization', (action) => {
    const allowedRoles = ACCOUNT_ROLES.filter((r) => matrix.organizationActions[action][r]);
    expectAccountRoleDenial(decideOrganization(action as OrganizationAction, null), allowedRoles, 'none');
  });

  it('the reason reads like the spec: "requires account role OWNER (you are ADMIN)"', () => {
    const decision = decideOrganization('organization.billing.update', 'ADMIN' as AccountRole);
    expect(decision).toMatchObject({ allowed: false, reason: 'requires account role OWNER (you are ADMIN)' });
  });
});

describe('towards a consortium, without a membership', () => {
  const towards = matrix.organizationTowardsConsortium;
  const keys = Object.keys(towards);

  it('the grid has exactly the matrix actions', () => {
    expect([...TOWARDS_CONSORTIUM_ACTIONS].sort()).toEqual([...keys].sort());
  });

  const cells = keys.flatMap((action) =>
    ACCOUNT_ROLES.map((role) => ({ action, role, allowed: towards[action].accountRoles.includes(role) })),
  );

  it.each(cells)('$action by $role → allowed: $allowed', ({ action, role, allowed }) => {
    const decision = decideTowardsConsortium(action as TowardsConsortiumAction, role as AccountRole);
    if (allowed) expect(decision).toEqual({ allowed: true });
    else expectAccountRoleDenial(decision, towards[action].accountRoles, role);
  });

  it.each(keys)('%s is refused to someone with no account role', (action) => {
    const decision = decideTowardsConsortium(action as TowardsConsortiumAction, null);
    expectAccountRoleDenial(decision, towards[action].accountRoles, 'none');
  });
});

describe('application.submit: no current membership, or one holding MULTIPLE_MEMBERSHIPS', () => {
  const submitters = matrix.organizationTowardsConsortium['application.submit'].accountRoles as Role4[];
  const { ACTIVE, FROZEN, LEFT } = MembershipStatus;
  const { INVITE_ORGANIZATIONS, MULTIPLE_MEMBERSHIPS } = Permission;
  const seat = (status: MembershipStatus, permissions: Permission[] = [], role = ConsortiumRole.MEMBER) => ({
    role,
    status,
    permissions,
  });
  const submit = (memberships: ReturnType<typeof seat>[]) =>
    decideTowardsConsortium('application.submit', submitters[0] as AccountRole, { memberships });

  it('an organization with no membership there may apply', () => {
    expect(submit([])).toEqual({ allowed: true });
  });

  it('an organization that has left may apply again', () => {
    expect(submit([seat(LEFT)])).toEqual({ allowed: true });
  });

  it('an organization with an ACTIVE membership without MULTIPLE_MEMBERSHIPS may not apply', () => {
    expect(submit([seat(ACTIVE, [INVITE_ORGANIZATIONS])])).toMatchObject({
      allowed: false,
      missing: { kind: 'membership', need: 'MULTIPLE_MEMBERSHIPS' },
    });
  });

  it('an organization whose ACTIVE membership holds MULTIPLE_MEMBERSHIPS may apply', () => {
    expect(submit([seat(ACTIVE, [MULTIPLE_MEMBERSHIPS])])).toEqual({ allowed: true });
  });

  it('an ADMINISTRATOR membership holds MULTIPLE_MEMBERSHIPS whatever its list says', () => {
    expect(submit([seat(ACTIVE, [], ConsortiumRole.ADMINISTRATOR)])).toEqual({ allowed: true });
  });

  it('a FROZEN membership cannot escape its freeze by applying, even with MULTIPLE_MEMBERSHIPS', () => {
    expect(submit([seat(FROZEN, [MULTIPLE_MEMBERSHIPS])])).toMatchObject({ allowed: false });
  });

  it('the account role is checked first', () => {
    expect(decideTowardsConsortium('application.submit', 'GUEST' as AccountRole, { memberships: [] })).toMatchObject({
      allowed: false,
      missing: { kind: 'accountRole' },
    });
  });
});
