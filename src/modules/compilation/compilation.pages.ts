import { badInput } from '../../errors';
import type { GatewayContext } from '../../graphql/context';
import { decodeCursor, encodeCursor, pageSize, type Page, type PageArgs } from '../../graphql/pagination';
import { isUuid } from '../../validation';
import { Environment, EnvironmentStatus } from '../environment/environment.entity';
import { Compilation, CompilationPromotion } from './compilation.entity';

/**
 * One page of a consortium's compilations, oldest first, as the loaders' snapshots on every
 * page. A first page is batched across every consortium of the request (one window query), so
 * `consortia { compilations }` costs one statement however many consortia it lists; a later
 * page (`after`) concerns one consortium: one keyset statement with the total.
 */
export function compilationsOf(ctx: GatewayContext, consortiumId: string, args: PageArgs): Promise<Page<Compilation>> {
  const max = ctx.app.config.limits.maxPageSize;
  if (args.after) return laterPage(ctx, consortiumId, args.after, pageSize(args.first, max));
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

/** A page after the cursor `after`, for one consortium, shaped like a first page. */
async function laterPage(ctx: GatewayContext, consortiumId: string, after: string, size: number): Promise<Page<Compilation>> {
  const [createdAt, id] = decodeCursor(after) as [unknown, unknown];
  const since = typeof createdAt === 'string' ? new Date(createdAt) : new Date(Number.NaN);
  if (Number.isNaN(since.getTime()) || !isUuid(id)) throw badInput('after is not a cursor this API issued', { field: 'after' });
  const found = await ctx.loaders.query(
    Compilation,
    `select ${ctx.loaders.columns(Compilation, 'k')},
            (select count(*) from compilation c where c.consortium_id = $1)::int as total__
       from compilation k
      where k.consortium_id = $1 and (k.created_at, k.id) > ($2::timestamptz, $3::uuid)
      order by k.created_at, k.id
      limit $4`,
    [consortiumId, since, id, size + 1],
  );
  const nodes = found.slice(0, size).map((f) => f.row);
  const last = nodes.at(-1);
  // With no row after the cursor the statement returns none, so the total needs its own count.
  const totalCount = found.length ? (found[0].extra[0] as number) : await ctx.em.count(Compilation, { consortium: consortiumId });
  return {
    nodes,
    totalCount,
    pageInfo: { hasNextPage: found.length > size, endCursor: last ? encodeCursor([last.createdAt.toISOString(), last.id]) : null },
  };
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
