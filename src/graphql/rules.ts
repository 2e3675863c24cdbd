import { GraphQLError, type GraphQLResolveInfo } from 'graphql';
import { allow, rule } from 'graphql-shield';
import type { IRule } from 'graphql-shield';
import { AppError, notFound } from '../errors';
import type { AccountRoleConsortiumAction, ConsortiumAction, OrganizationAction, TowardsConsortiumAction } from '../governance';
import type { GatewayContext } from './context';
import type { CallerGrant, ConsortiumGrant, Grant, RequestGrant } from './grant';
import { pick, type RequestKind, type ScopeKind } from './scopes';

/**
 * Shield rules derived from the policy grid. Each factory names a grid action; the decision is
 * the policy core's, so no role name is compared here. A rule decides once and hands what it
 * decided (the caller, or the acting membership and the loaded scope) to the field's resolver
 * through `ctx.grants` (read with `@Granted()`); services receive it and never decide again.
 * Rules return the coded error rather than false, so the client learns what was missing (or
 * NOT_FOUND when it may not know).
 */

type Args = Record<string, any>;

async function decide(ctx: GatewayContext, info: GraphQLResolveInfo, grant: () => Promise<Grant> | Grant): Promise<true | Error> {
  try {
    ctx.grants.set(info, await grant());
    return true;
  } catch (error) {
    if (error instanceof AppError || error instanceof GraphQLError) return error;
    throw error;
  }
}

/** What a rule guards: the caller, its organization, or a thing in a consortium (whose outsiders learn nothing). */
export type RuleKind = 'caller' | 'organization' | 'towards' | 'consortium' | 'request';
const KINDS = new WeakMap<IRule, RuleKind>();
function kind<R extends IRule>(r: R, k: RuleKind): R {
  KINDS.set(r, k);
  return r;
}
/** The kind of a rule made by this file (undefined for shield's own, e.g. allow). */
export function ruleKind(r: unknown): RuleKind | undefined {
  return typeof r === 'object' && r !== null ? KINDS.get(r as IRule) : undefined;
}

// graphql-shield refuses two rules that share a name but not a function ("multiple definitions
// of these rules"), and every factory call makes a new function: so every rule gets its own name.
let ruleCount = 0;
const ruleName = (base: string): string => `${base}#${++ruleCount}`;

/** Any signed-in user. */
export const authenticated: IRule = kind(
  rule('authenticated', { cache: 'no_cache' })((_p, _a, ctx: GatewayContext, info) => decide(ctx, info, () => ctx.authz.caller())),
  'caller',
);

/** Open to everyone, signed in or not (only for data that is public by design). */
export const everyone = allow;

/** Layer A: an action in the caller's own organization; `orgIdOf` names the target organization. */
export function organizationAction(
  action: OrganizationAction,
  orgIdOf?: (parent: any, args: Args, ctx: GatewayContext) => string | undefined,
): IRule {
  const r = rule(ruleName(`org:${action}`), { cache: 'no_cache' })((parent, args, ctx: GatewayContext, info) =>
    decide(ctx, info, () => ctx.authz.requireOrganization(action, orgIdOf?.(parent, args, ctx))),
  );
  return kind(r, 'organization');
}

/**
 * Layer A towards a consortium the caller's organization belongs to (network roles): the
 * organization action, then NOT_FOUND unless the consortium named at `consortiumPath` is visible.
 */
export function organizationActionIn(action: OrganizationAction, consortiumPath: string): IRule {
  const r = rule(ruleName(`org-in:${action}`), { cache: 'no_cache' })((_parent, args, ctx: GatewayContext, info) =>
    decide(ctx, info, async () => {
      const caller = ctx.authz.requireOrganization(action);
      const organizationId = ctx.authz.requireOrganizationId();
      const consortiumId = String(pick(args, consortiumPath) ?? '');
      await ctx.authz.requireVisible(consortiumId);
      // A change by a frozen organization is refused there, whatever its account role (§8.1).
      await ctx.authz.requireUnfrozen(action, consortiumId);
      return { ...caller, organizationId };
    }),
  );
  return kind(r, 'consortium');
}

/**
 * Layer C: `scope` (one of the named kinds of scopes.ts) finds what the field acts on; the rule
 * decides the action on it once and grants the resolver the acting membership and the scope.
 */
export function consortiumAction(action: ConsortiumAction | ((args: Args) => ConsortiumAction), scope: ScopeKind<any>): IRule {
  // An action may depend on the arguments: a SIGNER node needs node.createSigner, others node.create.
  const name = typeof action === 'string' ? action : 'by-arguments';
  const grant = consortiumDecision(action, scope);
  const r = rule(ruleName(`consortium:${name}`), { cache: 'no_cache' })((parent, args, ctx: GatewayContext, info) =>
    decide(ctx, info, () => grant(parent, args, ctx)),
  );
  DECISIONS.set(r, { decide: grant, scope });
  return kind(r, 'consortium');
}

