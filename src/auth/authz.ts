import DataLoader from 'dataloader';
import type { SqlReader } from '../db/reader';
import { parseTextArray } from '../db/text-array';
import { badInput, forbidden, notFound, refusal, unauthenticated } from '../errors';
import {
  AccountRole,
  CONSORTIUM_GRID,
  ConsortiumRole,
  ACCOUNT_ROLE_CONSORTIUM_GRID,
  decideAccountRoleConsortium,
  decideConsortium,
  decideOrganization,
  decideConsortiumVisibility,
  decideOrganizationUnfrozen,
  decideTowardsConsortium,
  effectiveRole,
  organizationFrozen,
  type AccountRoleConsortiumAction,
  type EffectiveRole,
  MembershipStatus,
  NetworkRole,
  Permission,
  type ConsortiumAction,
  type ConsortiumActor,
  type Decision,
  type OrganizationAction,
  type TowardsConsortiumAction,
  type ProposalKind,
  proposalKindOf,
} from '../governance';
import type { User } from '../modules/user/user.entity';
import { authUser, type Acting, type AuthUser, type Caller, type MembershipView } from './acting';

export type { Acting, AuthUser, Caller, MembershipView } from './acting';

export interface ConsortiumScopeInput {
  /** The membership the caller names to act through. */
  membershipId?: string | null;
  /** The owning membership of the resource, for the grid's "own only" cells. */
  ownerMembershipId?: string;
  /** What the caller asked for: NOT_FOUND names it, never the consortium it belongs to (§8.1). */
  subject?: { type: string; id: string };
}

/**
 * The decisions the gateway asks of the policy core. The composition root injects the real one
 * (GOVERNANCE); a benchmark may inject PERMIT_ALL to measure what authorization costs.
 */
export interface PolicyCore {
  decideOrganization: typeof decideOrganization;
  decideConsortium: typeof decideConsortium;
  decideTowardsConsortium: typeof decideTowardsConsortium;
  decideOrganizationUnfrozen: typeof decideOrganizationUnfrozen;
  decideAccountRoleConsortium: typeof decideAccountRoleConsortium;
}

/** The policy of the spec: the grids of src/governance. */
export const GOVERNANCE: PolicyCore = {
  decideOrganization,
  decideConsortium,
  decideTowardsConsortium,
  decideOrganizationUnfrozen,
  decideAccountRoleConsortium,
};

/** A membership row of the caller's organization, as the rights statement returns it. */
export interface MembershipRow {
  id: string;
  consortium_id: string;
  display_name: string;
  role: string;
  status: string;
  permissions: string[] | string;
  /** The consortium's voting policy (§8.3): the proposal kinds decided by vote; null without a policy. */
  needs_vote: string[] | string | null;
}

/** The caller's rights as read from the database: the organization's memberships, the user's network roles. */
export interface PreloadedRights {
  memberships: MembershipRow[];
  networkRoles: { consortium_id: string; role: string }[];
}

/** The rights the principal statement read with the user: a list longer than PRELOADED_RIGHTS is null. */
export interface PrincipalRights {
  memberships: MembershipRow[] | null;
  networkRoles: PreloadedRights['networkRoles'] | null;
  /**
   * Set when the statement read the rights in this one consortium only (RIGHTS_IN_ONE_CONSORTIUM):
   * the lists hold nothing of any other, and `needsVote` is this consortium's voting policy.
   */
  consortiumId?: string;
  needsVote?: string[] | string | null;
}

/**
 * How many memberships, and how many network roles, the principal statement reads with the user
 * at most. An organization in more consortia than this has its rights read per consortium a
 * request decides about (Authz.in), so that a request's cost does not grow with the number of
 * consortia its caller belongs to; the lists that need them all (the caller's consortia) read
 * them all, as before.
 */
export const PRELOADED_RIGHTS = 64;

/**
 * The caller's rights as two JSON columns, `memberships` and `network_roles`, for a select list:
 * every membership of the organization in a consortium that is not deleted (oldest first), each
 * with its consortium's voting policy (the kinds it decides by vote), and the user's network
 * roles. The principal statement reads them with the user; Authz alone after a change.
 * `consortia` (an SQL array) narrows both to those consortia; with `limit`, a list longer than
 * that is null instead.
 */
