import type { GatewayContext } from '../../graphql/context';
import { encodeCursor, keysetPage, pageSize, type Page, type PageArgs } from '../../graphql/pagination';
import { Environment, EnvironmentStatus } from '../environment/environment.entity';
import { Compilation, CompilationPromotion } from './compilation.entity';

/**
 * One page of a consortium's compilations, oldest first. A first page is batched across every
 * consortium of the request (one window query, one fetch), so `consortia { compilations }`
 * costs two statements however many consortia it lists; a later page (`after`) concerns one
 * consortium and uses the common keyset page.
 */
export function compilationsOf(ctx: GatewayContext, consortiumId: string, args: PageArgs): Promise<Page<Compilation>> {
  const max = ctx.app.config.limits.maxPageSize;
  if (args.after) return keysetPage(ctx.em, Compilation, { consortium: consortiumId }, args, max);
  const size = pageSize(args.first, max);
  return ctx.loaders.custom<string, Page<Compilation>>(`compilations-first:${size}`, async (consortiumIds) => {
    const rows = await ctx.em.execute<{ id: string; consortium_id: string; total: number }[]>(
      `select id, consortium_id, total from (
         select id, consortium_id, (count(*) over w_all)::int as total, row_number() over w_page as rn
           from compilation where consortium_id in (?)
         window w_all as (partition by consortium_id), w_page as (partition by consortium_id order by created_at, id)
       ) ranked where rn <= ?`,
      [[...consortiumIds], size + 1],
    );
    const found = rows.length ? await ctx.loaders.read(Compilation, { id: { $in: rows.map((r) => r.id) } }) : [];
    const byId = new Map(found.map((c) => [c.id, c]));
    return consortiumIds.map((id) => {
      const mine = rows.filter((r) => r.consortium_id === id);
      const all = mine.map((r) => byId.get(r.id)).filter((c): c is Compilation => Boolean(c));
      all.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1));
      const nodes = all.slice(0, size);
      const last = nodes.at(-1);
      return {
        nodes,
        totalCount: mine[0]?.total ?? 0,
        pageInfo: {
          hasNextPage: all.length > size,
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
