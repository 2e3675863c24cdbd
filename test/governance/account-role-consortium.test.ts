import { describe, expect, it } from 'vitest';
import {
  ACCOUNT_ROLE_CONSORTIUM_ACTIONS,
  decideAccountRoleConsortium,
  explainAccountRoleConsortium,
  type AccountRole,
  type AccountRoleConsortiumAction,
  type ConsortiumRole,
  type MembershipStatus,
  type Permission,
} from '../../src/governance';
import {
  ACCOUNT_ROLES,
  ACCOUNT_ROLE_CONSORTIUM_ACTION_KEYS,
  CONSORTIUM_ROLES,
  NETWORK_ROWS,
  STATUSES,
  expectedByAccountRole,
  matrix,
  permissionOf,
  type Role4,
} from './matrix';

// §8.2 note: security editing is excluded from every network role, so it is decided by account
// role alone. The network role is a dimension of every case below precisely to show it changes
// nothing: a network OWNER with account role MEMBER is refused.
function actor(role: string, status: string, held: readonly string[], accountRole: Role4 | null, organizationFrozen = false) {
  return {
    membership: { id: 'm-own', role: role as ConsortiumRole, status: status as MembershipStatus, permissions: held as Permission[] },
    accountRole: accountRole as AccountRole | null,
    organizationFrozen,
  };
}

describe('decided by account role alone: the grid holds exactly the matrix actions', () => {
  it('environment.security.update and nothing else', () => {
    expect([...ACCOUNT_ROLE_CONSORTIUM_ACTIONS]).toEqual(ACCOUNT_ROLE_CONSORTIUM_ACTION_KEYS);
  });
});

describe('decided by account role alone: action × account role × network role × consortium role × permission × status × frozen organization', () => {
  const cases = ACCOUNT_ROLE_CONSORTIUM_ACTION_KEYS.flatMap((action) => {
    const needed = permissionOf(matrix.consortiumActions[matrix.accountRoleConsortiumActions[action].membershipMay]);
    return [...ACCOUNT_ROLES, null].flatMap((accountRole) =>
      NETWORK_ROWS.flatMap((network) =>
        CONSORTIUM_ROLES.flatMap((role) =>
          [true, false].flatMap((holds) =>
            STATUSES.flatMap((status) =>
              [false, true].map((frozenOrg) => {
                const held = holds ? (needed ? [needed] : [...matrix.permissions]) : matrix.permissions.filter((p) => p !== needed);
                const expected = expectedByAccountRole(action, role, held, accountRole, status, frozenOrg);
                const name = `${action}: account ${accountRole ?? 'none'}, network ${network}, ${status} ${role} ${holds ? 'holding' : 'without'} ${needed ?? 'permissions'}${frozenOrg ? ', organization frozen' : ''} → ${expected.allowed ? 'allowed' : expected.kind}`;
                return { name, action, accountRole, role, held, status, frozenOrg, expected };
              }),
            ),
          ),
        ),
      ),
    );
  });

  it('covers every cell: 1 × 5 × 5 × 2 × 2 × 3 × 2', () => {
    expect(cases).toHaveLength(600);
  });

  it.each(cases)('$name', ({ action, accountRole, role, held, status, frozenOrg, expected }) => {
    const decision = decideAccountRoleConsortium(action as AccountRoleConsortiumAction, actor(role, status, held, accountRole, frozenOrg));
    if (expected.allowed) {
      expect(decision).toEqual({ allowed: true });
      return;
    }
    expect(decision).toMatchObject({ allowed: false, missing: { kind: expected.kind } });
    if (!decision.allowed && expected.need) expect(decision.missing.need).toBe(expected.need);
  });

  it('an organization without a membership is refused', () => {
    const decision = decideAccountRoleConsortium('environment.security.update', { membership: null, accountRole: 'OWNER' as AccountRole });
    expect(decision).toMatchObject({ allowed: false, missing: { kind: 'membership' } });
  });

  it('an account MEMBER is told which account roles may', () => {
    const decision = decideAccountRoleConsortium('environment.security.update', actor('ADMINISTRATOR', 'ACTIVE', [], 'MEMBER'));
    expect(decision).toMatchObject({ allowed: false, reason: 'requires account role OWNER or ADMIN (you are MEMBER)' });
  });
});

describe('explainAccountRoleConsortium', () => {
  it('lists every action with the decision and a description', () => {
    const explained = explainAccountRoleConsortium(actor('MEMBER', 'ACTIVE', ['MANAGE_ENVIRONMENTS'], 'ADMIN'));
    expect(explained.map((e) => e.action)).toEqual(ACCOUNT_ROLE_CONSORTIUM_ACTION_KEYS);
    expect(explained.every((e) => e.decision.allowed && e.description.length > 0)).toBe(true);
  });
});
