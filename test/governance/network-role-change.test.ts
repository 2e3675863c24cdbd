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

describe('canChangeNetworkRole: §8.1 a frozen organization grants no network role', () => {
  for (const actor of [...ACCOUNT_ROLES, null] as (AccountRole | null)[]) {
    for (const [current, next] of [[null, 'OPERATOR'], ['OPERATOR', null], ['GUEST', 'ADMIN']] as [NetworkRole | null, NetworkRole | null][]) {
      const manager = actor !== null && MANAGERS.includes(actor);
      it(`${actor ?? 'no role'} of a frozen organization: ${current ?? 'none'} → ${next ?? 'none'} is refused (${manager ? 'status' : 'accountRole'})`, () => {
        const decision = canChangeNetworkRole({ actorRole: actor, currentRole: current, newRole: next, organizationFrozen: true });
        expect(decision).toMatchObject({ allowed: false, missing: { kind: manager ? 'status' : 'accountRole' } });
        expect(canChangeNetworkRole({ actorRole: actor, currentRole: current, newRole: next, organizationFrozen: false }).allowed).toBe(manager);
      });
    }
  }
});
