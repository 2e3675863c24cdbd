// §5: which Kaleido permissions an invitation may offer. Permissions are static once a membership
// exists, so this is the only place a membership's permission set is ever chosen.
import type { Missing } from './decision';
import { ALL_PERMISSIONS, ConsortiumRole, Permission, Plan, heldPermissions } from './roles';

export interface OfferInput {
  inviter: { role: ConsortiumRole; permissions: readonly Permission[] };
  inviterPlan: Plan;
  inviteePlan: Plan;
  /** null or absent: "names no permissions", i.e. the default set. [] is an explicit empty set. */
  requested?: readonly Permission[] | null;
}

// Codes: what the inviter lacks (permissions, plan) is FORBIDDEN, a denial like every other (its
// reason and what was missing, turned into the client's error by the one refusal path); an offer
// the invitee cannot receive whoever sends it (CREATE_SIGNERS to a STANDARD org, an unknown name)
// is BAD_USER_INPUT.
export type OfferResult =
  | { ok: true; permissions: Permission[] }
  | { ok: false; code: 'FORBIDDEN'; reason: string; missing: Missing; notHeld?: Permission[] }
  | { ok: false; code: 'BAD_USER_INPUT'; reason: string; notHeld?: undefined };

// Additional memberships (membership.create) go through the same function: pass the acting
// membership as `inviter` and the organization's own plan as both `inviterPlan` and
// `inviteePlan`, since the new seat belongs to the same organization. The default then gives the
// new seat INVITE_ORGANIZATIONS if the acting one holds it, exactly as an invitation would.
/** The permissions an offer grants under the subset, default and plan rules of §5, or why it is refused. */
export function resolveOffer(input: OfferInput): OfferResult {
  const held = new Set(heldPermissions(input.inviter));
  const defaultSet = held.has(Permission.INVITE_ORGANIZATIONS) ? [Permission.INVITE_ORGANIZATIONS] : [];
  if (input.requested === null || input.requested === undefined) return { ok: true, permissions: defaultSet };

  const unknown = input.requested.filter((p) => !ALL_PERMISSIONS.includes(p));
  if (unknown.length > 0) {
    return { ok: false, code: 'BAD_USER_INPUT', reason: `unknown permission ${[...new Set(unknown)].join(', ')}` };
  }
  const requested = canonical(input.requested);

  const notHeld = requested.filter((p) => !held.has(p));
  if (notHeld.length > 0) {
    return {
      ok: false,
      code: 'FORBIDDEN',
      reason: `the inviting membership can only offer permissions it holds, and does not hold ${notHeld.join(', ')}`,
      missing: { kind: 'permission', need: notHeld.join(', '), have: held.size > 0 ? ALL_PERMISSIONS.filter((p) => held.has(p)).join(', ') : 'none' },
      notHeld,
    };
  }

  if (!sameSet(requested, defaultSet) && input.inviterPlan !== Plan.ENTERPRISE) {
    return {
      ok: false,
      code: 'FORBIDDEN',
      reason:
        `offering ${describe(requested)} instead of the default (${describe(defaultSet)}) ` +
        `needs the inviting organization on plan ${Plan.ENTERPRISE} (it is ${input.inviterPlan})`,
      missing: { kind: 'plan', need: Plan.ENTERPRISE, have: input.inviterPlan },
    };
  }

  if (requested.includes(Permission.CREATE_SIGNERS) && input.inviteePlan !== Plan.ENTERPRISE) {
    return {
      ok: false,
      code: 'BAD_USER_INPUT',
      reason:
        `${Permission.CREATE_SIGNERS} can only be offered to an organization on plan ${Plan.ENTERPRISE} ` +
        `(the invitee is ${input.inviteePlan})`,
    };
  }

  return { ok: true, permissions: requested };
}

// Duplicates removed and sorted in ALL_PERMISSIONS order, so equal offers compare and store equal.
function canonical(list: readonly Permission[]): Permission[] {
  const wanted = new Set(list);
  return ALL_PERMISSIONS.filter((p) => wanted.has(p));
}

function sameSet(a: readonly Permission[], b: readonly Permission[]): boolean {
  return a.length === b.length && a.every((p) => b.includes(p));
}

function describe(list: readonly Permission[]): string {
  return list.length > 0 ? list.join(', ') : 'no permissions';
}