export function rightsColumns(organizationId: string, userId: string, opts: { consortia?: string; limit?: number } = {}): string {
  const inConsortia = (column: string) => (opts.consortia ? ` and ${column} = any(${opts.consortia})` : '');
  const memberships = `from membership m join consortium c on c.id = m.consortium_id
                 left join voting_policy vp on vp.consortium_id = m.consortium_id
           where m.organization_id = ${organizationId} and c.deleted_at is null${inConsortia('m.consortium_id')}`;
  const networkRoles = `from network_role nr where nr.user_id = ${userId}${inConsortia('nr.consortium_id')}`;
  // At most `limit` of each: the list is built only when it has no row past the limit, else
  // null (a subquery in a branch not taken is not run). The test walks the index on the parent
  // and stops there; it counts memberships in deleted consortia too, which can only send an
  // organization near the limit to the per-consortium reads, never give wrong rights.
  const atMost = (from: string, list: string) => (opts.limit ? `case when not exists (select 1 ${from} offset ${opts.limit}) then ${list} end` : list);
  return `${atMost(
    `from membership m where m.organization_id = ${organizationId}`,
    `(select coalesce(json_agg(json_build_object('id', m.id, 'consortium_id', m.consortium_id,
                   'display_name', m.display_name, 'role', m.role, 'status', m.status, 'permissions', m.permissions,
                   'needs_vote', vp.needs_vote)
                   order by m.created_at), '[]'::json)
            ${memberships})`,
  )} as memberships,
         ${atMost(networkRoles, `(select coalesce(json_agg(json_build_object('consortium_id', nr.consortium_id, 'role', nr.role)), '[]'::json) ${networkRoles})`)} as network_roles`;
}

const RIGHTS = `select ${rightsColumns('$1::uuid', '$2::uuid')}`;

/** The rights in some consortia (`$3`), with the voting policy of each, members or not. */
const RIGHTS_IN = `select ${rightsColumns('$1::uuid', '$2::uuid', { consortia: '$3::uuid[]' })},
         (select coalesce(json_agg(json_build_object('consortium_id', vp.consortium_id, 'needs_vote', vp.needs_vote)), '[]'::json)
            from voting_policy vp where vp.consortium_id = any($3::uuid[])) as policies`;

/**
 * When the caller's rights are read. The composition root injects the real one (WITH_PRINCIPAL:
 * in the principal's own statement, since nearly every request decides something); the pipeline
 * leaves them out for an operation that did not ask for them the last time it ran, and a test
 * may read them only when first needed. Either way the rights are the database's, never invented.
 */
export interface RightsSource {
  /** The rights columns the principal statement selects with the user, or null to read them when first needed. */
  principalColumns(organizationId: string, userId: string): string | null;
  /** Whether those columns read the rights in one consortium only, its id the statement's `$2`. */
  readonly oneConsortium?: boolean;
  /**
   * The source the pipeline takes instead for an operation that, the last time it ran, asked
   * about one consortium only, named by one of its variables: the same statement, narrowed to it.
   */
  readonly inOneConsortium?: RightsSource;
}

/**
 * The rights in one consortium (`$2`) only, with its voting policy, read with the principal: what
 * an operation about one consortium decides with, whatever the number of consortia the caller's
 * organization is in. A decision about any other consortium reads the rights there (Authz.in).
 */
export const RIGHTS_IN_ONE_CONSORTIUM: RightsSource = {
  oneConsortium: true,
  principalColumns: (organizationId, userId) =>
    `${rightsColumns(organizationId, userId, { consortia: 'array[$2::uuid]' })},
         (select vp.needs_vote from voting_policy vp where vp.consortium_id = $2::uuid) as needs_vote`,
};

/** The rights read with the principal, in the same statement (at most PRELOADED_RIGHTS of each). */
export const RIGHTS_WITH_PRINCIPAL: RightsSource = {
  principalColumns: (organizationId, userId) => rightsColumns(organizationId, userId, { limit: PRELOADED_RIGHTS }),
  inOneConsortium: RIGHTS_IN_ONE_CONSORTIUM,
};

