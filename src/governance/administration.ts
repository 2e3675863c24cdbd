// §8.1 and §8.3: handing administration over, removing a member organization, and the end of
// network roles with the last membership. Each check runs after the grid's decision (or, for a
// proposal, at creation and again when it is carried out, where a refusal is ACTION_FAILED).
import { ALLOW, deny, type Decision } from './decision';
import { organizationFrozen } from './freeze';
import { ALL_PERMISSIONS, ConsortiumRole, MembershipStatus, type Permission } from './roles';

/** A membership as these rules need it. */
export interface SeatView {
  id: string;
  organizationId: string;
  role: ConsortiumRole;
  status: MembershipStatus;
}

const isCurrent = (m: { status: MembershipStatus }): boolean =>
  m.status === MembershipStatus.ACTIVE || m.status === MembershipStatus.FROZEN;

/**
 * §8.1: may `from` hand the ADMINISTRATOR role to `to` (after decideConsortium('administration.transfer'),
 * or when a TRANSFER_ADMINISTRATION proposal is carried out)? `from` must be an ACTIVE
 * ADMINISTRATOR; `to` another ACTIVE membership that is not one already, of an organization
 * that is not frozen (`toOrganizationMemberships`: all of that organization's memberships here).
 */
export function canTransferAdministration(input: {
  from: SeatView;
  to: SeatView;
  toOrganizationMemberships: readonly { status: MembershipStatus }[];
}): Decision {
  const { from, to } = input;
  if (from.role !== ConsortiumRole.ADMINISTRATOR || from.status !== MembershipStatus.ACTIVE) {
    return deny(`only an ACTIVE ${ConsortiumRole.ADMINISTRATOR} membership hands administration over`, {
      kind: 'consortiumRole',
      need: ConsortiumRole.ADMINISTRATOR,
      have: from.role,
    });
  }
  if (to.id === from.id) {
    return deny('administration goes to another membership, not to the one that holds it', {
      kind: 'integrity',
      need: 'another membership',
      have: 'the same membership',
    });
  }
  if (to.role === ConsortiumRole.ADMINISTRATOR) {
    return deny(`the receiving membership is an ${ConsortiumRole.ADMINISTRATOR} already`, {
      kind: 'integrity',
      need: ConsortiumRole.MEMBER,
      have: ConsortiumRole.ADMINISTRATOR,
    });
  }
  if (to.status !== MembershipStatus.ACTIVE || organizationFrozen(input.toOrganizationMemberships)) {
    const have = to.status === MembershipStatus.ACTIVE ? MembershipStatus.FROZEN : to.status;
    return deny(`administration goes only to an ACTIVE membership of an organization that is not frozen (the receiving one is ${have})`, {
      kind: 'integrity',
      need: MembershipStatus.ACTIVE,
      have,
    });
  }
  return ALLOW;
}

/** The roles and permissions after a hand-over: each membership's new values. */
export interface AdministrationTransfer {
  to: { id: string; role: ConsortiumRole.ADMINISTRATOR; permissions: Permission[] };
  from: { id: string; role: ConsortiumRole.MEMBER; permissions: Permission[] };
}

// An ADMINISTRATOR holds all four permissions in effect (§5), so "keeping its permissions" means
// the former administrator keeps all four as a MEMBER; they are written out, since a MEMBER's
// permissions are what its row says.
/** §8.1 effects: the receiver becomes ADMINISTRATOR holding all four; the former administrator a MEMBER keeping them. */
export function administrationTransfer(fromId: string, toId: string): AdministrationTransfer {
  return {
    to: { id: toId, role: ConsortiumRole.ADMINISTRATOR, permissions: [...ALL_PERMISSIONS] },
    from: { id: fromId, role: ConsortiumRole.MEMBER, permissions: [...ALL_PERMISSIONS] },
  };
}

/**
 * §8.3: may this organization be removed from the consortium (after decideConsortium('member.remove'),
 * or when a REMOVE_MEMBER proposal is carried out)? It must hold a current membership there, and
 * none of them ADMINISTRATOR: the administrator's own organization cannot be removed.
 */
export function canRemoveMember(targetMemberships: readonly SeatView[]): Decision {
  const current = targetMemberships.filter(isCurrent);
  if (current.length === 0) {
    return deny('the organization holds no current membership in this consortium', {
      kind: 'integrity',
      need: 'a current membership',
      have: 'none',
    });
  }
  if (current.some((m) => m.role === ConsortiumRole.ADMINISTRATOR)) {
    return deny(`an organization holding an ${ConsortiumRole.ADMINISTRATOR} membership cannot be removed`, {
      kind: 'integrity',
      need: `no ${ConsortiumRole.ADMINISTRATOR} membership`,
      have: ConsortiumRole.ADMINISTRATOR,
    });
  }
  return ALLOW;
}

/**
 * §8.3 removal: the memberships that become LEFT (every ACTIVE or FROZEN one). The service also
 * stops their nodes, revokes their open invitations, completes the organization's subscriptions
 * and ends its users' network roles (networkRolesEnd is then true).
 */
export function removalChanges(targetMemberships: readonly SeatView[]): string[] {
  return targetMemberships.filter(isCurrent).map((m) => m.id);
}

/**
 * §8.1: an organization's users keep network roles in a consortium only while it holds an ACTIVE
 * or FROZEN membership there. Given its memberships after a change (a leave, a removal), true
 * when the roles must be revoked now, one NETWORK_ROLE_REVOKED event each.
 */
export function networkRolesEnd(membershipsAfter: readonly { status: MembershipStatus }[]): boolean {
  return !membershipsAfter.some(isCurrent);
}
