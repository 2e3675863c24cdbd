// The grids of governance.md §2–4 and §8.2, as data, written once. Policy decisions, shield rules, the
// myPermissions query and docs/permissions.md are all derived from these tables; a change of
// rule is a change of one cell here.
import { AccountRole, EffectiveRole, NetworkRole, Permission } from './roles';

/** Account roles allowed to perform a Layer A (or towards-consortium) action. */
export type AccountRoleSet = ReadonlySet<AccountRole>;

/** What an action means, for documents and myPermissions-style listings. */
export interface ActionInfo {
  readonly description: string;
  readonly note?: string;
}

/** What a consortium MEMBER may do: always, never, with a Kaleido permission, or on its own resources. */
export type MemberRule = boolean | Permission | 'own';

/** A Layer C row (§4): all of consortium role, effective role and membership status must pass. */
export interface ConsortiumRule {
  readonly administrator: boolean;
  readonly member: MemberRule;
  readonly minRole: EffectiveRole;
  readonly frozenAllowed: boolean;
  readonly description: string;
}

const roles = (...list: AccountRole[]): ReadonlySet<AccountRole> => new Set(list);
const { OWNER, ADMIN, MEMBER, GUEST } = AccountRole;

// ---- Layer A: a user inside their own organization (§2) -------------------------------------

const organizationGrid = {
  'organization.view': roles(OWNER, ADMIN, MEMBER, GUEST),
  'organization.billing.view': roles(OWNER, ADMIN, MEMBER, GUEST),
  'organization.billing.update': roles(OWNER),
  'organization.rename': roles(OWNER, ADMIN),
  'organization.users.list': roles(OWNER, ADMIN, MEMBER),
  'organization.users.manage': roles(OWNER, ADMIN),
  'organization.licenses.manage': roles(OWNER, ADMIN),
  'organization.serviceAccounts.list': roles(OWNER, ADMIN),
  'organization.serviceAccounts.manage': roles(OWNER, ADMIN),
  'organization.consortia.list': roles(OWNER, ADMIN, MEMBER),
  'consortium.create': roles(OWNER, ADMIN),
} satisfies Record<string, AccountRoleSet>;

/** An action a user performs inside their own organization (Layer A). */
export type OrganizationAction = keyof typeof organizationGrid;
/** Layer A: action → set of account roles allowed. */
export const ORGANIZATION_GRID: Readonly<Record<OrganizationAction, AccountRoleSet>> = Object.freeze(organizationGrid);
/** Every Layer A action, in the spec's order. */
export const ORGANIZATION_ACTIONS = Object.freeze(Object.keys(organizationGrid)) as readonly OrganizationAction[];

/** What each Layer A action covers. */
export const ORGANIZATION_ACTION_INFO: Readonly<Record<OrganizationAction, ActionInfo>> = Object.freeze({
  'organization.view': { description: 'name, plan, notifications' },
  'organization.billing.view': { description: 'payment details' },
  'organization.billing.update': { description: 'card / billing contact' },
  'organization.rename': { description: 'rename the organization' },
  'organization.users.list': { description: 'the list of members' },
  'organization.users.manage': {
    description: "invite, remove, change a user's role",
    note: 'only an OWNER grants or takes away OWNER; the last OWNER cannot be removed or demoted',
  },
  'organization.licenses.manage': { description: 'purchase and release node licenses' },
  'organization.serviceAccounts.list': { description: "the organization's service accounts (machine identities of partner programs)" },
  'organization.serviceAccounts.manage': {
    description: 'register, suspend, reactivate and delete service accounts',
    note: "an account's role is no higher than the caller's own: an ADMIN cannot register an OWNER",
  },
  'organization.consortia.list': {
    description: 'every consortium the organization belongs to',
    // The denial is of the full list only: the service still shows a GUEST those consortia.
    note: 'a GUEST sees only the consortia where they hold a network role',
  },
  'consortium.create': { description: 'create a consortium' },
});

// ---- Towards a consortium, without a membership (end of §4) ---------------------------------

const towardsConsortiumGrid = {
  'invitation.respond': roles(OWNER, ADMIN),
  'application.submit': roles(OWNER, ADMIN),
} satisfies Record<string, AccountRoleSet>;

/** An action an organization takes towards a consortium it may not belong to yet. */
export type TowardsConsortiumAction = keyof typeof towardsConsortiumGrid;
/** Account roles allowed to act towards a consortium. */
export const TOWARDS_CONSORTIUM_GRID: Readonly<Record<TowardsConsortiumAction, AccountRoleSet>> =
  Object.freeze(towardsConsortiumGrid);
