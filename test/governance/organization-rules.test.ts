import { describe, expect, it } from 'vitest';
import {
  actingStatus,
  administrationTransfer,
  canFreezeOrganization,
  canRemoveMember,
  canTransferAdministration,
  canUnfreezeOrganization,
  decideConsortiumVisibility,
  decideOrganizationUnfrozen,
  freezeChanges,
  networkRoleEventDetail,
  networkRolesEnd,
  organizationFrozen,
  removalChanges,
  type AccountRole,
  type ConsortiumRole,
  type MembershipStatus,
  type NetworkRole,
} from '../../src/governance';
import { ACCOUNT_ROLES, matrix, type Role4 } from './matrix';

type Role = `${ConsortiumRole}`;
type Status = `${MembershipStatus}`;
const seat = (id: string, role: Role, status: Status, organizationId = 'org-b') => ({
  id,
  organizationId,
  role: role as ConsortiumRole,
  status: status as MembershipStatus,
});

// §8.1 "Freeze is of an organization".
describe('organizationFrozen and actingStatus', () => {
  it.each([
    [['ACTIVE'], false],
    [['ACTIVE', 'ACTIVE'], false],
    [['ACTIVE', 'FROZEN'], true],
    [['FROZEN'], true],
    [['LEFT', 'ACTIVE'], false],
    [['LEFT', 'FROZEN'], true],
    [[], false],
  ] as const)('memberships %j → frozen %s', (statuses, frozen) => {
    expect(organizationFrozen(statuses.map((status) => ({ status: status as MembershipStatus })))).toBe(
      frozen && matrix.frozenOrganization.frozenWhenAnyMembershipFrozen,
    );
  });

  it('an ACTIVE membership of a frozen organization acts as FROZEN; LEFT stays LEFT', () => {
    expect(actingStatus('ACTIVE' as MembershipStatus, true)).toBe('FROZEN');
    expect(actingStatus('ACTIVE' as MembershipStatus, false)).toBe('ACTIVE');
    expect(actingStatus('LEFT' as MembershipStatus, true)).toBe('LEFT');
    expect(actingStatus('FROZEN' as MembershipStatus, false)).toBe('FROZEN');
  });
});

describe('decideOrganizationUnfrozen', () => {
  it('refuses a change outside the grid (a network role) while any membership is FROZEN, as a status denial', () => {
    const of = (...statuses: string[]) => statuses.map((status) => ({ status: status as MembershipStatus }));
    expect(decideOrganizationUnfrozen(of('ACTIVE', 'LEFT'))).toEqual({ allowed: true });
    expect(decideOrganizationUnfrozen(of('ACTIVE', 'FROZEN'))).toMatchObject({
      allowed: false,
      missing: { kind: 'status', need: 'ACTIVE', have: 'FROZEN' },
    });
  });
});

describe('canFreezeOrganization, canUnfreezeOrganization, freezeChanges', () => {
  it('freezes every ACTIVE membership of the organization at once', () => {
    const seats = [seat('m1', 'MEMBER', 'ACTIVE'), seat('m2', 'MEMBER', 'ACTIVE'), seat('m3', 'MEMBER', 'LEFT')];
    expect(canFreezeOrganization(seats)).toEqual({ allowed: true });
    expect(freezeChanges(seats, true)).toEqual(['m1', 'm2']);
  });

  it('a half-frozen organization (data of the first edition) may be frozen: the rest follows', () => {
    const seats = [seat('m1', 'MEMBER', 'FROZEN'), seat('m2', 'MEMBER', 'ACTIVE')];
    expect(canFreezeOrganization(seats)).toEqual({ allowed: true });
    expect(freezeChanges(seats, true)).toEqual(['m2']);
    expect(canUnfreezeOrganization(seats)).toEqual({ allowed: true });
    expect(freezeChanges(seats, false)).toEqual(['m1']);
  });

  it('an organization holding an ADMINISTRATOR membership cannot be frozen, even through its other membership', () => {
    const seats = [seat('m1', 'ADMINISTRATOR', 'ACTIVE'), seat('m2', 'MEMBER', 'ACTIVE')];
    expect(matrix.frozenOrganization.canBeFrozenWithAdministratorMembership).toBe(false);
    expect(canFreezeOrganization(seats)).toMatchObject({ allowed: false, missing: { kind: 'integrity', have: 'ADMINISTRATOR' } });
  });

  it('a LEFT administrator membership does not protect the organization', () => {
    expect(canFreezeOrganization([seat('m1', 'ADMINISTRATOR', 'LEFT'), seat('m2', 'MEMBER', 'ACTIVE')])).toEqual({ allowed: true });
  });

  it('freezing a frozen organization, or unfreezing one that is not, is refused as integrity (CONFLICT)', () => {
    expect(canFreezeOrganization([seat('m1', 'MEMBER', 'FROZEN')])).toMatchObject({ allowed: false, missing: { kind: 'integrity' } });
    expect(canUnfreezeOrganization([seat('m1', 'MEMBER', 'ACTIVE')])).toMatchObject({ allowed: false, missing: { kind: 'integrity' } });
  });

  it('an organization without a current membership has nothing to freeze or unfreeze', () => {
    expect(canFreezeOrganization([seat('m1', 'MEMBER', 'LEFT')])).toMatchObject({ allowed: false, missing: { kind: 'membership' } });
    expect(canUnfreezeOrganization([])).toMatchObject({ allowed: false, missing: { kind: 'membership' } });
  });
});

