// §8.1 "Freeze is of an organization": an organization is frozen in a consortium when any of its
// memberships there is FROZEN, and then every membership it names acts as frozen. Freezing and
// unfreezing change all of its memberships there at once.
import { ALLOW, deny, type Decision } from './decision';
import { ConsortiumRole, MembershipStatus } from './roles';

/** True when any of the organization's memberships in the consortium is FROZEN (§8.1). */
export function organizationFrozen(memberships: readonly { status: MembershipStatus }[]): boolean {
  return memberships.some((m) => m.status === MembershipStatus.FROZEN);
}

/**
 * The status a membership acts with: an ACTIVE membership of a frozen organization acts as
 * FROZEN, so naming another membership never sidesteps a freeze.
 */
export function actingStatus(status: MembershipStatus, organizationIsFrozen: boolean): MembershipStatus {
  return status === MembershipStatus.ACTIVE && organizationIsFrozen ? MembershipStatus.FROZEN : status;
}

/**
 * §8.1: a change outside the consortium grid (granting a network role there) by an organization
 * frozen in the consortium is refused, whichever membership it would name.
 */
export function decideOrganizationUnfrozen(memberships: readonly { status: MembershipStatus }[]): Decision {
  if (!organizationFrozen(memberships)) return ALLOW;
  return deny('your organization is frozen in this consortium: it may only view, download its own certificates and leave', {
    kind: 'status',
    need: MembershipStatus.ACTIVE,
    have: MembershipStatus.FROZEN,
  });
}

/** A membership of the organization to be frozen or unfrozen. */
export interface FreezeTarget {
  id: string;
  role: ConsortiumRole;
  status: MembershipStatus;
}

const current = (m: FreezeTarget): boolean => m.status !== MembershipStatus.LEFT;

function noMembership(): Decision {
  return deny('the organization holds no membership in this consortium', { kind: 'membership', need: 'membership', have: 'none' });
}

/**
 * §8.1: may the organization be frozen (after decideConsortium('membership.freeze'))? It must
 * hold a current membership here, none of them ADMINISTRATOR, and one still ACTIVE.
 */
export function canFreezeOrganization(memberships: readonly FreezeTarget[]): Decision {
  const seats = memberships.filter(current);
  if (seats.length === 0) return noMembership();
  if (seats.some((m) => m.role === ConsortiumRole.ADMINISTRATOR)) {
    return deny(`an organization holding an ${ConsortiumRole.ADMINISTRATOR} membership cannot be frozen`, {
      kind: 'integrity',
      need: `no ${ConsortiumRole.ADMINISTRATOR} membership`,
      have: ConsortiumRole.ADMINISTRATOR,
    });
  }
  if (!seats.some((m) => m.status === MembershipStatus.ACTIVE)) {
    return deny('the organization is frozen already', { kind: 'integrity', need: MembershipStatus.ACTIVE, have: MembershipStatus.FROZEN });
  }
  return ALLOW;
}

/** §8.1: may the organization be unfrozen (after decideConsortium('membership.unfreeze'))? One of its memberships must be FROZEN. */
export function canUnfreezeOrganization(memberships: readonly FreezeTarget[]): Decision {
  const seats = memberships.filter(current);
  if (seats.length === 0) return noMembership();
  if (!organizationFrozen(seats)) {
    return deny('the organization is not frozen', { kind: 'integrity', need: MembershipStatus.FROZEN, have: MembershipStatus.ACTIVE });
  }
  return ALLOW;
}

/**
 * The memberships a freeze (ACTIVE → FROZEN) or an unfreeze (FROZEN → ACTIVE) changes, in the
 * order given; the service writes one MEMBER_FROZEN / MEMBER_UNFROZEN event for each.
 */
export function freezeChanges(memberships: readonly FreezeTarget[], freeze: boolean): string[] {
  const from = freeze ? MembershipStatus.ACTIVE : MembershipStatus.FROZEN;
  return memberships.filter((m) => m.status === from).map((m) => m.id);
}
