// The named scope kinds of consortium actions, in one place. A scope kind finds, from a field's
// parent and arguments, what the field acts on: its consortium, the membership the caller names
// to act through, the owner for the grid's "own only" cells, and the row itself. The shield rule
// resolves it once, decides once, and hands both to the resolver (see rules.ts and grant.ts).
//
// A thing that does not exist is NOT_FOUND naming what was asked for; a thing in a consortium the
// caller may not view gets exactly the same answer from the decision (spec §8.1).
import { notFound } from '../errors';
import { ChainAccount } from '../modules/chain-account/chain-account.entity';
import type { ChainAccountInEnvironment } from '../modules/chain-account/chain-account.types';
import { Consortium } from '../modules/consortium/consortium.entity';
import { Compilation } from '../modules/compilation/compilation.entity';
import { loadById, liveEnvironmentOrNull } from '../modules/environment/environment.lookup';
import type { Environment } from '../modules/environment/environment.entity';
import { Application } from '../modules/membership/application.entity';
import { Invitation } from '../modules/membership/invitation.entity';
import { Membership } from '../modules/membership/membership.entity';
import { Node } from '../modules/node/node.entity';
import { Proposal } from '../modules/proposal/proposal.entity';
import type { NodeInEnvironment } from '../modules/node/node.types';
import { MembershipStatus } from '../governance';
import type { GatewayContext } from './context';
import type { Scope } from './grant';

export type { Scope } from './grant';

type Args = Record<string, any>;

/** A named way of finding the scope of a field. */
export type ScopeKind<T = unknown> = (parent: any, args: Args, ctx: GatewayContext) => Promise<Scope<T>>;

/** Reads `a.b.c` from the arguments, so scopes can reach into an input object. */
export function pick(args: Args, path: string | null): any {
  if (path === null) return undefined;
  return path.split('.').reduce<any>((value, key) => (value == null ? undefined : value[key]), args);
}

const asId = (value: unknown): string => (typeof value === 'string' ? value : String(value ?? ''));

/** 1. The consortium named by an argument (`consortiumId`, `id`, `input.consortiumId`). */
export const consortiumNamed =
  (idPath = 'consortiumId', membershipPath: string | null = 'membershipId'): ScopeKind<null> =>
  async (_parent, args) => {
    const id = asId(pick(args, idPath));
    return { consortiumId: id, membershipId: pick(args, membershipPath) ?? null, subject: { type: 'Consortium', id }, row: null };
  };

/** 2. The Consortium whose field is resolved. */
export const parentConsortium: ScopeKind<null> = async (parent: Consortium) => ({
  consortiumId: parent.id,
  membershipId: null,
  subject: { type: 'Consortium', id: parent.id },
  row: null,
});

/** 3. The consortium of the Membership whose field is resolved. */
export const parentMembership: ScopeKind<null> = async (parent: Membership) => ({
  consortiumId: parent.consortium.id,
  membershipId: null,
  subject: { type: 'Membership', id: parent.id },
  row: null,
});

/**
 * The scopes that read nothing of the parent but its id and its references (`{ id }` each) and
 * keep no row: a decision on them needs only that much of a row, which the planned read path
 * (read-plan.ts) hands them instead of a snapshot.
 */
export const PARENT_SCOPES: ReadonlySet<ScopeKind<any>> = new Set([parentConsortium, parentMembership]);

/** 4. The Environment whose field is resolved, acting through the `membershipId` argument. */
export const parentEnvironment: ScopeKind<Environment> = async (parent: Environment, args) => ({
  consortiumId: parent.consortium.id,
  membershipId: args.membershipId ?? null,
  subject: { type: 'Environment', id: parent.id },
  row: parent,
});

/** 5. A live environment named by an argument. */
export const environmentNamed =
  (idPath: string, membershipPath = 'membershipId'): ScopeKind<Environment> =>
  async (_parent, args, ctx) => {
    const id = asId(pick(args, idPath));
    const env = await liveEnvironmentOrNull(ctx, id);
    if (!env) throw notFound('Environment', id);
    return { consortiumId: env.consortium.id, membershipId: pick(args, membershipPath) ?? null, subject: { type: 'Environment', id }, row: env };
  };

/** 6. A node (`id`) of a live environment; `withOwner` for the "own only" cell of node.delete. */
export const nodeNamed =
  (opts: { withOwner: boolean }): ScopeKind<NodeInEnvironment> =>
  async (_parent, args, ctx) => {
    const id = asId(args.id);
    const node = await loadById(ctx, Node, id);
    const environment = node ? await liveEnvironmentOrNull(ctx, node.environment.id) : null;
    if (!node || !environment) throw notFound('Node', id);
    return {
      consortiumId: environment.consortium.id,
      membershipId: args.membershipId ?? null,
      ...(opts.withOwner ? { ownerMembershipId: node.membership.id } : {}),
      subject: { type: 'Node', id },
      row: { node, environment },
    };
  };

/** 6b. A chain account (`id`) of a live environment; `withOwner` for the "own only" cell of chainAccount.manage. */
export const chainAccountNamed =
  (opts: { withOwner: boolean }): ScopeKind<ChainAccountInEnvironment> =>
  async (_parent, args, ctx) => {
    const id = asId(args.id);
    const account = await loadById(ctx, ChainAccount, id);
    const environment = account ? await liveEnvironmentOrNull(ctx, account.environment.id) : null;
    if (!account || !environment) throw notFound('ChainAccount', id);
    return {
      consortiumId: environment.consortium.id,
      membershipId: args.membershipId ?? null,
      ...(opts.withOwner ? { ownerMembershipId: account.membership.id } : {}),
      subject: { type: 'ChainAccount', id },
      row: { account, environment },
    };
  };