/** No rights columns in the principal statement: Authz reads them at the first decision that needs them. */
export const RIGHTS_WHEN_NEEDED: RightsSource = { principalColumns: () => null };

interface Rights {
  memberships: MembershipView[];
  networkRoles: Map<string, NetworkRole>;
  /** The voting policy of each consortium the organization holds a membership in. */
  needsVote: Map<string, ProposalKind[]>;
}

/** The caller's rights in one consortium. */
interface RightsInConsortium {
  memberships: MembershipView[];
  networkRole: NetworkRole | null;
  /** Its voting policy, when read with the rights (undefined: ask for it). */
  needsVote: ProposalKind[] | undefined;
}

/** The rights in one consortium, out of rights read for it (and perhaps others). */
function narrow(rights: Rights, consortiumId: string): RightsInConsortium {
  return {
    memberships: rights.memberships.filter((m) => m.consortiumId === consortiumId),
    networkRole: rights.networkRoles.get(consortiumId) ?? null,
    needsVote: rights.needsVote.get(consortiumId),
  };
}

/**
 * The Authz of each operation, as the composition root chooses it: Authz itself, or a benchmark
 * twin's subclass (bench/permit-all.ts). Nothing in src/ defines another.
 */
export type AuthzClass = new (...args: ConstructorParameters<typeof Authz>) => Authz;

/**
 * The caller's rights for one request or one subscription event batch. Roles are read from the
 * database (once, then cached here), never from the token, so a change applies on the next request.
 */
export class Authz {
  private rightsP?: Promise<Rights>;
  /**
   * The organization holds more memberships (or the user more network roles) than the principal
   * statement reads: rights in one consortium are read for that consortium (see `in`).
   */
  private large = false;
  private scoped?: DataLoader<string, RightsInConsortium>;
  /** The signed-in user (plain data, see AuthUser), or null. */
  readonly user: AuthUser | null;
  /** Whether anything asked for all of the rights (the caller's memberships or network roles everywhere). */
  allRightsAsked = false;
  /** The consortia whose rights were asked for one by one (decisions, visibility, voting policies). */
  readonly consortiaAsked = new Set<string>();
  /**
   * Consortium actions decided in this operation, by action, consortium, named membership and
   * owner: a list decides the same action on each of its rows (`Membership.invitedBy` on every
   * membership of a page), on rights that do not change until `forget`. Every field still asks;
   * the answer is worked out once.
   */
  private decided = new Map<string, Promise<ConsortiumOutcome>>();

  constructor(
    private readonly reader: SqlReader,
    user: User | AuthUser | null,
    /** The rights read together with the user (see loadPrincipal), saving a statement. */
    rights: PrincipalRights | null = null,
    private readonly policy: PolicyCore = GOVERNANCE,
  ) {
    this.user = user ? plainUser(user) : null;
    if (rights?.consortiumId !== undefined && rights.memberships && rights.networkRoles) {
      // The rights in one consortium only: that one is known, any other is read when asked about.
      this.large = true;
      const one = this.toRights({ memberships: rights.memberships, networkRoles: rights.networkRoles });
      one.needsVote.set(rights.consortiumId, rights.needsVote == null ? [] : (parseTextArray(rights.needsVote) as ProposalKind[]));
      this.scopedLoader().prime(rights.consortiumId, narrow(one, rights.consortiumId));
    } else if (rights?.memberships && rights.networkRoles) {
      this.rightsP = Promise.resolve(this.toRights({ memberships: rights.memberships, networkRoles: rights.networkRoles }));
    } else if (rights) {
      // A list left out of the principal statement (longer than PRELOADED_RIGHTS) is null.
      this.large = true;
    }
  }

  /** Whether anything asked for the rights (a decision, a visibility check, a voting policy). */
  get rightsAsked(): boolean {
    return this.allRightsAsked || this.consortiaAsked.size > 0;
  }

  get organizationId(): string | null {
    return this.user?.organizationId ?? null;
  }

  get accountRole(): AccountRole | null {
    return this.user?.accountRole ?? null;
  }

