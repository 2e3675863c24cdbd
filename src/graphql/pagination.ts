import type { EntityClass, FilterQuery } from '@mikro-orm/core';
import {
  getDirectiveValues,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  Kind,
  type GraphQLResolveInfo,
  type SelectionSetNode,
} from 'graphql';
import { ArgsType, Field, Int, ObjectType, type ClassType } from 'type-graphql';
import { badInput } from '../errors';
import { isUuid } from '../validation';
import type { GatewayContext } from './context';

/** Rows are never older than the epoch nor dated past year 9999 (PostgreSQL and ISO 8601 agree up to there). */
const LATEST_CURSOR_TIME = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** Page size when the client names none. */
export const DEFAULT_PAGE_SIZE = 50;

@ObjectType({ simpleResolvers: true })
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true, description: 'Pass as `after` to read the next page' })
  endCursor!: string | null;
}

@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true, description: 'At most MAX_PAGE_SIZE (default 100); default 50' })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'The endCursor of the previous page' })
  after?: string | null;
}

export interface Page<T> {
  nodes: T[];
  pageInfo: PageInfo;
  /** The number, or its promise when it is read only if resolved (see childPage). */
  totalCount: number | Promise<number>;
}

/** A `<Name>Connection` object type for a list that grows: nodes, pageInfo, totalCount. */
export function Connection<T extends object>(item: ClassType<T>, name: string) {
  @ObjectType(`${name}Connection`, { simpleResolvers: true })
  abstract class ConnectionClass implements Page<T> {
    @Field(() => [item])
    nodes!: T[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;

    // Resolved, not read as a plain property: a total nobody selected is a promise read on demand
    // (see childPage), which the compiled execution awaits only from a resolver.
    @Field(() => Int, { simple: false })
    totalCount!: number;
  }
  return ConnectionClass;
}

/** The page size asked for, checked against the configured maximum. */
export function pageSize(first: number | null | undefined, max: number): number {
  if (first === null || first === undefined) return Math.min(DEFAULT_PAGE_SIZE, max);
  if (!Number.isInteger(first) || first < 1 || first > max) {
    throw badInput(`first must be between 1 and ${max}`, { field: 'first', max });
  }
  return first;
}

/** Opaque cursors: base64url of the sort key of the last row. */
export function encodeCursor(key: unknown[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string): unknown[] {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(key)) return key;
  } catch {
    // fall through to the coded error
  }
  throw badInput('after is not a cursor this API issued', { field: 'after' });
}

/** The sort key an `after` cursor carries, refused unless this API could have issued it. */
function cursorKey(after: string): { createdAt: Date; id: string } {
  const [createdAt, id] = decodeCursor(after);
  const time = typeof createdAt === 'string' ? new Date(createdAt).getTime() : Number.NaN;
  // A cursor is the client's text: only a key this API could have issued may reach a statement.
  if (!(time >= 0 && time <= LATEST_CURSOR_TIME) || !isUuid(id)) {
    throw badInput('after is not a cursor this API issued', { field: 'after' });
  }
  return { createdAt: new Date(time), id: id as string };
}

/**
 * A page from `size + 1` rows read in key order and the total: a number, or a function that
 * reads it, called only if something reads `totalCount` (once).
 */
export function pageFrom<T extends { id: string; createdAt: Date }>(
  rows: T[],
  total: number | (() => Promise<number>),
  size: number,
): Page<T> {
  const nodes = rows.slice(0, size);
  const last = nodes.at(-1);
  const pageInfo = {
    hasNextPage: rows.length > size,
    endCursor: last ? encodeCursor([last.createdAt.toISOString(), last.id]) : null,
  };
  if (typeof total === 'number') return { nodes, totalCount: total, pageInfo };
  let counted: Promise<number> | undefined;
  return {
    nodes,
    pageInfo,
    get totalCount() {
      return (counted ??= total());
    },
  };
}

