import type { AccountRole, ConsortiumRole, EffectiveRole, MembershipStatus, Permission } from '../governance';
import type { User } from '../modules/user/user.entity';

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

/** A signed-in caller, and the organization it acts for (null when it belongs to none yet). */
export interface Caller {
  user: User;
  organizationId: string | null;
  /** The user's role in that organization (null without one), for the integrity rules that depend on it. */
  accountRole: AccountRole | null;
}

/** A permitted consortium action: the membership it acts through; services record it on every event. */
export interface Acting {
  consortiumId: string;
  user: User;
  organizationId: string;
  membership: MembershipView;
  effectiveRole: EffectiveRole;
}
