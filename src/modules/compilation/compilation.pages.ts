import type { GraphQLResolveInfo } from 'graphql';
import type { GatewayContext } from '../../graphql/context';
import { cursorKey, pageFrom, pageSize, selects, type Page, type PageArgs } from '../../graphql/pagination';
import { Environment, EnvironmentStatus } from '../environment/environment.entity';
import { Compilation, CompilationPromotion } from './compilation.entity';

/**
 * One page of a consortium's compilations, oldest first, as the loaders' snapshots on every
 * page. A first page is batched across every consortium of the request (one statement, each
 * consortium's first keys read from the index on (consortium_id, created_at, id), then
 * their rows, as Loaders.pageBy does), so
 * `consortia { compilations }` costs one statement however many consortia it lists; a later page
 * (`after`) concerns one consortium: one keyset statement. The total is read as childPage reads
 * it: beside the page when the query selects `totalCount` (or when no `info` tells), else only if
 * something reads it.
 */
export async function compilationsOf(
  ctx: GatewayContext,
  consortiumId: string,
  args: PageArgs,
  info?: GraphQLResolveInfo,
): Promise<Page<Compilation>> {
  const size = pageSize(args.first, ctx.app.config.limits.maxPageSize);
  const count = () => ctx.loaders.countBy(Compilation, 'consortium').load(consortiumId);
  const read = args.after ? laterPage(ctx, consortiumId, args.after, size) : firstPages(ctx, size).load(consortiumId);
  if (info && !selects(info, 'totalCount')) return pageFrom(await read, count, size);
  const [rows, total] = await Promise.all([read, count()]);
  return pageFrom(rows, total, size);
}

/** The first `size + 1` compilations of every consortium asked for in a tick. */
function firstPages(ctx: GatewayContext, size: number) {
  return ctx.loaders.custom<string, Compilation[]>(`compilations-first:${size}`, async (consortiumIds) => {
    const found = await ctx.loaders.query(
      Compilation,
      `select ${ctx.loaders.columns(Compilation, 'r')} from unnest($1::uuid[]) with ordinality as p(id, n)
         cross join lateral (
           select k.id, k.created_at from compilation k
            where k.consortium_id = p.id order by k.created_at, k.id limit $2
         ) k
         join compilation r on r.id = k.id
        order by p.n, k.created_at, k.id`,
      [[...consortiumIds], size + 1],
    );
    const byConsortium = new Map<string, Compilation[]>();
    for (const { row } of found) {
      let mine = byConsortium.get(row.consortium.id);
      if (!mine) byConsortium.set(row.consortium.id, (mine = []));
      mine.push(row);
    }
    return consortiumIds.map((id) => byConsortium.get(id) ?? []);
  });
}

/** The `size + 1` compilations of one consortium after the cursor `after`. */
async function laterPage(ctx: GatewayContext, consortiumId: string, after: string, size: number): Promise<Compilation[]> {
  const key = cursorKey(after);
  const found = await ctx.loaders.query(
    Compilation,
    `select ${ctx.loaders.columns(Compilation, 'k')}
       from compilation k
      where k.consortium_id = $1 and (k.created_at, k.id) > ($2::timestamptz, $3::uuid)
      order by k.created_at, k.id
      limit $4`,
    [consortiumId, key.createdAt, key.id, size + 1],
  );
  return found.map((f) => f.row);
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