/** Every towards-consortium action. */
export const TOWARDS_CONSORTIUM_ACTIONS = Object.freeze(
  Object.keys(towardsConsortiumGrid),
) as readonly TowardsConsortiumAction[];

/** What each towards-consortium action covers. */
export const TOWARDS_CONSORTIUM_ACTION_INFO: Readonly<Record<TowardsConsortiumAction, ActionInfo>> = Object.freeze({
  'invitation.respond': { description: 'accept or decline an invitation addressed to the organization' },
  'application.submit': {
    description: 'apply to join a consortium',
    note: 'only with no current membership there, or one holding MULTIPLE_MEMBERSHIPS',
  },
});

// ---- Layer B: effective role = priority of network role over account role (§3) --------------

/** Row key for a user who holds no network role in the consortium. */
export const NO_NETWORK_ROLE = 'NONE';

const E = EffectiveRole;
/** Layer B: network role (or NONE) → account role → effective role; the higher wins, OPERATOR ranks with MEMBER. */
export const EFFECTIVE_ROLE_TABLE: Readonly<
  Record<NetworkRole | typeof NO_NETWORK_ROLE, Readonly<Record<AccountRole, EffectiveRole>>>
> = Object.freeze({
  [NetworkRole.OWNER]: { OWNER: E.OWNER, ADMIN: E.OWNER, MEMBER: E.OWNER, GUEST: E.OWNER },
  [NetworkRole.ADMIN]: { OWNER: E.OWNER, ADMIN: E.ADMIN, MEMBER: E.ADMIN, GUEST: E.ADMIN },
  [NetworkRole.OPERATOR]: { OWNER: E.OWNER, ADMIN: E.ADMIN, MEMBER: E.MEMBER, GUEST: E.MEMBER },
  [NetworkRole.GUEST]: { OWNER: E.OWNER, ADMIN: E.ADMIN, MEMBER: E.MEMBER, GUEST: E.GUEST },
  [NO_NETWORK_ROLE]: { OWNER: E.OWNER, ADMIN: E.ADMIN, MEMBER: E.MEMBER, GUEST: E.GUEST },
});

// ---- Layer C: an organization's membership in a consortium (§4) -----------------------------

const P = Permission;
const rule = (
  member: MemberRule,
  minRole: EffectiveRole,
  description: string,
  frozenAllowed = false,
): ConsortiumRule => ({ administrator: true, member, minRole, frozenAllowed, description });

const consortiumGrid = {
  'consortium.view': rule(true, E.GUEST, 'details, memberships with permissions and inviters, environments, audit log, voting policy and proposals', true),
  'consortium.update': rule(false, E.ADMIN, 'name, description'),
  'consortium.delete': rule(false, E.OWNER, 'delete the consortium'),
  'organization.invite': rule(P.INVITE_ORGANIZATIONS, E.OWNER, 'invite an organization'),
  'invitation.revoke': rule('own', E.OWNER, 'own invitations; an administrator may revoke any'),
  'application.decide': rule(false, E.OWNER, 'approve or reject a join application'),
  'membership.freeze': rule(false, E.OWNER, 'freeze a member organization: every membership it holds here (never an organization holding an administrator membership)'),
  'membership.unfreeze': rule(false, E.OWNER, 'unfreeze a member organization: every membership it holds here'),
  'membership.create': rule(P.MULTIPLE_MEMBERSHIPS, E.ADMIN, "an additional membership for one's own organization"),
  'membership.leave': rule(true, E.OWNER, 'leave the consortium (not the last administrator); a frozen organization may leave', true),
  // §8.3 and §8.1: removal and hand-over are the administrator's (effective OWNER) unless the
  // voting policy sends them to a proposal.
  'member.remove': rule(false, E.OWNER, "remove a member organization: all its memberships leave (never the administrator's own)"),
  'administration.transfer': rule(false, E.OWNER, 'hand the administrator role over to another ACTIVE membership'),
  'environment.create': rule(P.MANAGE_ENVIRONMENTS, E.ADMIN, 'create a blockchain'),
  'environment.update': rule(P.MANAGE_ENVIRONMENTS, E.ADMIN, 'configure, upgrade to a newer release'),
  'environment.delete': rule(false, E.OWNER, 'delete an environment'),
  'environment.view': rule(true, E.GUEST, 'details, configuration, nodes, connection profile', true),
  'node.create': rule(true, E.MEMBER, 'a non-signer node'),
  'node.createSigner': rule(P.CREATE_SIGNERS, E.ADMIN, 'a signer node'),
  'node.delete': rule('own', E.ADMIN, "own membership's nodes; an administrator may delete any"),
  'node.expand': rule('own', E.ADMIN, "give an own node a larger size (1, 2 or 4 licenses of the node's organization)"),
  'certificate.download': rule(true, E.MEMBER, 'download a certificate (frozen keeps it: read access)', true),
  'certificate.upload': rule(true, E.ADMIN, 'upload a certificate'),
  'certificate.reset': rule(true, E.ADMIN, 'reset a certificate'),
  'compilation.view': rule(true, E.GUEST, 'source, bytecode, ABI, status, promotions', true),
  'compilation.create': rule(true, E.ADMIN, 'create a contract'),
  'compilation.update': rule(true, E.ADMIN, 'edit or save a contract'),
  'compilation.draft': rule(true, E.MEMBER, 'compile a source without storing it (Cloud IDE): diagnostics, ABI preview'),
  'compilation.promote': rule(P.MANAGE_ENVIRONMENTS, E.ADMIN, 'promote a contract to an environment'),
  'chainAccount.view': rule(true, E.GUEST, 'accounts of an environment: address, public key, owner membership, status', true),
  'chainAccount.manage': rule('own', E.ADMIN, "create, rotate key, freeze, unfreeze own membership's accounts; an administrator may freeze any"),
  'proposal.create': rule(true, E.OWNER, 'propose a change to the vote of the member organizations; the proposer may withdraw it'),
  'proposal.vote': rule(true, E.OWNER, "cast the organization's vote on a proposal"),
  'votingPolicy.update': rule(false, E.OWNER, 'change the voting policy directly (while CHANGE_POLICY needs no vote)'),
} satisfies Record<string, ConsortiumRule>;

