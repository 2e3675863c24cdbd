import { describe, expect, it } from 'vitest';
import { resolveOffer, type ConsortiumRole, type OfferResult, type Permission, type Plan } from '../../src/governance';
import { matrix, subsets } from './matrix';

// The rules of governance.md §5 / invitationRules, written from the spec, for the oracle below.
const INVITE = 'INVITE_ORGANIZATIONS';
const SIGNERS = 'CREATE_SIGNERS';
const PLANS = ['STANDARD', 'ENTERPRISE'] as const;
const canonical = (list: readonly string[]): string[] => matrix.permissions.filter((p) => list.includes(p));

type Expected = { ok: true; permissions: string[] } | { ok: false; code: string; notHeld?: string[] };

function expectedOffer(
  role: string,
  held: readonly string[],
  inviterPlan: string,
  inviteePlan: string,
  requested: readonly string[] | null,
): Expected {
  const holds = role === 'ADMINISTRATOR' ? matrix.permissions : held;
  const defaultSet = holds.includes(INVITE) ? [INVITE] : [];
  if (requested === null) return { ok: true, permissions: defaultSet };
  const wanted = canonical(requested);
  const notHeld = wanted.filter((p) => !holds.includes(p));
  if (notHeld.length > 0) return { ok: false, code: 'FORBIDDEN', notHeld };
  const isDefault = wanted.length === defaultSet.length && wanted.every((p) => defaultSet.includes(p));
  if (!isDefault && inviterPlan !== 'ENTERPRISE') return { ok: false, code: 'FORBIDDEN' };
  if (wanted.includes(SIGNERS) && inviteePlan !== 'ENTERPRISE') return { ok: false, code: 'BAD_USER_INPUT' };
  return { ok: true, permissions: wanted };
}

function offer(role: string, held: readonly string[], inviterPlan: string, inviteePlan: string, requested?: readonly string[] | null): OfferResult {
  return resolveOffer({
    inviter: { role: role as ConsortiumRole, permissions: held as Permission[] },
    inviterPlan: inviterPlan as Plan,
    inviteePlan: inviteePlan as Plan,
    requested: requested as Permission[] | null | undefined,
  });
}

const list = (l: readonly string[] | null): string => (l === null ? 'nothing named' : l.length ? l.join('+') : '[]');

describe('resolveOffer: every held set × requested set × plans', () => {
  const inviters = [
    ...subsets(matrix.permissions).map((held) => ({ role: 'MEMBER', held })),
    { role: 'ADMINISTRATOR', held: [] as string[] },
  ];
  const requests: (string[] | null)[] = [null, ...subsets(matrix.permissions)];
  const cases = inviters.flatMap(({ role, held }) =>
    requests.flatMap((requested) =>
      PLANS.flatMap((inviterPlan) =>
        PLANS.map((inviteePlan) => {
          const expected = expectedOffer(role, held, inviterPlan, inviteePlan, requested);
          const result = expected.ok ? `offers ${list(expected.permissions)}` : `refused ${expected.code}`;
          const name = `${role} holding ${list(held)} (${inviterPlan}) offers ${list(requested)} to ${inviteePlan} → ${result}`;
          return { name, role, held, inviterPlan, inviteePlan, requested, expected };
        }),
      ),
    ),
  );

  it.each(cases)('$name', ({ role, held, inviterPlan, inviteePlan, requested, expected }) => {
    const result = offer(role, held, inviterPlan, inviteePlan, requested);
    if (expected.ok) {
      expect(result).toEqual(expected);
      return;
    }
    expect(result).toMatchObject({ ok: false, code: expected.code });
    if (result.ok) return;
    expect(result.reason.length).toBeGreaterThan(0);
    expect(result.notHeld).toEqual(expected.notHeld);
    for (const p of expected.notHeld ?? []) expect(result.reason).toContain(p);
  });
});

