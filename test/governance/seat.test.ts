import { describe, expect, it } from 'vitest';
import { decideSeat, invitationNeedsApproval, type ConsortiumRole, type MembershipStatus, type Permission } from '../../src/governance';

type Role = `${ConsortiumRole}`;
type Status = `${MembershipStatus}`;

// §4 "an organization that has no active membership in the consortium (or holds
// MULTIPLE_MEMBERSHIPS there)", and §6 "Accepting an invitation sent by an ADMINISTRATOR creates
// an ACTIVE MEMBER membership at once. Accepting one sent by a MEMBER creates a PENDING application".
const seat = (role: Role, status: Status, permissions: `${Permission}`[] = []) => ({ role, status, permissions });

describe('decideSeat', () => {
  it.each([
    ['no membership at all', [], true],
    ['only a LEFT membership', [seat('MEMBER', 'LEFT')], true],
    ['an ACTIVE MEMBER without MULTIPLE_MEMBERSHIPS', [seat('MEMBER', 'ACTIVE')], false],
    ['a FROZEN MEMBER (a freeze cannot be sidestepped)', [seat('MEMBER', 'FROZEN')], false],
    ['an ACTIVE seat holding MULTIPLE_MEMBERSHIPS beside a FROZEN one (§8.1: the organization is frozen)', [seat('MEMBER', 'ACTIVE', ['MULTIPLE_MEMBERSHIPS']), seat('MEMBER', 'FROZEN')], false],
    ['an ACTIVE ADMINISTRATOR beside a FROZEN seat', [seat('ADMINISTRATOR', 'ACTIVE'), seat('MEMBER', 'FROZEN')], false],
    ['an ACTIVE seat holding MULTIPLE_MEMBERSHIPS beside a LEFT one', [seat('MEMBER', 'ACTIVE', ['MULTIPLE_MEMBERSHIPS']), seat('MEMBER', 'LEFT')], true],
    ['an ACTIVE MEMBER holding MULTIPLE_MEMBERSHIPS', [seat('MEMBER', 'ACTIVE', ['MULTIPLE_MEMBERSHIPS'])], true],
    ['a FROZEN MEMBER holding MULTIPLE_MEMBERSHIPS', [seat('MEMBER', 'FROZEN', ['MULTIPLE_MEMBERSHIPS'])], false],
    ['an ACTIVE ADMINISTRATOR (holds all four)', [seat('ADMINISTRATOR', 'ACTIVE')], true],
  ] as const)('%s → %s', (_label, memberships, allowed) => {
    const decision = decideSeat(memberships as never);
    expect(decision.allowed).toBe(allowed);
    // §8.1: a frozen organization cannot create memberships, whichever membership it names; where
    // an ACTIVE seat would allow it, the refusal says the organization is frozen.
    const activeMulti = memberships.some((m) => m.status === 'ACTIVE' && (m.role === 'ADMINISTRATOR' || (m.permissions as string[]).includes('MULTIPLE_MEMBERSHIPS')));
    if (!decision.allowed && activeMulti) expect(decision.missing).toEqual({ kind: 'status', need: 'ACTIVE', have: 'FROZEN' });
    if (!decision.allowed && !activeMulti) expect(decision.missing).toMatchObject({ kind: 'membership', need: 'MULTIPLE_MEMBERSHIPS' });
  });
});

describe('invitationNeedsApproval', () => {
  it("an ADMINISTRATOR's invitation activates at once; a MEMBER's goes through approval", () => {
    expect(invitationNeedsApproval('ADMINISTRATOR' as ConsortiumRole)).toBe(false);
    expect(invitationNeedsApproval('MEMBER' as ConsortiumRole)).toBe(true);
  });
});
