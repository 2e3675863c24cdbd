// §8.1 visibility: who sees a consortium at all, and who sees whose network role changed. A
// refusal here is answered as NOT_FOUND by the caller: a consortium one may not see does not exist.
import { ALLOW, deny, type Decision } from './decision';
import { AccountRole, ConsortiumRole, MembershipStatus, NetworkRole } from './roles';

/** What decides whether a user sees a consortium. */
export interface VisibilityInput {
  /** The user's organization's memberships in the consortium (any status). */
  memberships: readonly { status: MembershipStatus }[];
  /** The user's account role in their organization; null when they belong to none. */
  accountRole: AccountRole | null;
  /** The user's network role in the consortium, or null. */
  networkRole: NetworkRole | null;
}

/**
 * §8.1: a user sees a consortium when their organization holds an ACTIVE or FROZEN membership
 * there and, for an account GUEST, when they also hold a network role there (G.U.: a guest sees
 * only the networks where it has a network role). Any network role counts, GUEST included.
 */
export function decideConsortiumVisibility(input: VisibilityInput): Decision {
  const current = input.memberships.some((m) => m.status === MembershipStatus.ACTIVE || m.status === MembershipStatus.FROZEN);
  if (!current || input.accountRole === null) {
    return deny('your organization holds no current membership in this consortium', { kind: 'membership', need: 'membership', have: 'none' });
  }
  if (input.accountRole === AccountRole.GUEST && input.networkRole === null) {
    return deny(`an account ${AccountRole.GUEST} sees only the consortia where they hold a network role`, {
      kind: 'accountRole',
      need: 'a network role in this consortium',
      have: AccountRole.GUEST,
    });
  }
  return ALLOW;
}

/** How much of a NETWORK_ROLE_* event a viewer may see. */
export enum NetworkRoleEventDetail {
  /** Whose role, which role: the whole event. */
  FULL = 'FULL',
  /** That a role changed in the consortium, not whose nor which. */
  REDACTED = 'REDACTED',
}

export interface NetworkRoleEventViewer {
  /** The viewer's organization. */
  organizationId: string;
  /** The viewer's organization's memberships in the consortium, for the administrator check. */
  memberships: readonly { role: ConsortiumRole; status: MembershipStatus }[];
}

/**
 * §8.1: a network-role event is shown whole to users of the organization whose user it concerns
 * and to the consortium's administrator memberships; other members see that a role changed, not
 * whose. (Whether the viewer sees the consortium's events at all is consortium.view's question.)
 */
export function networkRoleEventDetail(viewer: NetworkRoleEventViewer, subjectOrganizationId: string): NetworkRoleEventDetail {
  if (viewer.organizationId === subjectOrganizationId) return NetworkRoleEventDetail.FULL;
  // A frozen administrator keeps all read access (§8.1), so it keeps seeing whose role changed.
  const administrator = viewer.memberships.some(
    (m) => m.role === ConsortiumRole.ADMINISTRATOR && (m.status === MembershipStatus.ACTIVE || m.status === MembershipStatus.FROZEN),
  );
  return administrator ? NetworkRoleEventDetail.FULL : NetworkRoleEventDetail.REDACTED;
}