/** An action through a membership of a consortium (Layer C). */
export type ConsortiumAction = keyof typeof consortiumGrid;
/** Layer C: action → consortium role rule, minimum effective role, frozen allowance. */
export const CONSORTIUM_GRID: Readonly<Record<ConsortiumAction, ConsortiumRule>> = Object.freeze(consortiumGrid);
/** Every Layer C action, in the spec's order. */
export const CONSORTIUM_ACTIONS = Object.freeze(Object.keys(consortiumGrid)) as readonly ConsortiumAction[];

// ---- Decided by account role alone, through a membership (§8.2 note) ------------------------

/**
 * A consortium action that no network role grants: the user's account role decides, and the
 * acting membership must be ACTIVE (its organization not frozen) and allowed `membershipMay`
 * by its consortium role or permission. The effective role (Layer B) plays no part.
 */
export interface AccountRoleConsortiumRule {
  readonly accountRoles: AccountRoleSet;
  readonly membershipMay: ConsortiumAction;
  readonly description: string;
}

const accountRoleConsortiumGrid = {
  // G.U.: network OWNER "allows operations other than license purchase and security editing".
  'environment.security.update': {
    accountRoles: roles(OWNER, ADMIN),
    membershipMay: 'environment.update',
    description: "allow-list of client networks (CIDR) and TLS policy of an environment's node endpoints",
  },
} satisfies Record<string, AccountRoleConsortiumRule>;

/** A consortium action decided by account role alone (no network role grants it). */
export type AccountRoleConsortiumAction = keyof typeof accountRoleConsortiumGrid;
/** Account-role consortium actions: account roles allowed and the Layer C action the membership needs. */
export const ACCOUNT_ROLE_CONSORTIUM_GRID: Readonly<Record<AccountRoleConsortiumAction, AccountRoleConsortiumRule>> =
  Object.freeze(accountRoleConsortiumGrid);
/** Every account-role consortium action. */
export const ACCOUNT_ROLE_CONSORTIUM_ACTIONS = Object.freeze(
  Object.keys(accountRoleConsortiumGrid),
) as readonly AccountRoleConsortiumAction[];

/** Narrows a string (e.g. from a GraphQL argument) to a Layer A action. */
export function isOrganizationAction(value: string): value is OrganizationAction {
  return Object.prototype.hasOwnProperty.call(organizationGrid, value);
}

/** Narrows a string to a Layer C action. */
export function isConsortiumAction(value: string): value is ConsortiumAction {
  return Object.prototype.hasOwnProperty.call(consortiumGrid, value);
}

/** Narrows a string to an action decided by account role alone. */
export function isAccountRoleConsortiumAction(value: string): value is AccountRoleConsortiumAction {
  return Object.prototype.hasOwnProperty.call(accountRoleConsortiumGrid, value);
}