  /**
   * The same caller after its user row changed in this operation (it founded an organization):
   * the rest of the operation is decided as the user is now. The rights read so far are kept.
   */
  withUser(user: User): Authz {
    // The same kind of Authz (a benchmark twin's subclass stays one).
    const next = new (this.constructor as AuthzClass)(this.reader, user, null, this.policy);
    next.rightsP = this.rightsP;
    next.large = this.large;
    return next;
  }

  /** The signed-in user, or UNAUTHENTICATED. */
  requireUser(): AuthUser {
    if (!this.user) throw unauthenticated();
    return this.user;
  }

  /** The signed-in user's organization id, or FORBIDDEN when the user belongs to none yet. */
  requireOrganizationId(): string {
    const id = this.requireUser().organizationId;
    if (!id) throw forbidden('You belong to no organization yet: create one or accept an invitation by email');
    return id;
  }

  /** The signed-in caller and its organization (null when it belongs to none yet), or UNAUTHENTICATED. */
  caller(): Caller {
    return { user: this.requireUser(), organizationId: this.organizationId, accountRole: this.accountRole };
  }

  /** Layer A: an action inside the caller's own organization; another organization is NOT_FOUND. */
  decideOrganization(action: OrganizationAction, organizationId?: string): Decision {
    this.requireUser();
    if (organizationId !== undefined && organizationId !== this.organizationId) {
      throw notFound('Organization', organizationId);
    }
    return this.policy.decideOrganization(action, this.accountRole);
  }

  /** Layer A, throwing the refusal when denied; the caller otherwise. */
  requireOrganization(action: OrganizationAction, organizationId?: string): Caller {
    const decision = this.decideOrganization(action, organizationId);
    if (!decision.allowed) throw refusal(action, decision);
    return this.caller();
  }

  /** Actions towards a consortium without a membership (respond to an invitation, apply). */
  async requireTowards(action: TowardsConsortiumAction, consortiumId?: string): Promise<Caller & { organizationId: string }> {
    const organizationId = this.requireOrganizationId();
    const memberships = consortiumId ? (await this.in(consortiumId)).memberships : undefined;
    const decision = this.policy.decideTowardsConsortium(action, this.accountRole, memberships ? { memberships } : undefined);
    if (!decision.allowed) throw refusal(action, decision);
    return { ...this.caller(), organizationId };
  }

  /** Whether the caller's account role allows an action towards consortia (no membership read). */
  mayActTowards(action: TowardsConsortiumAction): boolean {
    return this.policy.decideTowardsConsortium(action, this.accountRole).allowed;
  }

  /** Drops what was read, so that the next decision reads the rights as they are now. */
  forget(): void {
    this.rightsP = undefined;
    this.scoped = undefined;
    this.decided.clear();
  }

  /** Every membership of the caller's organization in a consortium that is not deleted. */
  async memberships(): Promise<MembershipView[]> {
    return (await this.rights()).memberships;
  }

  /** The caller's network roles by consortium id. */
  async networkRoles(): Promise<Map<string, NetworkRole>> {
    return (await this.rights()).networkRoles;
  }

  /** The memberships of the caller's organization in one consortium. */
  async membershipsIn(consortiumId: string): Promise<MembershipView[]> {
    return (await this.in(consortiumId)).memberships;
  }

  /** All of the caller's rights, asked for as such. */
  private rights(): Promise<Rights> {
    this.allRightsAsked = true;
    return this.allRights();
  }

  private allRights(): Promise<Rights> {
    this.rightsP ??= this.loadRights();
    return this.rightsP;
  }

  /**
   * The caller's rights in one consortium: out of all its rights when those are read (or
   * small enough to be), else read for every consortium asked about in this tick, in one statement.
   */
  private async in(consortiumId: string): Promise<RightsInConsortium> {
    this.consortiaAsked.add(consortiumId);
    if (!this.large || this.rightsP) return narrow(await this.allRights(), consortiumId);
    return this.scopedLoader().load(consortiumId);
  }

