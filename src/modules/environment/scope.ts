import { UniqueConstraintViolationException, type EntityClass } from '@mikro-orm/core';
import type { Acting } from '../../auth/authz';
import { badInput, conflict, notFound } from '../../errors';
import type { GatewayContext } from '../../graphql/context';
import type { ScopeOf } from '../../graphql/rules';
import { isUuid } from '../../validation';
import { Environment, EnvironmentStatus } from './environment.entity';

// Helpers shared by the environment, node, certificate and compilation services and rules.

/** The membership id an action acts through (null only when authorization is switched off for a benchmark). */
export function actingMembershipId(acting: Acting): string {
  if (!acting.membership) throw badInput('Name the membership you act through with membershipId', { field: 'membershipId' });
  return acting.membership.id;
}

/** A row by id through the request's loader; null for an id that cannot exist. */
export async function loadById<T extends { id: string }>(ctx: GatewayContext, entity: EntityClass<T>, id: unknown): Promise<T | null> {
  return isUuid(id) ? ctx.loaders.byId(entity).load(id) : null;
}

/** A LIVE environment by id through the request's loader; deleted or unknown ones are NOT_FOUND. */
export async function liveEnvironment(ctx: GatewayContext, id: string): Promise<Environment> {
  const env = await liveEnvironmentOrNull(ctx, id);
  if (!env) throw notFound('Environment', id);
  return env;
}

/** Like liveEnvironment, but null instead of NOT_FOUND (for rule scopes: the resolver answers). */
export async function liveEnvironmentOrNull(ctx: GatewayContext, id: string | undefined | null): Promise<Environment | null> {
  const env = await loadById(ctx, Environment, id);
  return env && env.status === EnvironmentStatus.LIVE ? env : null;
}

/** Scope of an action on an environment named by `envIdOf`, acting through `membershipIdOf`. */
export function environmentScope(
  envIdOf: (args: Record<string, any>) => string | undefined,
  membershipIdOf: (args: Record<string, any>) => string | null | undefined = (a) => a.membershipId,
): ScopeOf {
  return async (_parent, args, ctx) => {
    const env = await liveEnvironmentOrNull(ctx, envIdOf(args));
    return env ? { consortiumId: env.consortium.id, membershipId: membershipIdOf(args) ?? null } : null;
  };
}

/** Runs `work`; a unique-index violation (a race lost to a concurrent request) becomes CONFLICT. */
export async function conflictOnUnique<T>(work: () => Promise<T>, message: string, details?: Record<string, unknown>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) throw conflict(message, details);
    throw error;
  }
}