describe('resolveOffer: the rules as the spec states them', () => {
  it('subset rule: a MEMBER cannot offer what it does not hold, and the refusal names it', () => {
    const result = offer('MEMBER', [INVITE], 'ENTERPRISE', 'ENTERPRISE', ['MANAGE_ENVIRONMENTS', INVITE, SIGNERS]);
    expect(result).toMatchObject({ ok: false, code: 'FORBIDDEN', notHeld: [SIGNERS, 'MANAGE_ENVIRONMENTS'] });
    expect(!result.ok && result.reason).toMatch(/CREATE_SIGNERS, MANAGE_ENVIRONMENTS/);
  });

  it('an ADMINISTRATOR holds all four, whatever its stored list says', () => {
    expect(offer('ADMINISTRATOR', [], 'ENTERPRISE', 'ENTERPRISE', matrix.permissions)).toEqual({
      ok: true,
      permissions: matrix.permissions,
    });
  });

  it('default: nothing named offers INVITE_ORGANIZATIONS if the inviter holds it, on any plan', () => {
    expect(offer('MEMBER', [INVITE, SIGNERS], 'STANDARD', 'STANDARD')).toEqual({ ok: true, permissions: [INVITE] });
    expect(offer('MEMBER', [SIGNERS], 'STANDARD', 'STANDARD', null)).toEqual({ ok: true, permissions: [] });
  });

  it('naming exactly the default set needs no ENTERPRISE plan', () => {
    expect(offer('MEMBER', [INVITE], 'STANDARD', 'STANDARD', [INVITE])).toEqual({ ok: true, permissions: [INVITE] });
  });

  it('any other set needs the inviting organization on ENTERPRISE', () => {
    const result = offer('ADMINISTRATOR', [], 'STANDARD', 'ENTERPRISE', ['MANAGE_ENVIRONMENTS']);
    expect(result).toMatchObject({ ok: false, code: 'FORBIDDEN', reason: expect.stringContaining('ENTERPRISE') });
  });

  it('[] is an explicit empty offer, not the default: it differs from the default when INVITE_ORGANIZATIONS is held', () => {
    expect(offer('MEMBER', [INVITE], 'STANDARD', 'STANDARD', [])).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(offer('MEMBER', [INVITE], 'ENTERPRISE', 'STANDARD', [])).toEqual({ ok: true, permissions: [] });
  });

  it('CREATE_SIGNERS to a STANDARD invitee is refused', () => {
    const result = offer('ADMINISTRATOR', [], 'ENTERPRISE', 'STANDARD', [SIGNERS]);
    expect(result).toMatchObject({ ok: false, code: 'BAD_USER_INPUT', reason: expect.stringContaining(SIGNERS) });
    expect(offer('ADMINISTRATOR', [], 'ENTERPRISE', 'ENTERPRISE', [SIGNERS])).toEqual({ ok: true, permissions: [SIGNERS] });
  });

  it('duplicates are removed and the result is sorted in the canonical order', () => {
    const requested = ['MULTIPLE_MEMBERSHIPS', INVITE, 'MULTIPLE_MEMBERSHIPS', SIGNERS];
    const copy = [...requested];
    expect(offer('ADMINISTRATOR', [], 'ENTERPRISE', 'ENTERPRISE', requested)).toEqual({
      ok: true,
      permissions: [SIGNERS, INVITE, 'MULTIPLE_MEMBERSHIPS'],
    });
    expect(requested).toEqual(copy);
  });

  it('an unknown permission name is bad input', () => {
    expect(offer('ADMINISTRATOR', [], 'ENTERPRISE', 'ENTERPRISE', ['DEPLOY_EVERYTHING'])).toMatchObject({
      ok: false,
      code: 'BAD_USER_INPUT',
    });
  });

  it('an additional membership: inviter = acting membership, both plans = the organization\'s own', () => {
    const own = 'STANDARD';
    expect(offer('MEMBER', ['MULTIPLE_MEMBERSHIPS', INVITE], own, own)).toEqual({ ok: true, permissions: [INVITE] });
    expect(offer('MEMBER', ['MULTIPLE_MEMBERSHIPS'], own, own, ['MULTIPLE_MEMBERSHIPS'])).toMatchObject({
      ok: false,
      code: 'FORBIDDEN',
    });
  });
});