// §8.1 "A GUEST sees only the networks where it holds a network role."
describe('decideConsortiumVisibility', () => {
  const networks: (NetworkRole | null)[] = [...(matrix.networkRoles as NetworkRole[]), null];
  const statuses: Status[] = ['ACTIVE', 'FROZEN', 'LEFT'];
  const cases = ACCOUNT_ROLES.flatMap((account) =>
    networks.flatMap((network) =>
      statuses.map((status) => {
        const row = network === null ? matrix.consortiumVisibility.withoutNetworkRole : matrix.consortiumVisibility.withAnyNetworkRole;
        const visible = matrix.consortiumVisibility.membershipStatusesSeen.includes(status) && row[account as Role4];
        return { account, network, status, visible };
      }),
    ),
  );

  it.each(cases)('account $account, network role $network, membership $status → visible $visible', ({ account, network, status, visible }) => {
    const decision = decideConsortiumVisibility({
      memberships: [{ status: status as MembershipStatus }],
      accountRole: account as AccountRole,
      networkRole: network,
    });
    expect(decision.allowed).toBe(visible);
  });

  it('an organization without a membership sees nothing, whatever the roles', () => {
    const decision = decideConsortiumVisibility({ memberships: [], accountRole: 'OWNER' as AccountRole, networkRole: 'OWNER' as NetworkRole });
    expect(decision).toMatchObject({ allowed: false, missing: { kind: 'membership' } });
  });

  it('a GUEST without a network role is refused for the missing network role', () => {
    const decision = decideConsortiumVisibility({ memberships: [{ status: 'ACTIVE' as MembershipStatus }], accountRole: 'GUEST' as AccountRole, networkRole: null });
    expect(decision).toMatchObject({ allowed: false, missing: { kind: 'accountRole', have: 'GUEST' } });
  });
});

// §8.1 "Who sees network-role events".
describe('networkRoleEventDetail', () => {
  const member = [{ role: 'MEMBER' as ConsortiumRole, status: 'ACTIVE' as MembershipStatus }];
  it('the organization whose user it concerns sees it whole', () => {
    expect(networkRoleEventDetail({ organizationId: 'org-a', memberships: member }, 'org-a')).toBe('FULL');
  });
  it("the consortium's administrator sees it whole", () => {
    const admin = [{ role: 'ADMINISTRATOR' as ConsortiumRole, status: 'ACTIVE' as MembershipStatus }];
    expect(networkRoleEventDetail({ organizationId: 'org-admin', memberships: admin }, 'org-a')).toBe('FULL');
  });
  it('another member sees that a role changed, not whose', () => {
    expect(networkRoleEventDetail({ organizationId: 'org-b', memberships: member }, 'org-a')).toBe('REDACTED');
  });
  it('an administrator membership that was LEFT does not count', () => {
    const left = [{ role: 'ADMINISTRATOR' as ConsortiumRole, status: 'LEFT' as MembershipStatus }, ...member];
    expect(networkRoleEventDetail({ organizationId: 'org-b', memberships: left }, 'org-a')).toBe('REDACTED');
  });
});

