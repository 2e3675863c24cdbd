import type { AccountRole, ConsortiumRole, EffectiveRole, MembershipStatus, Permission } from '../governance';

// What an authorized operation acts as. The shield rule of a field builds it once, from one
// decision of the policy core; resolvers hand it to their service, which never decides again.

/** A membership of the caller's organization, as the policy needs it. */
export interface MembershipView {
  id: string;
  consortiumId: string;
  organizationId: string;
  displayName: string;
  role: ConsortiumRole;
  status: MembershipStatus;
  permissions: Permission[];
}

/**
 * The signed-in user as authorization knows it: plain data read with the principal, never an ORM
 * entity (an entity would keep its entity manager alive for as long as the operation, which for a
 * subscription is as long as its socket). A resolver that needs the entity reads it from its em.
 */
export interface AuthUser {
  readonly id: string;
  /** The user's organization (null when it belongs to none yet). */
  readonly organizationId: string | null;
  /** The user's role in that organization (null without one). */
  readonly accountRole: AccountRole | null;
}

/** The caller as authorization knows it, from its row's values; an account role means nothing without an organization. */
export function authUser(id: string, organizationId: string | null | undefined, accountRole: AccountRole | null | undefined): AuthUser {
  const organization = organizationId ?? null;
  return Object.freeze({ id, organizationId: organization, accountRole: organization ? (accountRole ?? null) : null });
}

/** A signed-in caller, and the organization it acts for (null when it belongs to none yet). */
export interface Caller {
  user: AuthUser;
  organizationId: string | null;
  /** The user's role in that organization (null without one), for the integrity rules that depend on it. */
  accountRole: AccountRole | null;
}

/** A permitted consortium action: the membership it acts through; services record it on every event. */
export interface Acting {
  consortiumId: string;
  user: AuthUser;
  organizationId: string;
  membership: MembershipView;
  effectiveRole: EffectiveRole;
}
