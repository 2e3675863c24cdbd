import type { GatewayContext } from '../../graphql/context';
import { encodeCursor, keysetPage, pageSize, type Page, type PageArgs } from '../../graphql/pagination';
import { Environment, EnvironmentStatus } from '../environment/environment.entity';
import { Compilation, CompilationPromotion } from './compilation.entity';

/**
 * One page of a consortium's compilations, oldest first. A first page is batched across every
 * consortium of the request (one window query), so `consortia { compilations }` costs one
 * statement however many consortia it lists; a later page (`after`) concerns one
 * consortium and uses the common keyset page.
 */
export function compilationsOf(ctx: GatewayContext, consortiumId: string, args: PageArgs): Promise<Page<Compilation>> {
  const max = ctx.app.config.limits.maxPageSize;
  if (args.after) return keysetPage(ctx.em, Compilation, { consortium: consortiumId }, args, max);
  const size = pageSize(args.first, max);
  return ctx.loaders.custom<string, Page<Compilation>>(`compilations-first:${size}`, async (consortiumIds) => {
    // The select list: the snapshot's columns, then the consortium's total.
    const found = await ctx.loaders.query(
      Compilation,
      `select * from (
         select ${ctx.loaders.columns(Compilation, 'k')}, (count(*) over w_all)::int as total__, row_number() over w_page as rn__
           from compilation k where k.consortium_id = any($1)
         window w_all as (partition by k.consortium_id), w_page as (partition by k.consortium_id order by k.created_at, k.id)
       ) ranked where rn__ <= $2 order by rn__`,
      [[...consortiumIds], size + 1],
    );
    return consortiumIds.map((id) => {
      const mine: Compilation[] = [];
      let total = 0;
      for (const { row, extra } of found) {
        if (row.consortium.id !== id) continue;
        mine.push(row);
        total = extra[0] as number;
      }
      const nodes = mine.slice(0, size);
      const last = nodes.at(-1);
      return {
        nodes,
        totalCount: total,
        pageInfo: {
          hasNextPage: mine.length > size,
          endCursor: last ? encodeCursor([last.createdAt.toISOString(), last.id]) : null,
        },
      };
    });
  }).load(consortiumId);
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
