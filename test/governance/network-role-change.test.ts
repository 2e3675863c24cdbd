import { describe, expect, it } from 'vitest';
import { canChangeNetworkRole, type AccountRole, type NetworkRole } from '../../src/governance';
import { ACCOUNT_ROLES, matrix } from './matrix';

// Network OWNER makes any user an effective OWNER (Layer B), so granting or taking it away
// follows the account rule of §2: only an account OWNER touches OWNER.
const MANAGERS = ACCOUNT_ROLES.filter((r) => matrix.organizationActions['organization.users.manage'][r]);
const NETWORK: (NetworkRole | null)[] = [...(matrix.networkRoles as NetworkRole[]), null];

describe('canChangeNetworkRole', () => {
  for (const actor of [...ACCOUNT_ROLES, null] as (AccountRole | null)[]) {
    for (const current of NETWORK) {
      for (const next of NETWORK) {
        if (current === next) continue;
        const touchesOwner = current === 'OWNER' || next === 'OWNER';
        const allowed = actor !== null && MANAGERS.includes(actor) && (!touchesOwner || actor === 'OWNER');
        it(`${actor ?? 'no role'}: ${current ?? 'none'} → ${next ?? 'none'} is ${allowed ? 'allowed' : 'refused'}`, () => {
          const decision = canChangeNetworkRole({ actorRole: actor, currentRole: current, newRole: next });
          if (allowed) expect(decision).toEqual({ allowed: true });
          else expect(decision).toMatchObject({ allowed: false, missing: { kind: 'accountRole' } });
        });
      }
    }
  }
});
