import type { GraphQLResolveInfo } from 'graphql';
import type { GatewayContext } from '../../graphql/context';
import { childPage, type Page, type PageArgs } from '../../graphql/pagination';
import { Environment, EnvironmentStatus } from '../environment/environment.entity';
import { Compilation, CompilationPromotion } from './compilation.entity';

/**
 * One page of a consortium's compilations, oldest first, as the loaders' snapshots on every page:
 * a consortium's list of children like any other (childPage), so `consortia { compilations }`
 * costs one statement however many consortia it lists, and the total is read only when asked for.
 */
export function compilationsOf(ctx: GatewayContext, consortiumId: string, args: PageArgs, info?: GraphQLResolveInfo): Promise<Page<Compilation>> {
  return childPage(ctx, Compilation, 'consortium', {}, consortiumId, args, info);
}

/** Promotions of a compilation to environments that are still live, batched per request. */
export async function livePromotionsOf(ctx: GatewayContext, compilationId: string): Promise<CompilationPromotion[]> {
  const promotions = await ctx.loaders.listBy(CompilationPromotion, 'compilation').load(compilationId);
  const envs = await ctx.loaders.byId(Environment).loadMany(promotions.map((p) => p.environment.id));
  return promotions.filter((_, i) => {
    const env = envs[i];
    return env && !(env instanceof Error) && env.status === EnvironmentStatus.LIVE;
  });
}
