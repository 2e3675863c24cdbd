import { describe, expect, it } from 'vitest';
import {
  canChangeAccountRole,
  canFreezeMembership,
  canLeaveConsortium,
  canRemoveUser,
  hasSignerSlot,
  hasSpareLicense,
  type AccountRole,
  type ConsortiumRole,
  type Decision,
} from '../../src/governance';
import { ACCOUNT_ROLES, matrix } from './matrix';

// §2: users.manage decides who may touch roles at all; only an OWNER touches OWNER; an
// organization keeps at least one OWNER. Written from the spec and the matrix, not the grid.
const MANAGERS = ACCOUNT_ROLES.filter((r) => matrix.organizationActions['organization.users.manage'][r]);
const ACTORS: (string | null)[] = [...ACCOUNT_ROLES, null];
const OWNER_COUNTS = [1, 2];
const who = (role: string | null): string => role ?? 'no role';

type Expected = { allowed: true } | { allowed: false; kind: string };

function expectedChange(actor: string | null, current: string, next: string, owners: number): Expected {
  if (actor === null || !MANAGERS.includes(actor as never)) return { allowed: false, kind: 'accountRole' };
  if ((current === 'OWNER' || next === 'OWNER') && actor !== 'OWNER') return { allowed: false, kind: 'accountRole' };
  if (current === 'OWNER' && next !== 'OWNER' && owners <= 1) return { allowed: false, kind: 'integrity' };
  return { allowed: true };
}

function expectedRemoval(actor: string | null, target: string, owners: number): Expected {
  if (actor === null || !MANAGERS.includes(actor as never)) return { allowed: false, kind: 'accountRole' };
  if (target === 'OWNER' && actor !== 'OWNER') return { allowed: false, kind: 'accountRole' };
  if (target === 'OWNER' && owners <= 1) return { allowed: false, kind: 'integrity' };
  return { allowed: true };
}

function expectOutcome(decision: Decision, expected: Expected): void {
  if (expected.allowed) expect(decision).toEqual({ allowed: true });
  else expect(decision).toMatchObject({ allowed: false, missing: { kind: expected.kind } });
}

const show = (e: Expected): string => (e.allowed ? 'allowed' : `denied (${e.kind})`);

describe('canChangeAccountRole', () => {
  const cases = ACTORS.flatMap((actor) =>
    ACCOUNT_ROLES.flatMap((current) =>
      ACCOUNT_ROLES.flatMap((next) =>
        OWNER_COUNTS.map((owners) => {
          const expected = expectedChange(actor, current, next, owners);
          const name = `${who(actor)} changes ${current} → ${next} with ${owners} owner(s) → ${show(expected)}`;
          return { name, actor, current, next, owners, expected };
        }),
      ),
    ),
  );

  it.each(cases)('$name', ({ actor, current, next, owners, expected }) => {
    const decision = canChangeAccountRole({
      actorRole: actor as AccountRole | null,
      targetCurrentRole: current as AccountRole,
      targetNewRole: next as AccountRole,
      ownerCount: owners,
    });
    expectOutcome(decision, expected);
  });

  it('the last OWNER cannot demote themselves, and the reason says so', () => {
    const decision = canChangeAccountRole({
      actorRole: 'OWNER' as AccountRole,
      targetCurrentRole: 'OWNER' as AccountRole,
      targetNewRole: 'ADMIN' as AccountRole,
      ownerCount: 1,
    });
    expect(decision).toMatchObject({ allowed: false, reason: expect.stringContaining('last OWNER') });
  });

  it('an ADMIN cannot grant OWNER', () => {
    const decision = canChangeAccountRole({
      actorRole: 'ADMIN' as AccountRole,
      targetCurrentRole: 'MEMBER' as AccountRole,
      targetNewRole: 'OWNER' as AccountRole,
      ownerCount: 3,
    });
    expect(decision).toMatchObject({ allowed: false, missing: { kind: 'accountRole', need: 'OWNER', have: 'ADMIN' } });
  });
});

describe('canRemoveUser', () => {
  const cases = ACTORS.flatMap((actor) =>
    ACCOUNT_ROLES.flatMap((target) =>
      OWNER_COUNTS.map((owners) => {
        const expected = expectedRemoval(actor, target, owners);
        const name = `${who(actor)} removes a ${target} with ${owners} owner(s) → ${show(expected)}`;
        return { name, actor, target, owners, expected };
      }),
    ),
  );

  it.each(cases)('$name', ({ actor, target, owners, expected }) => {
    const decision = canRemoveUser({ actorRole: actor as AccountRole | null, targetRole: target as AccountRole, ownerCount: owners });
    expectOutcome(decision, expected);
  });

  it('the last OWNER cannot be removed, and the reason says so', () => {
    const decision = canRemoveUser({ actorRole: 'OWNER' as AccountRole, targetRole: 'OWNER' as AccountRole, ownerCount: 1 });
    expect(decision).toMatchObject({ allowed: false, reason: expect.stringContaining('last OWNER') });
  });
});

describe('consortium integrity (§6)', () => {
  const ADMINISTRATOR = 'ADMINISTRATOR' as ConsortiumRole;
  const MEMBER = 'MEMBER' as ConsortiumRole;

  it('the last ADMINISTRATOR cannot leave', () => {
    expect(canLeaveConsortium({ role: ADMINISTRATOR, administratorCount: 1 })).toMatchObject({
      allowed: false,
      missing: { kind: 'integrity' },
    });
  });

  it('an ADMINISTRATOR may leave while another remains; a MEMBER always may', () => {
    expect(canLeaveConsortium({ role: ADMINISTRATOR, administratorCount: 2 })).toEqual({ allowed: true });
    expect(canLeaveConsortium({ role: MEMBER, administratorCount: 1 })).toEqual({ allowed: true });
  });

  it('an ADMINISTRATOR membership cannot be frozen; a MEMBER one can', () => {
    expect(canFreezeMembership({ role: ADMINISTRATOR })).toMatchObject({ allowed: false, missing: { kind: 'integrity' } });
    expect(canFreezeMembership({ role: MEMBER })).toEqual({ allowed: true });
  });
});

// §6 "Nodes: each node takes one of its organization's licenses; with none spare, creation is
// refused with a clear error. An environment with a max-signers limit refuses a signer beyond it."
describe('node capacity', () => {
  it('a node needs a spare license of its organization', () => {
    expect(hasSpareLicense({ licenses: 3, inUse: 2 }).allowed).toBe(true);
    for (const inUse of [3, 4]) {
      const d = hasSpareLicense({ licenses: 3, inUse });
      expect(d.allowed).toBe(false);
      if (!d.allowed) expect(d.missing).toMatchObject({ kind: 'integrity', need: 'a spare node license' });
    }
    expect(hasSpareLicense({ licenses: 0, inUse: 0 }).allowed).toBe(false);
  });

  it('a signer needs a free slot when the environment has a limit, and always has one without', () => {
    expect(hasSignerSlot({ maxSigners: null, signers: 1000 }).allowed).toBe(true);
    expect(hasSignerSlot({ maxSigners: 2, signers: 1 }).allowed).toBe(true);
    const full = hasSignerSlot({ maxSigners: 2, signers: 2 });
    expect(full.allowed).toBe(false);
    if (!full.allowed) expect(full.missing).toMatchObject({ kind: 'integrity', need: 'a free signer slot' });
  });
});
