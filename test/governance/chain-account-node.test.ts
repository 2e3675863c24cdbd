import { describe, expect, it } from 'vitest';
import {
  addressAfterRotation,
  canExpandNode,
  decideChainAccountOperation,
  effectiveAccountStatus,
  expansion,
  hasSpareLicenses,
  licensesInUse,
  licensesOf,
  type ChainAccountOperation,
  type ChainAccountStatus,
  type ConsortiumRole,
  type NodeSize,
} from '../../src/governance';

// §8.2 "create, rotate key, freeze, unfreeze own membership's accounts; an administrator may freeze any".
const OPS = ['CREATE', 'ROTATE_KEY', 'FREEZE', 'UNFREEZE'] as const;
const statusFor = (op: string): ChainAccountStatus => (op === 'UNFREEZE' ? 'FROZEN' : 'ACTIVE') as ChainAccountStatus;

describe('decideChainAccountOperation', () => {
  const cases = (['ADMINISTRATOR', 'MEMBER'] as const).flatMap((role) =>
    [true, false].flatMap((own) =>
      OPS.map((op) => {
        // Another membership's account: an administrator may freeze it (and unfreeze what an administrator
        // froze). Below, every UNFREEZE is of an account an administrator froze, which its MEMBER owner cannot undo.
        const allowed = own ? role === 'ADMINISTRATOR' || op !== 'UNFREEZE' : role === 'ADMINISTRATOR' && (op === 'FREEZE' || op === 'UNFREEZE');
        return { role, own, op, allowed };
      }),
    ),
  );

  it.each(cases)('$role on own account: $own, $op → allowed $allowed', ({ role, own, op, allowed }) => {
    const target = {
      ownerMembershipId: own ? 'm-actor' : 'm-other',
      status: statusFor(op),
      frozenByMembershipId: op === 'UNFREEZE' ? 'm-admin' : null,
    };
    const decision = decideChainAccountOperation(op as ChainAccountOperation, { id: 'm-actor', role: role as ConsortiumRole }, target);
    if (allowed) expect(decision).toEqual({ allowed: true });
    else expect(decision).toMatchObject({ allowed: false, missing: { kind: own ? 'consortiumRole' : 'ownership' } });
  });

  it('an administrator cannot unfreeze an account its owner froze itself', () => {
    const decision = decideChainAccountOperation('UNFREEZE' as ChainAccountOperation, { id: 'm-admin', role: 'ADMINISTRATOR' as ConsortiumRole }, {
      ownerMembershipId: 'm-b',
      status: 'FROZEN' as ChainAccountStatus,
      frozenByMembershipId: 'm-b',
    });
    expect(decision).toMatchObject({ allowed: false, missing: { kind: 'ownership' } });
  });

  it('a member unfreezes its own account when it froze it itself', () => {
    const decision = decideChainAccountOperation('UNFREEZE' as ChainAccountOperation, { id: 'm-b', role: 'MEMBER' as ConsortiumRole }, {
      ownerMembershipId: 'm-b',
      status: 'FROZEN' as ChainAccountStatus,
      frozenByMembershipId: 'm-b',
    });
    expect(decision).toEqual({ allowed: true });
  });

  it.each([
    ['ROTATE_KEY', 'FROZEN'],
    ['FREEZE', 'FROZEN'],
    ['UNFREEZE', 'ACTIVE'],
  ])('%s of a %s account is refused as integrity (CONFLICT)', (op, status) => {
    const decision = decideChainAccountOperation(op as ChainAccountOperation, { id: 'm', role: 'MEMBER' as ConsortiumRole }, {
      ownerMembershipId: 'm',
      status: status as ChainAccountStatus,
    });
    expect(decision).toMatchObject({ allowed: false, missing: { kind: 'integrity', have: status } });
  });

  it.each(OPS)('%s of an account a key rotation replaced is refused as integrity, even for an administrator', (op) => {
    const decision = decideChainAccountOperation(op as ChainAccountOperation, { id: 'm', role: 'ADMINISTRATOR' as ConsortiumRole }, {
      ownerMembershipId: 'm',
      status: 'FROZEN' as ChainAccountStatus,
      frozenByMembershipId: 'm',
      replacedByAccountId: 'a-new',
    });
    expect(decision).toMatchObject({ allowed: false, missing: { kind: 'integrity', have: 'replaced by a-new' } });
  });

  it("a frozen organization's accounts are frozen with it", () => {
    expect(effectiveAccountStatus('ACTIVE' as ChainAccountStatus, true)).toBe('FROZEN');
    expect(effectiveAccountStatus('ACTIVE' as ChainAccountStatus, false)).toBe('ACTIVE');
  });

  it('a rotation keeps the address only where the chain allows a recovery key', () => {
    expect(addressAfterRotation({ currentAddress: '0xA', newKeyAddress: '0xB', chainAllowsRecoveryKey: true })).toEqual({ address: '0xA', newAccount: false });
    expect(addressAfterRotation({ currentAddress: '0xA', newKeyAddress: '0xB', chainAllowsRecoveryKey: false })).toEqual({ address: '0xB', newAccount: true });
  });
});

// §8.2 "a size takes 1, 2 or 4 licenses".
describe('node sizes and licenses', () => {
  it('sizes take 1, 2 and 4 licenses', () => {
    expect(['SMALL', 'MEDIUM', 'LARGE'].map((s) => licensesOf(s as NodeSize))).toEqual([1, 2, 4]);
  });

  it('running nodes use their size in licenses; stopped nodes none', () => {
    const nodes = [
      { size: 'SMALL' as NodeSize, running: true },
      { size: 'LARGE' as NodeSize, running: true },
      { size: 'MEDIUM' as NodeSize, running: false },
    ];
    expect(licensesInUse(nodes)).toBe(5);
  });

  it.each([
    ['SMALL', 'MEDIUM', 1],
    ['SMALL', 'LARGE', 3],
    ['MEDIUM', 'LARGE', 2],
  ])('expanding %s → %s takes %i more', (from, to, extra) => {
    expect(expansion(from as NodeSize, to as NodeSize)).toEqual({ ok: true, additionalLicenses: extra });
  });

  it.each([
    ['SMALL', 'SMALL'],
    ['LARGE', 'MEDIUM'],
    ['MEDIUM', 'HUGE'],
  ])('%s → %s is not an expansion: BAD_USER_INPUT', (from, to) => {
    expect(expansion(from as NodeSize, to as NodeSize)).toMatchObject({ ok: false, code: 'BAD_USER_INPUT' });
  });

  it.each([
    [10, 7, 3, true],
    [10, 8, 3, false],
    [4, 4, 1, false],
    [4, 3, 1, true],
  ])('%i licenses, %i in use, %i needed → %s', (licenses, inUse, needed, allowed) => {
    const decision = hasSpareLicenses({ licenses, inUse, needed });
    expect(decision.allowed).toBe(allowed);
    if (!decision.allowed) expect(decision.missing.kind).toBe('integrity');
  });

  it("only the node's own organization expands it, with the difference spare", () => {
    const base = { actingOrganizationId: 'a', nodeOrganizationId: 'a', additionalLicenses: 2, licenses: 4, inUse: 2 };
    expect(canExpandNode(base)).toEqual({ allowed: true });
    expect(canExpandNode({ ...base, inUse: 3 })).toMatchObject({ allowed: false, missing: { kind: 'integrity' } });
    expect(canExpandNode({ ...base, nodeOrganizationId: 'b' })).toMatchObject({ allowed: false, missing: { kind: 'ownership' } });
  });
});
