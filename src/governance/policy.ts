// Pure decisions over the grids of grid.ts: no I/O, no GraphQL, so the same answer serves the
// shield rules, the services' own checks and the myPermissions query. Deny by default: every
// function allows only on a path that the grid names.
import { ALLOW, decideByAccountRole, deny, type Decision } from './decision';
import { actingStatus, organizationFrozen } from './freeze';
import {
  ACCOUNT_ROLE_CONSORTIUM_ACTIONS,
  ACCOUNT_ROLE_CONSORTIUM_GRID,
  CONSORTIUM_ACTIONS,
  CONSORTIUM_GRID,
  EFFECTIVE_ROLE_TABLE,
  NO_NETWORK_ROLE,
  ORGANIZATION_GRID,
  TOWARDS_CONSORTIUM_GRID,
  type AccountRoleConsortiumAction,
  type ConsortiumAction,
  type ConsortiumRule,
  type OrganizationAction,
  type TowardsConsortiumAction,
} from './grid';
import {
  AccountRole,
  ConsortiumRole,
  EffectiveRole,
  MembershipStatus,
  NetworkRole,
  Permission,
  hasAtLeast,
  heldPermissions,
} from './roles';
import { decideDirectAction, type VotingPolicy } from './voting-policy';

// Offers (§5) and integrity rules live in their own files by responsibility; re-exported so that
// every decision can be imported from policy.ts as well as from the index.
export type { Decision, Denial, DenialKind, Missing } from './decision';
export * from './integrity';
export * from './offer';
export * from './freeze';
export * from './voting-policy';
export * from './proposal';

/** Layer B: the higher of account and network role; no account role counts as GUEST (§3). */
export function effectiveRole(account: AccountRole | null, network: NetworkRole | null): EffectiveRole {
  return EFFECTIVE_ROLE_TABLE[network ?? NO_NETWORK_ROLE][account ?? AccountRole.GUEST];
}

/** Layer A: may a user with this account role perform the action inside their own organization? */
export function decideOrganization(action: OrganizationAction, accountRole: AccountRole | null): Decision {
  return decideByAccountRole(ORGANIZATION_GRID[action], accountRole);
}

/** The organization's memberships in the target consortium, for application.submit. */
export interface TowardsConsortiumContext {
  memberships: readonly { role: ConsortiumRole; status: MembershipStatus; permissions: readonly Permission[] }[];
}

/** Acting towards a consortium without a membership; application.submit also checks existing seats when given. */
export function decideTowardsConsortium(
  action: TowardsConsortiumAction,
  accountRole: AccountRole | null,
  context?: TowardsConsortiumContext,
): Decision {
  const byRole = decideByAccountRole(TOWARDS_CONSORTIUM_GRID[action], accountRole);
  if (!byRole.allowed || action !== 'application.submit' || context === undefined) return byRole;
  return decideSeat(context.memberships);
}

/**
 * May an organization take one more seat in a consortium, given its memberships there (§4: no
 * current membership, or an ACTIVE one holding MULTIPLE_MEMBERSHIPS)? Checked on applying, on
 * inviting, accepting and approving.
 */
export function decideSeat(memberships: TowardsConsortiumContext['memberships']): Decision {
  // "No active membership" is read as no current one: a FROZEN seat counts, or an organization
  // could sidestep its freeze by applying again. The MULTIPLE_MEMBERSHIPS exception only comes
  // from an ACTIVE seat of an organization that is not frozen: §8.1 freezes the organization.
  const current = memberships.filter((m) => m.status !== MembershipStatus.LEFT);
  if (current.length === 0) return ALLOW;
  const mayAddSeat = current.some(
    (m) => m.status === MembershipStatus.ACTIVE && heldPermissions(m).includes(Permission.MULTIPLE_MEMBERSHIPS),
  );
  if (!mayAddSeat) {
    return deny(
      'your organization already holds a membership in this consortium, and none holds MULTIPLE_MEMBERSHIPS',
      { kind: 'membership', need: Permission.MULTIPLE_MEMBERSHIPS, have: 'existing membership' },
    );
  }
  if (organizationFrozen(current)) {
    return deny('your organization is frozen in this consortium: its MULTIPLE_MEMBERSHIPS seat cannot add another while it is', {
      kind: 'status',
      need: MembershipStatus.ACTIVE,
      have: MembershipStatus.FROZEN,
    });
  }
  return ALLOW;
}

