import { describe, expect, it } from 'vitest';
import {
  CONSORTIUM_ACTIONS,
  decideConsortium,
  explainConsortium,
  type ConsortiumAction,
  type ConsortiumActor,
  type ConsortiumRole,
  type Decision,
  type EffectiveRole,
  type MembershipStatus,
  type Permission,
} from '../../src/governance';
import {
  CONSORTIUM_ACTION_KEYS,
  CONSORTIUM_ROLES,
  EFFECTIVE_ROLES,
  STATUSES,
  expectedConsortium,
  matrix,
  permissionOf,
  type Expected,
  type Role4,
} from './matrix';

const OWN_ID = 'membership-own';

function actor(role: string, status: string, permissions: readonly string[], effective: Role4, organizationFrozen?: boolean): ConsortiumActor {
  return {
    membership: {
      id: OWN_ID,
      role: role as ConsortiumRole,
      status: status as MembershipStatus,
      permissions: permissions as Permission[],
    },
    effectiveRole: effective as EffectiveRole,
    ...(organizationFrozen === undefined ? {} : { organizationFrozen }),
  };
}

/** "holds its permission": exactly the one the matrix names; "does not": every other one, so
 * holding the wrong permissions cannot pass. Actions without a permission: all four vs none. */
function heldFor(action: string, holds: boolean): string[] {
  const needed = permissionOf(matrix.consortiumActions[action]);
  if (needed) return holds ? [needed] : matrix.permissions.filter((p) => p !== needed);
  return holds ? [...matrix.permissions] : [];
}

const outcome = (e: Expected): string => (e.allowed ? 'allowed' : `denied (${e.kind})`);

function expectDecision(decision: Decision, expected: Expected, effective: string): void {
  if (expected.allowed) {
    expect(decision).toEqual({ allowed: true });
    return;
  }
  expect(decision.allowed).toBe(false);
  if (decision.allowed) return;
  expect(decision.missing.kind).toBe(expected.kind);
  expect(decision.reason.length).toBeGreaterThan(0);
  if (expected.need !== undefined) {
    expect(decision.missing.need).toBe(expected.need);
    expect(decision.reason).toContain(expected.need);
  }
  if (expected.kind === 'effectiveRole') expect(decision.reason).toContain(`(you are ${effective})`);
}

describe('Layer C: the grid holds exactly the matrix actions', () => {
  it('33 actions (24 of §4, 6 of §8.2, 3 of §8.1 and §8.3), in the matrix order', () => {
    expect(CONSORTIUM_ACTION_KEYS).toHaveLength(33);
    expect([...CONSORTIUM_ACTIONS]).toEqual(CONSORTIUM_ACTION_KEYS);
  });
});

describe('Layer C: action × consortium role × permission held × effective role × status', () => {
  const cases = CONSORTIUM_ACTION_KEYS.flatMap((action) =>
    CONSORTIUM_ROLES.flatMap((role) =>
      [true, false].flatMap((holds) =>
        EFFECTIVE_ROLES.flatMap((effective) =>
          STATUSES.map((status) => {
            const held = heldFor(action, holds);
            const expected = expectedConsortium(matrix.consortiumActions[action], role, held, effective, status);
            const permission = permissionOf(matrix.consortiumActions[action]) ?? 'permissions';
            const name = `${action}: ${status} ${role} ${holds ? 'holding' : 'without'} ${permission}, effective ${effective} → ${outcome(expected)}`;
            return { name, action, role, held, effective, status, expected };
          }),
        ),
      ),
    ),
  );

  it('covers every cell: 33 × 2 × 2 × 4 × 3', () => {
    expect(cases).toHaveLength(1584);
  });

  it.each(cases)('$name', ({ action, role, held, effective, status, expected }) => {
    const decision = decideConsortium(action as ConsortiumAction, actor(role, status, held, effective));
    expectDecision(decision, expected, effective);
  });
});

describe('§8.1 Layer C: an ACTIVE membership of a frozen organization acts as FROZEN, whichever it names', () => {
  const cases = CONSORTIUM_ACTION_KEYS.flatMap((action) =>
    CONSORTIUM_ROLES.flatMap((role) =>
      EFFECTIVE_ROLES.flatMap((effective) =>
        STATUSES.map((status) => {
          const held = heldFor(action, true);
          const expected = expectedConsortium(matrix.consortiumActions[action], role, held, effective, status, undefined, true);
          const name = `${action}: ${status} ${role} of a frozen organization, effective ${effective} → ${outcome(expected)}`;
          return { name, action, role, held, effective, status, expected };
        }),
      ),
    ),
  );

  it.each(cases)('$name', ({ action, role, held, effective, status, expected }) => {
    const decision = decideConsortium(action as ConsortiumAction, actor(role, status, held, effective, true));
    expectDecision(decision, expected, effective);
  });

  it('the frozen cells of the matrix are the views, certificate download and leaving (§8.1)', () => {
    const frozen = CONSORTIUM_ACTION_KEYS.filter((a) => matrix.consortiumActions[a].frozenAllowed);
    const expected = CONSORTIUM_ACTION_KEYS.filter((a) => a.endsWith('.view') || matrix.frozenOrganization.mayWhileFrozen.includes(a));
    expect(frozen).toEqual(expected);
  });

  it('the refusal names the organization, not the membership, and what it may still do', () => {
    const decision = decideConsortium('node.create', actor('MEMBER', 'ACTIVE', [], 'OWNER', true));
    expect(decision).toMatchObject({
      allowed: false,
      reason: 'your organization is frozen in this consortium: it may only view, download its own certificates and leave',
      missing: { kind: 'status', need: 'ACTIVE', have: 'FROZEN' },
    });
  });

  it('an organization that is not frozen acts with its membership\'s own status', () => {
    expect(decideConsortium('node.create', actor('MEMBER', 'ACTIVE', [], 'OWNER', false))).toEqual({ allowed: true });
  });
});