  private scopedLoader(): DataLoader<string, RightsInConsortium> {
    this.scoped ??= new DataLoader(async (ids) => {
      const rights = await this.loadRightsIn(ids);
      return ids.map((id) => narrow(rights, id));
    });
    return this.scoped;
  }

  /**
   * Consortium ids the caller may see (§8.1): where its organization holds an ACTIVE or FROZEN
   * membership, and, for an account GUEST, where the user also holds a network role.
   */
  async visibleConsortiumIds(): Promise<string[]> {
    const ids = new Set((await this.memberships()).map((m) => m.consortiumId));
    const result: string[] = [];
    for (const id of ids) if (await this.mayView(id)) result.push(id);
    return result;
  }

  /**
   * Consortia the caller may list: the visible ones; without organization.consortia.list (a
   * GUEST) only those where the user holds a network role — the grid's N denies the full list.
   */
  async listableConsortiumIds(): Promise<string[]> {
    const ids = await this.visibleConsortiumIds();
    if (this.policy.decideOrganization('organization.consortia.list', this.accountRole).allowed) return ids;
    const roles = await this.networkRoles();
    return ids.filter((id) => roles.has(id));
  }

  /** Throws NOT_FOUND unless the caller may see the consortium at all. */
  async requireVisible(consortiumId: string): Promise<void> {
    this.requireUser();
    if (!(await this.mayView(consortiumId))) throw notFound('Consortium', consortiumId);
  }

  /** The user's Layer B role in a consortium. */
  async effectiveRoleIn(consortiumId: string): Promise<EffectiveRole> {
    return effectiveRole(this.accountRole, (await this.in(consortiumId)).networkRole);
  }

  /** Whether the caller sees the consortium at all (§8.1 visibility); one it may not see does not exist for it. */
  async mayView(consortiumId: string): Promise<boolean> {
    const { memberships, networkRole } = await this.in(consortiumId);
    return decideConsortiumVisibility({ memberships, accountRole: this.accountRole, networkRole }).allowed;
  }

  /**
   * §8.1: the refusal of a change in a consortium where the caller's organization is frozen, for
   * actions outside the consortium grid (granting network roles); nothing when it is not frozen.
   */
  async requireUnfrozen(action: string, consortiumId: string): Promise<void> {
    const { memberships } = await this.in(consortiumId);
    const decision = this.policy.decideOrganizationUnfrozen(memberships);
    if (!decision.allowed) throw refusal(action, decision);
  }

  /**
   * The actor of a consortium action: the acting membership and the effective role. A consortium
   * the caller may not view is NOT_FOUND naming `subject` (what was asked for), never the consortium.
   */
  async actor(
    action: ConsortiumAction,
    consortiumId: string,
    membershipId?: string | null,
    subject: { type: string; id: string } = { type: 'Consortium', id: consortiumId },
  ): Promise<ConsortiumActor & { membership: MembershipView }> {
    if (!(await this.mayView(consortiumId))) throw notFound(subject.type, subject.id);
    return this.actorSeen(action, consortiumId, membershipId);
  }

  /** The actor in a consortium the caller was found to see. */
  private async actorSeen(action: ConsortiumAction, consortiumId: string, membershipId?: string | null): Promise<ConsortiumActor & { membership: MembershipView }> {
    const { memberships: all } = await this.in(consortiumId);
    return {
      membership: pickMembership(action, all, membershipId),
      effectiveRole: await this.effectiveRoleIn(consortiumId),
      // §8.1: whichever membership the organization names, it acts as frozen while any is.
      organizationFrozen: organizationFrozen(all),
    };
  }

  /**
   * Layer C decision without throwing on a denial (an invitation's audience asks whether the
   * caller may view its consortium); NOT_FOUND naming `scope.subject` when it may not see it.
   */
  async decideConsortium(action: ConsortiumAction, consortiumId: string, scope: ConsortiumScopeInput = {}): Promise<Decision> {
    const outcome = await this.consortiumOutcome(action, consortiumId, scope);
    if (!outcome.visible) throw notFound(scope.subject?.type ?? 'Consortium', scope.subject?.id ?? consortiumId);
    return outcome.decision;
  }