/**
 * §6: accepting an invitation sent by an ADMINISTRATOR makes a membership at once; one sent by a
 * MEMBER becomes an application that an administrator approves (Alibaba: anyone may invite, only
 * the administrator approves).
 */
export function invitationNeedsApproval(inviterRole: ConsortiumRole): boolean {
  return inviterRole !== ConsortiumRole.ADMINISTRATOR;
}

/** Who acts on a consortium: the acting membership (if any) and the user's Layer B role there. */
export interface ConsortiumActor {
  membership: {
    id: string;
    role: ConsortiumRole;
    status: MembershipStatus;
    permissions: readonly Permission[];
  } | null;
  effectiveRole: EffectiveRole;
  /**
   * §8.1: the acting organization is frozen in this consortium (any of its memberships FROZEN,
   * see organizationFrozen), so whichever membership it names acts as FROZEN. Omitted: only the
   * acting membership's own status counts.
   */
  organizationFrozen?: boolean;
}

/** The resource an action touches, where ownership matters ('own' cells); omitted owner = "own resources". */
export interface ConsortiumScope {
  ownerMembershipId?: string;
  /** §8.3: the consortium's voting policy, where known; a direct action whose kind needs a vote is refused. */
  votingPolicy?: Pick<VotingPolicy, 'needsVote'>;
}

type ActingMembership = NonNullable<ConsortiumActor['membership']>;

function decideStatus(rule: ConsortiumRule, m: ActingMembership, organizationIsFrozen: boolean): Decision {
  const status = actingStatus(m.status, organizationIsFrozen);
  if (status === MembershipStatus.ACTIVE) return ALLOW;
  if (status === MembershipStatus.FROZEN) {
    if (rule.frozenAllowed) return ALLOW;
    const who = m.status === MembershipStatus.FROZEN ? 'this membership is frozen' : 'your organization is frozen in this consortium';
    return deny(`${who}: it may only view, download its own certificates and leave`, {
      kind: 'status',
      need: 'ACTIVE',
      have: MembershipStatus.FROZEN,
    });
  }
  return deny('this membership has left the consortium and may do nothing there', {
    kind: 'status',
    need: 'ACTIVE',
    have: String(m.status),
  });
}

function decideConsortiumRole(rule: ConsortiumRule, m: ActingMembership, scope: ConsortiumScope): Decision {
  const member = m.role === ConsortiumRole.ADMINISTRATOR ? rule.administrator : rule.member;
  if (member === true) return ALLOW;
  if (member === false) {
    return deny(`requires consortium role ${ConsortiumRole.ADMINISTRATOR} (this membership is ${m.role})`, {
      kind: 'consortiumRole',
      need: ConsortiumRole.ADMINISTRATOR,
      have: m.role,
    });
  }
  if (member === 'own') {
    // No owner given means "on the membership's own resources": that lets a field or a
    // myPermissions entry be listed before a specific resource is known. The service must pass
    // ownerMembershipId once it has loaded the resource.
    if (scope.ownerMembershipId === undefined || scope.ownerMembershipId === m.id) return ALLOW;
    return deny('a MEMBER may only act on its own membership\'s resources, and this one belongs to another', {
      kind: 'ownership',
      need: 'own resource',
      have: "another membership's resource",
    });
  }
  if (m.permissions.includes(member)) return ALLOW;
  return deny(`requires permission ${member}, which this membership does not hold`, {
    kind: 'permission',
    need: member,
    have: m.permissions.length > 0 ? [...m.permissions].join(', ') : 'none',
  });
}

