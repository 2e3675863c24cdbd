import { GraphQLError } from 'graphql';
import { allow, rule } from 'graphql-shield';
import type { IRule } from 'graphql-shield';
import type { ConsortiumScopeInput } from '../auth/authz';
import { AppError, unauthenticated } from '../errors';
import type { ConsortiumAction, OrganizationAction, TowardsConsortiumAction } from '../governance';
import type { GatewayContext } from './context';

/**
 * Shield rules derived from the policy grid. Each factory names a grid action; the decision is
 * the policy core's, so no role name is compared here. Rules return the coded error rather than
 * false, so the client learns what was missing (or NOT_FOUND when it may not know).
 */

type Args = Record<string, any>;
export type ScopeOf = (
  parent: any,
  args: Args,
  ctx: GatewayContext,
) => Promise<({ consortiumId: string } & ConsortiumScopeInput) | null>;

async function attempt(check: () => Promise<void> | void): Promise<true | Error> {
  try {
    await check();
    return true;
  } catch (error) {
    if (error instanceof AppError || error instanceof GraphQLError) return error;
    throw error;
  }
}

// graphql-shield refuses two rules that share a name but not a function ("multiple definitions
// of these rules"), and every factory call makes a new function: so every rule gets its own name.
let ruleCount = 0;
const ruleName = (base: string): string => `${base}#${++ruleCount}`;

/** Any signed-in user. */
export const authenticated: IRule = rule({ cache: 'no_cache' })((_p, _a, ctx: GatewayContext) =>
  ctx.authz.user ? true : unauthenticated(),
);

/** Open to everyone, signed in or not (only for data that is public by design). */
export const everyone = allow;

/** Layer A: an action in the caller's own organization; `orgIdOf` names the target organization. */
export function organizationAction(
  action: OrganizationAction,
  orgIdOf?: (parent: any, args: Args, ctx: GatewayContext) => string | undefined,
): IRule {
  return rule(ruleName(`org:${action}`), { cache: 'no_cache' })((parent, args, ctx: GatewayContext) =>
    attempt(() => ctx.authz.requireOrganization(action, orgIdOf?.(parent, args, ctx))),
  );
}

/**
 * Layer C: `scopeOf` finds the consortium (and the acting membership and owner, where the grid
 * needs them) of the field; a null scope means the resource does not exist: NOT_FOUND from the
 * resolver, which looks it up the same way.
 */
export function consortiumAction(action: ConsortiumAction | ((args: Args) => ConsortiumAction), scopeOf: ScopeOf): IRule {
  // An action may depend on the arguments: a SIGNER node needs node.createSigner, others node.create.
  const name = typeof action === 'string' ? action : 'by-arguments';
  return rule(ruleName(`consortium:${name}`), { cache: 'no_cache' })(async (parent, args, ctx: GatewayContext) =>
    attempt(async () => {
      ctx.authz.requireUser();
      const scope = await scopeOf(parent, args, ctx);
      const decided = typeof action === 'string' ? action : action(args);
      if (scope) await ctx.authz.requireConsortium(decided, scope.consortiumId, scope);
    }),
  );
}

/** Actions towards a consortium without a membership (respond to an invitation, apply). */
export function towardsConsortium(
  action: TowardsConsortiumAction,
  consortiumIdOf?: (parent: any, args: Args, ctx: GatewayContext) => Promise<string | undefined> | string | undefined,
): IRule {
  return rule(ruleName(`towards:${action}`), { cache: 'no_cache' })(async (parent, args, ctx: GatewayContext) =>
    attempt(async () => ctx.authz.requireTowards(action, await consortiumIdOf?.(parent, args, ctx))),
  );
}

/** Common scopes: the consortium named by an argument, optionally with `membershipId`. */
export const byConsortiumArg =
  (arg = 'consortiumId'): ScopeOf =>
  async (_p, args) => ({ consortiumId: pick(args, arg), membershipId: pick(args, 'membershipId') ?? null });

/** Reads `a.b.c` from the arguments, so rules can reach into an input object. */
export function pick(args: Args, path: string): any {
  return path.split('.').reduce<any>((value, key) => (value == null ? undefined : value[key]), args);
}
