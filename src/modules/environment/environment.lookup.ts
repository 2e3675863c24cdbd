import type { EntityClass } from '@mikro-orm/core';
import { notFound } from '../../errors';
import type { GatewayContext } from '../../graphql/context';
import { isUuid } from '../../validation';
import { Environment, EnvironmentStatus } from './environment.entity';

/** A row by id, the request's own when it holds it (`Loaders.row`); null for an id that cannot exist. */
export async function loadById<T extends { id: string }>(ctx: GatewayContext, entity: EntityClass<T>, id: unknown): Promise<T | null> {
  return isUuid(id) ? ctx.loaders.row(entity, id) : null;
}

/** A LIVE environment by id through the request's loader; deleted or unknown ones are NOT_FOUND. */
export async function liveEnvironment(ctx: GatewayContext, id: string): Promise<Environment> {
  const env = await liveEnvironmentOrNull(ctx, id);
  if (!env) throw notFound('Environment', id);
  return env;
}

/** Like liveEnvironment, but null instead of NOT_FOUND. */
export async function liveEnvironmentOrNull(ctx: GatewayContext, id: string | undefined | null): Promise<Environment | null> {
  const env = await loadById(ctx, Environment, id);
  return env && env.status === EnvironmentStatus.LIVE ? env : null;
}
