import { describe, expect, it } from 'vitest';
import { canManageServiceAccount, type AccountRole } from '../../src/governance';
import { ACCOUNT_ROLES, matrix } from './matrix';

// Machine identities: whoever may manage them (the matrix's cell, not the grid under test)
// registers, suspends, reactivates or deletes an account whose role is no higher than their own.
const MANAGERS = ACCOUNT_ROLES.filter((r) => matrix.organizationActions['organization.serviceAccounts.manage'][r]);
const RANK: Record<string, number> = { GUEST: 0, MEMBER: 1, ADMIN: 2, OWNER: 3 };

describe('canManageServiceAccount', () => {
  it('is given to OWNER and ADMIN only, as the matrix says', () => {
    expect([...MANAGERS].sort()).toEqual(['ADMIN', 'OWNER']);
  });

  for (const actor of [...ACCOUNT_ROLES, null]) {
    for (const role of ACCOUNT_ROLES) {
      const manager = actor !== null && MANAGERS.includes(actor);
      const allowed = manager && RANK[role] <= RANK[actor!];
      it(`${actor ?? 'no role'} ${allowed ? 'may' : 'may not'} manage a ${role} service account`, () => {
        const decision = canManageServiceAccount({ actorRole: actor as AccountRole | null, accountRole: role as AccountRole });
        expect(decision.allowed).toBe(allowed);
        if (!decision.allowed) {
          // Never CONFLICT: a higher role would lift either refusal.
          expect(decision.missing.kind).toBe('accountRole');
          expect(decision.reason).toMatch(manager ? /no higher than your own/ : /requires account role/);
        }
      });
    }
  }
});