/**
 * Whether the field being resolved selects `name` directly on its result: through aliases, named
 * and inline fragments, and every field node of the merged selection, leaving out selections
 * that `@skip` or `@include` rule out.
 */
function selects(info: GraphQLResolveInfo, name: string): boolean {
  const seen = new Set<string>();
  const inSet = (set: SelectionSetNode | undefined): boolean =>
    (set?.selections ?? []).some((node) => {
      if (
        getDirectiveValues(GraphQLSkipDirective, node, info.variableValues)?.if === true ||
        getDirectiveValues(GraphQLIncludeDirective, node, info.variableValues)?.if === false
      ) {
        return false;
      }
      if (node.kind === Kind.FIELD) return node.name.value === name;
      if (node.kind === Kind.INLINE_FRAGMENT) return inSet(node.selectionSet);
      const fragment = info.fragments[node.name.value];
      if (!fragment || seen.has(node.name.value)) return false;
      seen.add(node.name.value);
      return inSet(fragment.selectionSet);
    });
  return info.fieldNodes.some((field) => inSet(field.selectionSet));
}

/** A page with no rows. */
export function emptyPage<T>(): Page<T> {
  return { nodes: [], totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null } };
}

/**
 * One page of a parent's children, oldest first: a first page is batched across every parent of
 * the request (Loaders.pageBy, one statement), a later page reads one parent after the cursor.
 * The total costs a statement of its own (Loaders.countBy, batched across parents as well), read
 * beside the page when the query selects `totalCount` on this list (`info`; without it, always),
 * else only if something reads it: a page nobody counts counts nothing.
 */
export async function childPage<T extends { id: string; createdAt: Date }>(
  ctx: Pick<GatewayContext, 'loaders' | 'app'>,
  entity: EntityClass<T>,
  foreignKey: keyof T & string,
  opts: { where?: FilterQuery<T>; include?: (keyof T & string)[] },
  parentId: string,
  args: PageArgs,
  info?: GraphQLResolveInfo,
): Promise<Page<T>> {
  const { loaders } = ctx;
  const size = pageSize(args.first, ctx.app.config.limits.maxPageSize);
  const count = () => loaders.countBy(entity, foreignKey, opts.where).load(parentId);
  const read = args.after
    ? loaders.pageAfter(entity, foreignKey, opts, parentId, size, cursorKey(args.after))
    : loaders.pageBy(entity, foreignKey, opts, size).load(parentId);
  if (info && !selects(info, 'totalCount')) return pageFrom(await read, count, size);
  const [rows, total] = await Promise.all([read, count()]);
  return pageFrom(rows, total, size);
}

/**
 * Keyset pagination over (createdAt, id), stable under inserts: one statement for the page
 * (reading one row more to know whether another page follows), and one for the total, sent
 * beside the page when the query selects `totalCount` (`info`), else only if something reads it,
 * as for childPage.
 */
export async function keysetPage<T extends { id: string; createdAt: Date }>(
  ctx: Pick<GatewayContext, 'em' | 'app'>,
  entity: EntityClass<T>,
  where: FilterQuery<T>,
  args: PageArgs,
  info?: GraphQLResolveInfo,
): Promise<Page<T>> {
  const { em } = ctx;
  const size = pageSize(args.first, ctx.app.config.limits.maxPageSize);
  let filter = where;
  if (args.after) {
    const after = cursorKey(args.after);
    filter = {
      $and: [where, { $or: [{ createdAt: { $gt: after.createdAt } }, { createdAt: after.createdAt, id: { $gt: after.id } }] }],
    } as unknown as FilterQuery<T>;
  }
  const read = em.find(entity, filter, { orderBy: { createdAt: 'asc', id: 'asc' } as never, limit: size + 1 });
  const count = () => em.count(entity, where);
  if (info && !selects(info, 'totalCount')) return pageFrom(await read, count, size);
  const [rows, total] = await Promise.all([read, count()]);
  return pageFrom(rows, total, size);
}