  /**
   * §8.3: the kinds of change a consortium decides by vote (its voting policy; none without one).
   * Read for the actions a proposal kind stands for, so their direct route is refused.
   */
  async needsVote(consortiumId: string): Promise<ProposalKind[]> {
    // Read with the rights for every consortium the organization is a member of (no statement
    // of its own); any other consortium is asked directly.
    const known = (await this.in(consortiumId)).needsVote;
    if (known) return known;
    const [row] = await this.reader.rows<{ needs_vote: string[] | string }>(
      'select needs_vote from voting_policy where consortium_id = $1::uuid',
      [consortiumId],
    );
    return row ? (parseTextArray(row.needs_vote) as ProposalKind[]) : [];
  }

  private async votingScope(action: ConsortiumAction, consortiumId: string): Promise<{ votingPolicy?: { needsVote: ProposalKind[] } }> {
    return proposalKindOf(action) ? { votingPolicy: { needsVote: await this.needsVote(consortiumId) } } : {};
  }

  /**
   * Layer C: NOT_FOUND when the consortium is invisible to the caller, the refusal when the grid
   * denies; otherwise what the action acts through.
   */
  async requireConsortium(action: ConsortiumAction, consortiumId: string, scope: ConsortiumScopeInput = {}): Promise<Acting> {
    const user = this.requireUser();
    const organizationId = this.organizationId;
    const subject = scope.subject ?? { type: 'Consortium', id: consortiumId };
    if (!organizationId) throw notFound(subject.type, subject.id);
    // Each refusal is made for its field: NOT_FOUND names what that field asked for.
    const outcome = await this.consortiumOutcome(action, consortiumId, scope);
    if (!outcome.visible) throw notFound(subject.type, subject.id);
    if (!outcome.decision.allowed) throw refusal(action, outcome.decision);
    return { consortiumId, user, organizationId, membership: outcome.actor.membership, effectiveRole: outcome.actor.effectiveRole };
  }

  /**
   * The policy core's decision of a consortium action, worked out once per operation for every
   * field that asks it (see `decided`). A wrongly named membership, or none to pick, is kept like
   * a decision: the same key gives the same error, which each field reports at its own path.
   */
  private consortiumOutcome(action: ConsortiumAction, consortiumId: string, scope: ConsortiumScopeInput): Promise<ConsortiumOutcome> {
    const key = `${action}\n${consortiumId}\n${scope.membershipId ?? ''}\n${scope.ownerMembershipId ?? ''}`;
    let decided = this.decided.get(key);
    if (!decided) this.decided.set(key, (decided = this.decideOnce(action, consortiumId, scope)));
    return decided;
  }

  private async decideOnce(action: ConsortiumAction, consortiumId: string, scope: ConsortiumScopeInput): Promise<ConsortiumOutcome> {
    if (!(await this.mayView(consortiumId))) return { visible: false };
    const actor = await this.actorSeen(action, consortiumId, scope.membershipId);
    const decision = this.policy.decideConsortium(action, actor, { ownerMembershipId: scope.ownerMembershipId, ...(await this.votingScope(action, consortiumId)) });
    return { visible: true, actor, decision };
  }

  /**
   * §8.2 note: an action no network role grants (security editing), decided by the account role
   * and the acting membership alone. NOT_FOUND like requireConsortium when the consortium is
   * invisible; the refusal when the rule denies.
   */
  async requireAccountRoleConsortium(action: AccountRoleConsortiumAction, consortiumId: string, scope: ConsortiumScopeInput = {}): Promise<Acting> {
    const user = this.requireUser();
    const organizationId = this.organizationId;
    const subject = scope.subject ?? { type: 'Consortium', id: consortiumId };
    if (!organizationId) throw notFound(subject.type, subject.id);
    const { memberships: all } = await this.in(consortiumId);
    // §8.1 visibility as for every consortium action: an account GUEST without a network role
    // there does not see the consortium, so it is told NOT_FOUND, not which role it lacks.
    if (!(await this.mayView(consortiumId))) throw notFound(subject.type, subject.id);
    const membership = pickMembership(ACCOUNT_ROLE_CONSORTIUM_GRID[action].membershipMay, all, scope.membershipId);
    const decision = this.policy.decideAccountRoleConsortium(
      action,
      { membership, accountRole: this.accountRole, organizationFrozen: organizationFrozen(all) },
      { ownerMembershipId: scope.ownerMembershipId },
    );
    if (!decision.allowed) throw refusal(action, decision);
    return { consortiumId, user, organizationId, membership, effectiveRole: await this.effectiveRoleIn(consortiumId) };
  }