/** A consortium rule's decision as a function, and the scope kind it decides on. */
export interface RuleDecision {
  decide: (parent: unknown, args: Args, ctx: GatewayContext) => Promise<ConsortiumGrant<unknown>>;
  scope: ScopeKind<any>;
}
const DECISIONS = new WeakMap<IRule, RuleDecision>();
/**
 * The decision a rule of consortiumAction makes, for a caller that answers a field without its
 * resolver (the planned read path, graphql/read-plan.ts): the very function the rule runs.
 * Undefined for every other rule.
 */
export function ruleDecision(r: unknown): RuleDecision | undefined {
  return typeof r === 'object' && r !== null ? DECISIONS.get(r as IRule) : undefined;
}

/**
 * §8.2 note: a consortium action decided by account role alone (no network role grants it), on a
 * scope of scopes.ts; like consortiumAction it decides once and grants the acting membership.
 */
export function accountRoleConsortiumAction(action: AccountRoleConsortiumAction, scope: ScopeKind<any>): IRule {
  const r = rule(ruleName(`account-role:${action}`), { cache: 'no_cache' })((parent, args, ctx: GatewayContext, info) =>
    decide(ctx, info, async () => {
      ctx.authz.requireUser();
      const found = await scope(parent, args, ctx);
      const acting = await ctx.authz.requireAccountRoleConsortium(action, found.consortiumId, found);
      return { acting, scope: found };
    }),
  );
  return kind(r, 'consortium');
}

/**
 * The decision of a consortium action on its scope, as a function: what consortiumAction runs,
 * and what a subscription's subscribe step (which shield does not guard) calls itself.
 */
export function consortiumDecision<T>(
  action: ConsortiumAction | ((args: Args) => ConsortiumAction),
  scope: ScopeKind<T>,
): (parent: unknown, args: Args, ctx: GatewayContext) => Promise<ConsortiumGrant<T>> {
  return async (parent, args, ctx) => {
    ctx.authz.requireUser();
    const found = await scope(parent, args, ctx);
    const decided = typeof action === 'string' ? action : action(args);
    const acting = await ctx.authz.requireConsortium(decided, found.consortiumId, found);
    return { acting, scope: found };
  };
}

/** The decision of a Layer A action on the caller's own organization, as a function (see consortiumDecision). */
export function organizationDecision(action: OrganizationAction): (ctx: GatewayContext) => CallerGrant & { organizationId: string } {
  return (ctx) => {
    const organizationId = ctx.authz.requireOrganizationId();
    return { ...ctx.authz.requireOrganization(action), organizationId };
  };
}

/** Actions towards a consortium without a membership (respond to an invitation, apply). */
export function towardsConsortium(
  action: TowardsConsortiumAction,
  consortiumIdOf?: (parent: any, args: Args, ctx: GatewayContext) => string | undefined,
): IRule {
  const r = rule(ruleName(`towards:${action}`), { cache: 'no_cache' })((parent, args, ctx: GatewayContext, info) =>
    decide(ctx, info, () => ctx.authz.requireTowards(action, consortiumIdOf?.(parent, args, ctx))),
  );
  return kind(r, 'towards');
}

/**
 * Invitations and applications have two audiences: the invited or applying organization's users
 * who may respond or apply (`action`: OWNER, ADMIN), and the consortium's members
 * (consortium.view). Anyone else gets NOT_FOUND naming the request, as for an unknown id.
 */
export function requestAudience(action: TowardsConsortiumAction, scope: RequestKind<any>): IRule {
  return kind(requestRule(action, scope), 'request');
}

function requestRule(action: TowardsConsortiumAction, scope: RequestKind<any>): IRule {
  return rule(ruleName(`request:${action}`), { cache: 'no_cache' })((parent, args, ctx: GatewayContext, info) =>
    decide(ctx, info, async (): Promise<RequestGrant<any>> => {
      ctx.authz.requireUser();
      const found = await scope(parent, args, ctx);
      const { type, id } = found.subject;
      // An invitation by email that reached no organization yet has no requester to match.
      const requester = found.requesterOrganizationId;
      if (requester !== null && requester === ctx.authz.organizationId && ctx.authz.mayActTowards(action)) {
        if (!found.consortiumLive) throw notFound(type, id);
        return { scope: found };
      }
      const view = await ctx.authz.decideConsortium('consortium.view', found.consortiumId, found);
      if (!view.allowed) throw notFound(type, id);
      return { scope: found };
    }),
  );
}