// §8.1 "Administration can be handed over".
describe('canTransferAdministration and administrationTransfer', () => {
  const admin = seat('m-admin', 'ADMINISTRATOR', 'ACTIVE', 'org-a');
  const active = { status: 'ACTIVE' as MembershipStatus };

  it('an ACTIVE administrator hands over to another ACTIVE membership', () => {
    const to = seat('m-b', 'MEMBER', 'ACTIVE');
    expect(canTransferAdministration({ from: admin, to, toOrganizationMemberships: [active] })).toEqual({ allowed: true });
  });

  it('also to another membership of its own organization', () => {
    const to = seat('m-a2', 'MEMBER', 'ACTIVE', 'org-a');
    expect(canTransferAdministration({ from: admin, to, toOrganizationMemberships: [active, active] })).toEqual({ allowed: true });
  });

  it.each([
    ['the same membership', seat('m-admin', 'ADMINISTRATOR', 'ACTIVE', 'org-a'), [active]],
    ['an administrator already', seat('m-b', 'ADMINISTRATOR', 'ACTIVE'), [active]],
    ['a FROZEN membership', seat('m-b', 'MEMBER', 'FROZEN'), [{ status: 'FROZEN' as MembershipStatus }]],
    ['a LEFT membership', seat('m-b', 'MEMBER', 'LEFT'), [{ status: 'LEFT' as MembershipStatus }]],
    ['an ACTIVE membership of a frozen organization', seat('m-b', 'MEMBER', 'ACTIVE'), [active, { status: 'FROZEN' as MembershipStatus }]],
  ] as const)('not to %s', (_label, to, orgSeats) => {
    expect(canTransferAdministration({ from: admin, to, toOrganizationMemberships: orgSeats })).toMatchObject({
      allowed: false,
      missing: { kind: 'integrity' },
    });
  });

  it('only from an ACTIVE administrator', () => {
    const to = seat('m-b', 'MEMBER', 'ACTIVE');
    const from = seat('m-c', 'MEMBER', 'ACTIVE', 'org-c');
    expect(canTransferAdministration({ from, to, toOrganizationMemberships: [active] })).toMatchObject({
      allowed: false,
      missing: { kind: 'consortiumRole', need: 'ADMINISTRATOR' },
    });
  });

  it('the receiver becomes ADMINISTRATOR holding all four; the former one a MEMBER keeping them', () => {
    const t = matrix.administrationTransfer;
    expect(administrationTransfer('m-admin', 'm-b')).toEqual({
      to: { id: 'm-b', role: t.receiverBecomes, permissions: t.receiverPermissions },
      from: { id: 'm-admin', role: t.formerBecomes, permissions: t.formerPermissions },
    });
  });
});

// §8.3 removal, §8.1 network roles end with the membership.
describe('canRemoveMember, removalChanges, networkRolesEnd', () => {
  it('a member organization is removed with all its current memberships', () => {
    const seats = [seat('m1', 'MEMBER', 'ACTIVE'), seat('m2', 'MEMBER', 'FROZEN'), seat('m3', 'MEMBER', 'LEFT')];
    expect(canRemoveMember(seats)).toEqual({ allowed: true });
    expect(removalChanges(seats)).toEqual(['m1', 'm2']);
  });

  it("the administrator's own organization cannot be removed", () => {
    const seats = [seat('m1', 'ADMINISTRATOR', 'ACTIVE'), seat('m2', 'MEMBER', 'ACTIVE')];
    expect(canRemoveMember(seats)).toMatchObject({ allowed: false, missing: { kind: 'integrity', have: 'ADMINISTRATOR' } });
  });

  it('an organization that already left cannot be removed', () => {
    expect(canRemoveMember([seat('m1', 'MEMBER', 'LEFT')])).toMatchObject({ allowed: false, missing: { kind: 'integrity' } });
  });

  it.each([
    [[], true],
    [['LEFT'], true],
    [['LEFT', 'LEFT'], true],
    [['ACTIVE'], false],
    [['FROZEN'], false],
    [['LEFT', 'ACTIVE'], false],
  ] as const)('network roles end when the memberships left are %j → %s', (statuses, ends) => {
    const kept = statuses.some((s) => matrix.networkRolesEnd.keptWhileAnyMembershipIs.includes(s));
    expect(ends).toBe(!kept);
    expect(networkRolesEnd(statuses.map((status) => ({ status: status as MembershipStatus })))).toBe(ends);
  });
});