  private async loadRights(): Promise<Rights> {
    if (!this.user) return { memberships: [], networkRoles: new Map(), needsVote: new Map() };
    const [row] = await this.reader.rows<{ memberships: MembershipRow[]; network_roles: PreloadedRights['networkRoles'] }>(RIGHTS, [
      this.organizationId,
      this.user.id,
    ]);
    return this.toRights({ memberships: row.memberships, networkRoles: row.network_roles });
  }

  /** The rights in some consortia only, with the voting policy of each (none: no policy). */
  private async loadRightsIn(consortiumIds: readonly string[]): Promise<Rights> {
    if (!this.user) return { memberships: [], networkRoles: new Map(), needsVote: new Map() };
    const [row] = await this.reader.rows<{
      memberships: MembershipRow[];
      network_roles: PreloadedRights['networkRoles'];
      policies: { consortium_id: string; needs_vote: string[] | string }[];
    }>(RIGHTS_IN, [this.organizationId, this.user.id, [...consortiumIds]]);
    const rights = this.toRights({ memberships: row.memberships, networkRoles: row.network_roles });
    for (const id of consortiumIds) rights.needsVote.set(id, []);
    for (const p of row.policies) rights.needsVote.set(p.consortium_id, parseTextArray(p.needs_vote) as ProposalKind[]);
    return rights;
  }

  private toRights(rights: PreloadedRights): Rights {
    const organizationId = this.organizationId;
    return {
      memberships: organizationId
        ? rights.memberships.map((r) => ({
            id: r.id,
            consortiumId: r.consortium_id,
            organizationId,
            displayName: r.display_name,
            role: r.role as ConsortiumRole,
            status: r.status as MembershipStatus,
            permissions: parseTextArray(r.permissions) as Permission[],
          }))
        : [],
      networkRoles: new Map(rights.networkRoles.map((r) => [r.consortium_id, r.role as NetworkRole])),
      needsVote: new Map(rights.memberships.map((r) => [r.consortium_id, r.needs_vote === null ? [] : (parseTextArray(r.needs_vote) as ProposalKind[])])),
    };
  }
}

/** A consortium action decided once per operation (see Authz.decided). */
type ConsortiumOutcome = { visible: false } | { visible: true; actor: ConsortiumActor & { membership: MembershipView }; decision: Decision };

/** The plain data of a user entity (or the data itself): what authorization needs, nothing tied to an em. */
function plainUser(user: User | AuthUser): AuthUser {
  if ('organizationId' in user) return authUser(user.id, user.organizationId, user.accountRole);
  return authUser(user.id, user.organization?.id, user.accountRole);
}

function visible(m: MembershipView): boolean {
  return m.status === MembershipStatus.ACTIVE || m.status === MembershipStatus.FROZEN;
}

/**
 * The membership an action acts through: the one named, or the organization's only current one.
 * With several current memberships, a view picks any; a change must name one.
 */
function pickMembership(action: ConsortiumAction, all: MembershipView[], membershipId?: string | null): MembershipView {
  if (membershipId) {
    const named = all.find((m) => m.id === membershipId);
    if (!named) throw notFound('Membership', membershipId);
    return named;
  }
  const current = all.filter(visible);
  const active = current.filter((m) => m.status === MembershipStatus.ACTIVE);
  if (current.length === 1) return current[0];
  if (active.length === 1) return active[0];
  if (CONSORTIUM_GRID[action].frozenAllowed) {
    return active.find((m) => m.role === ConsortiumRole.ADMINISTRATOR) ?? active[0] ?? current[0];
  }
  throw badInput(
    `Your organization holds ${current.length} memberships in this consortium: name the one you act through with membershipId`,
    { memberships: current.map((m) => m.id) },
  );
}