/** Layer C: membership present, its status, its consortium role or permission, then the effective role (§4). */
export function decideConsortium(action: ConsortiumAction, actor: ConsortiumActor, scope: ConsortiumScope = {}): Decision {
  const rule = CONSORTIUM_GRID[action];
  const m = actor.membership;
  if (m === null) {
    return deny('your organization holds no membership in this consortium', { kind: 'membership', need: 'membership', have: 'none' });
  }
  const byStatus = decideStatus(rule, m, actor.organizationFrozen ?? false);
  if (!byStatus.allowed) return byStatus;
  const byRole = decideConsortiumRole(rule, m, scope);
  if (!byRole.allowed) return byRole;
  if (hasAtLeast(actor.effectiveRole, rule.minRole)) {
    // Last, so that a caller who may not act at all is told so, and only one who could is sent to a vote.
    return scope.votingPolicy ? decideDirectAction(action, scope.votingPolicy) : ALLOW;
  }
  const orHigher = rule.minRole === EffectiveRole.OWNER ? '' : ' or higher';
  return deny(`requires effective role ${rule.minRole}${orHigher} (you are ${actor.effectiveRole})`, {
    kind: 'effectiveRole',
    need: rule.minRole,
    have: actor.effectiveRole,
  });
}

export interface ConsortiumExplanation {
  action: ConsortiumAction;
  description: string;
  decision: Decision;
}

/** Every Layer C action with its decision, in grid order, for a myPermissions-style query. */
export function explainConsortium(actor: ConsortiumActor, scope?: ConsortiumScope): ConsortiumExplanation[] {
  return CONSORTIUM_ACTIONS.map((action) => ({
    action,
    description: CONSORTIUM_GRID[action].description,
    decision: decideConsortium(action, actor, scope),
  }));
}

/** Who acts on an action decided by account role alone: no effective role, the account role itself. */
export interface AccountRoleConsortiumActor {
  membership: ConsortiumActor['membership'];
  accountRole: AccountRole | null;
  organizationFrozen?: boolean;
}

/**
 * §8.2 note (security editing): decided by account role alone. The acting membership must be
 * ACTIVE (its organization not frozen) and allowed the rule's Layer C action by consortium role or
 * permission; then the account role must be in the rule's set. No network role grants it.
 */
export function decideAccountRoleConsortium(
  action: AccountRoleConsortiumAction,
  actor: AccountRoleConsortiumActor,
  scope: ConsortiumScope = {},
): Decision {
  const rule = ACCOUNT_ROLE_CONSORTIUM_GRID[action];
  const m = actor.membership;
  if (m === null) {
    return deny('your organization holds no membership in this consortium', { kind: 'membership', need: 'membership', have: 'none' });
  }
  const layerC = CONSORTIUM_GRID[rule.membershipMay];
  // The Layer C row's frozen allowance is not inherited: this action changes things, so only ACTIVE passes.
  const byStatus = decideStatus({ ...layerC, frozenAllowed: false }, m, actor.organizationFrozen ?? false);
  if (!byStatus.allowed) return byStatus;
  const byRole = decideConsortiumRole(layerC, m, scope);
  if (!byRole.allowed) return byRole;
  return decideByAccountRole(rule.accountRoles, actor.accountRole);
}

export interface AccountRoleConsortiumExplanation {
  action: AccountRoleConsortiumAction;
  description: string;
  decision: Decision;
}

/** Every account-role consortium action with its decision, for a myPermissions-style query. */
export function explainAccountRoleConsortium(
  actor: AccountRoleConsortiumActor,
  scope?: ConsortiumScope,
): AccountRoleConsortiumExplanation[] {
  return ACCOUNT_ROLE_CONSORTIUM_ACTIONS.map((action) => ({
    action,
    description: ACCOUNT_ROLE_CONSORTIUM_GRID[action].description,
    decision: decideAccountRoleConsortium(action, actor, scope),
  }));
}