describe("Layer C: 'own' cells, with the resource's owner known", () => {
  const cases = CONSORTIUM_ACTION_KEYS.flatMap((action) =>
    CONSORTIUM_ROLES.flatMap((role) =>
      [true, false].flatMap((owns) =>
        EFFECTIVE_ROLES.map((effective) => {
          const held = heldFor(action, true);
          const expected = expectedConsortium(matrix.consortiumActions[action], role, held, effective, 'ACTIVE', owns);
          const whose = owns ? 'its own' : "another membership's";
          const name = `${action} on ${whose} resource: ${role}, effective ${effective} → ${outcome(expected)}`;
          return { name, action, role, owns, held, effective, expected };
        }),
      ),
    ),
  );

  it.each(cases)('$name', ({ action, role, owns, held, effective, expected }) => {
    const scope = { ownerMembershipId: owns ? OWN_ID : 'membership-other' };
    const decision = decideConsortium(action as ConsortiumAction, actor(role, 'ACTIVE', held, effective), scope);
    expectDecision(decision, expected, effective);
  });

  it('a MEMBER cannot revoke an invitation sent by another membership', () => {
    const decision = decideConsortium('invitation.revoke', actor('MEMBER', 'ACTIVE', [], 'OWNER'), {
      ownerMembershipId: 'membership-other',
    });
    expect(decision).toMatchObject({ allowed: false, missing: { kind: 'ownership' } });
  });

  it('an ADMINISTRATOR may delete any membership\'s node', () => {
    const decision = decideConsortium('node.delete', actor('ADMINISTRATOR', 'ACTIVE', [], 'ADMIN'), {
      ownerMembershipId: 'membership-other',
    });
    expect(decision).toEqual({ allowed: true });
  });
});

describe('Layer C: an organization without a membership', () => {
  const cases = CONSORTIUM_ACTION_KEYS.flatMap((action) => EFFECTIVE_ROLES.map((effective) => ({ action, effective })));

  it.each(cases)('$action is refused with effective role $effective', ({ action, effective }) => {
    const decision = decideConsortium(action as ConsortiumAction, {
      membership: null,
      effectiveRole: effective as EffectiveRole,
    });
    expect(decision).toMatchObject({ allowed: false, missing: { kind: 'membership' } });
  });
});

describe('Layer C: reasons name what was missing', () => {
  it('a MEMBER without INVITE_ORGANIZATIONS cannot invite', () => {
    const decision = decideConsortium('organization.invite', actor('MEMBER', 'ACTIVE', [], 'OWNER'));
    expect(decision).toMatchObject({
      allowed: false,
      reason: 'requires permission INVITE_ORGANIZATIONS, which this membership does not hold',
      missing: { kind: 'permission', need: 'INVITE_ORGANIZATIONS', have: 'none' },
    });
  });

  it('an ADMIN cannot delete the consortium: "requires effective role OWNER (you are ADMIN)"', () => {
    const decision = decideConsortium('consortium.delete', actor('ADMINISTRATOR', 'ACTIVE', [], 'ADMIN'));
    expect(decision).toMatchObject({ allowed: false, reason: 'requires effective role OWNER (you are ADMIN)' });
  });

  it('a FROZEN membership may view but is told why it cannot change', () => {
    const frozen = actor('ADMINISTRATOR', 'FROZEN', [], 'OWNER');
    expect(decideConsortium('consortium.view', frozen)).toEqual({ allowed: true });
    expect(decideConsortium('consortium.update', frozen)).toMatchObject({
      allowed: false,
      reason: expect.stringContaining('frozen'),
      missing: { kind: 'status', need: 'ACTIVE', have: 'FROZEN' },
    });
  });
});

describe('explainConsortium: every action with its decision', () => {
  const actors = CONSORTIUM_ROLES.flatMap((role) =>
    EFFECTIVE_ROLES.map((effective) => ({ role, effective, held: ['MANAGE_ENVIRONMENTS'] })),
  );

  it.each(actors)('for an ACTIVE $role (MANAGE_ENVIRONMENTS) with effective role $effective', ({ role, effective, held }) => {
    const explained = explainConsortium(actor(role, 'ACTIVE', held, effective));
    expect(explained.map((e) => e.action)).toEqual(CONSORTIUM_ACTION_KEYS);
    for (const { action, decision, description } of explained) {
      const expected = expectedConsortium(matrix.consortiumActions[action], role, held, effective, 'ACTIVE');
      expect({ action, allowed: decision.allowed }).toEqual({ action, allowed: expected.allowed });
      expect(description.length).toBeGreaterThan(0);
    }
  });
});
