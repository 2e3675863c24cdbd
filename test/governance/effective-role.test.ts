import { describe, expect, it } from 'vitest';
import {
  ALL_PERMISSIONS,
  AccountRole,
  NetworkRole,
  ROLE_RANK,
  effectiveRole,
  hasAtLeast,
  type EffectiveRole,
} from '../../src/governance';
import { ACCOUNT_ROLES, EFFECTIVE_ROLES, NETWORK_ROWS, matrix } from './matrix';

const networkOf = (row: string): NetworkRole | null => (row === 'NONE' ? null : (row as NetworkRole));

describe('Layer B: effective role = network role × account role', () => {
  const cells = NETWORK_ROWS.flatMap((network) =>
    ACCOUNT_ROLES.map((account) => ({ network, account, expected: matrix.effectiveRole[network][account] })),
  );

  it('the matrix has the 20 cells the spec describes', () => {
    expect(cells).toHaveLength(20);
  });

  it.each(cells)('network $network, account $account → $expected', ({ network, account, expected }) => {
    expect(effectiveRole(account as AccountRole, networkOf(network))).toBe(expected);
  });

  it.each(NETWORK_ROWS.map((network) => ({ network, expected: matrix.effectiveRole[network].GUEST })))(
    'no account role counts as GUEST: network $network → $expected',
    ({ network, expected }) => {
      expect(effectiveRole(null, networkOf(network))).toBe(expected);
    },
  );
});

describe('role ranks and permissions match the matrix', () => {
  it('ROLE_RANK orders GUEST < MEMBER < ADMIN < OWNER as the matrix does', () => {
    expect({ ...ROLE_RANK }).toEqual(matrix.roleRank);
  });

  it.each(EFFECTIVE_ROLES.flatMap((have) => EFFECTIVE_ROLES.map((min) => ({ have, min }))))(
    '$have is at least $min only when its rank is not lower',
    ({ have, min }) => {
      expect(hasAtLeast(have as EffectiveRole, min as EffectiveRole)).toBe(matrix.roleRank[have] >= matrix.roleRank[min]);
    },
  );

  it('ALL_PERMISSIONS are the four Kaleido permissions, in the matrix order', () => {
    expect([...ALL_PERMISSIONS]).toEqual(matrix.permissions);
  });

  it('role enums hold exactly the matrix roles, value equal to key', () => {
    expect(Object.entries(AccountRole)).toEqual(matrix.accountRoles.map((r) => [r, r]));
    expect(Object.entries(NetworkRole)).toEqual(matrix.networkRoles.map((r) => [r, r]));
  });
});