/** 7. A compilation (`id`), acting through the membership at `membershipPath`. */
export const compilationNamed =
  (membershipPath: string | null): ScopeKind<Compilation> =>
  async (_parent, args, ctx) => {
    const id = asId(args.id);
    const compilation = await loadById(ctx, Compilation, id);
    if (!compilation) throw notFound('Compilation', id);
    return { consortiumId: compilation.consortium.id, membershipId: pick(args, membershipPath) ?? null, subject: { type: 'Compilation', id }, row: compilation };
  };

/**
 * 8. An invitation (`id`), for its revocation. Without a named membership, an invitation the
 * caller's organization sent is revoked through its sender.
 */
export const invitationNamed: ScopeKind<Invitation> = async (_parent, args, ctx) => {
  const id = asId(args.id);
  const invitation = await loadById(ctx, Invitation, id);
  if (!invitation) throw notFound('Invitation', id);
  const owner = invitation.invitingMembership.id;
  const own = (await ctx.authz.memberships()).some((m) => m.id === owner && m.status !== MembershipStatus.LEFT);
  return {
    consortiumId: invitation.consortium.id,
    membershipId: args.membershipId ?? (own ? owner : null),
    ownerMembershipId: owner,
    subject: { type: 'Invitation', id },
    row: invitation,
  };
};

/** 9. A join application (`id`), for its decision. */
export const applicationNamed: ScopeKind<Application> = async (_parent, args, ctx) => {
  const id = asId(args.id);
  const application = await loadById(ctx, Application, id);
  if (!application) throw notFound('Application', id);
  return { consortiumId: application.consortium.id, membershipId: args.membershipId ?? null, subject: { type: 'Application', id }, row: application };
};

/** 10. A membership (`id`, or the argument at `idPath`) another membership acts on (freeze, unfreeze, hand administration to). */
export const membershipNamedAt =
  (idPath: string): ScopeKind<Membership> =>
  async (_parent, args, ctx) => {
    const id = asId(pick(args, idPath));
    const membership = await loadById(ctx, Membership, id);
    if (!membership) throw notFound('Membership', id);
    return { consortiumId: membership.consortium.id, membershipId: args.membershipId ?? null, subject: { type: 'Membership', id }, row: membership };
  };

/** 10. A membership (`id`) another membership acts on (freeze, unfreeze). */
export const membershipNamed: ScopeKind<Membership> = async (_parent, args, ctx) => {
  const id = asId(args.id);
  const membership = await loadById(ctx, Membership, id);
  if (!membership) throw notFound('Membership', id);
  return { consortiumId: membership.consortium.id, membershipId: args.membershipId ?? null, subject: { type: 'Membership', id }, row: membership };
};

/** 11. One of the caller's own organization's memberships (`membershipId`), acting through itself (leave). */
export const ownMembership: ScopeKind<null> = async (_parent, args, ctx) => {
  const id = asId(args.membershipId);
  const own = (await ctx.authz.memberships()).find((m) => m.id === id);
  if (!own) throw notFound('Membership', id);
  return { consortiumId: own.consortiumId, membershipId: id, subject: { type: 'Membership', id }, row: null };
};

/** 14. A proposal (`idPath`), acting through the `membershipId` argument (vote, withdraw, view). */
export const proposalNamed =
  (idPath = 'id'): ScopeKind<Proposal> =>
  async (_parent, args, ctx) => {
    const id = asId(pick(args, idPath));
    const proposal = await loadById(ctx, Proposal, id);
    if (!proposal) throw notFound('Proposal', id);
    return { consortiumId: proposal.consortium.id, membershipId: args.membershipId ?? null, subject: { type: 'Proposal', id }, row: proposal };
  };

/** An invitation or application with the organization it concerns, for its two audiences. */
export interface RequestScope<T> extends Scope<T> {
  /** The invited or applying organization (null: an invitation by email that has not reached one yet). */
  requesterOrganizationId: string | null;
  /** Whether its consortium still exists (a deleted one hides the request from the requester too). */
  consortiumLive: boolean;
}

/** A kind of request scope: an invitation or an application named by `id`. */
export type RequestKind<T> = (parent: any, args: Args, ctx: GatewayContext) => Promise<RequestScope<T>>;

async function requestScope<T extends { id: string; consortium: { id: string } }>(
  ctx: GatewayContext,
  row: T | null,
  type: string,
  id: string,
  requesterOrganizationId: (row: T) => string | null,
): Promise<RequestScope<T>> {
  if (!row) throw notFound(type, id);
  const consortium = await loadById(ctx, Consortium, row.consortium.id);
  return {
    consortiumId: row.consortium.id,
    membershipId: null,
    subject: { type, id },
    row,
    requesterOrganizationId: requesterOrganizationId(row),
    consortiumLive: Boolean(consortium && !consortium.deletedAt),
  };
}

/** 12. An invitation (`id`), seen by its invitee or by the consortium's members. */
export const invitationRequest: RequestKind<Invitation> = async (_parent, args, ctx) => {
  const id = asId(args.id);
  return requestScope(ctx, await loadById(ctx, Invitation, id), 'Invitation', id, (i) => i.inviteeOrganization?.id ?? null);
};

/** 13. A join application (`id`), seen by its applicant or by the consortium's members. */
export const applicationRequest: RequestKind<Application> = async (_parent, args, ctx) => {
  const id = asId(args.id);
  return requestScope(ctx, await loadById(ctx, Application, id), 'Application', id, (a) => a.organization.id);
};
