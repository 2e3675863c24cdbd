import { ReferenceKind, type EntityClass, type EntityMetadata, type FilterQuery, type MetadataStorage } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import type { SqlReader } from '../db/reader';
import { notFound } from '../errors';

type WithId = { id: string };

/**
 * Columns too large to read with every row of a list (sources, compiled bytecode and ABIs, PEM
 * certificates), by entity: snapshots leave them out and `deferred` reads them, in one batched
 * statement per entity, only when something asks for one. Reading them with every row made a
 * list of compilations cost several times its answer.
 */
const DEFERRED: Readonly<Record<string, readonly string[]>> = {
  Compilation: ['source', 'bytecode', 'deployedBytecode', 'abi', 'errors'],
  Environment: ['caCertificatePem'],
};

/**
 * Batch loaders for one request: every relation field goes through one of these, so the number
 * of SQL statements grows with a query's depth, not with the number of rows.
 *
 * They return read-only snapshots, not managed entities: objects with the entity's properties,
 * a many-to-one relation as `{ id }`, lazy and deferred columns left out (read those with
 * `deferred`). Hydrating managed entities (identity map, change tracking, per-instance
 * accessors) cost more than everything else on a list of a few hundred rows. They read through
 * the reader's pool, so always committed data: the request's entity manager never joins a
 * change's transaction, and changes re-read their rows inside their transaction.
 */
export class Loaders {
  private readonly cache = new Map<string, DataLoader<string, unknown>>();
  /**
   * The rows each by-id loader holds, by entity and id (see `row`): a join of `include` leaves
   * these out (its columns come back null), and the relation resolves from the loader. A node page names the
   * same few memberships on every row, and the consortium's membership page has read them already.
   */
  private readonly known = new Map<string, Map<string, WithId>>();

  constructor(
    private readonly metadata: MetadataStorage,
    /** The read path's own pool (see SqlReader). */
    private readonly reader: SqlReader,
    /**
     * The operation's entity manager, asked for only by a filter too complex for plain SQL (the
     * ORM's query builder): most operations never fork one.
     */
    private readonly em: () => EntityManager,
  ) {}

  /** Entities by primary key; a missing id resolves to null. Relation fields read through `row`, which skips the loader for rows held already. */
  byId<T extends WithId>(entity: EntityClass<T>): DataLoader<string, T | null> {
    return this.memo(`${entity.name}#id`, async (ids) => {
      const rows = await this.read(entity, { id: { $in: [...ids] } } as unknown as FilterQuery<T>);
      // A row held meanwhile (a page read while this batch was in flight) stays the one answer.
      for (const r of rows) this.hold(entity.name, r);
      const held = this.knownOf(entity.name);
      return ids.map((id) => (held.get(id) as T | undefined) ?? null);
    });
  }

  /** Puts rows read otherwise (a page, the caller's own) into their by-id loader. */
  primeById<T extends WithId>(entity: EntityClass<T>, rows: Iterable<T>): void {
    for (const row of rows) this.hold(entity.name, row, this.byId(entity));
  }

  /** Keeps `row` as the request's row of its id, unless one is held already; primes `loader` with the one held. */
  private hold(entity: string, row: WithId, loader?: DataLoader<string, unknown>): void {
    const known = this.knownOf(entity);
    let held = known.get(row.id);
    if (!held) known.set(row.id, (held = row));
    loader?.prime(row.id, held);
  }

  /**
   * The row of `id`: the snapshot this request holds already (a page's own rows, the relations
   * it joined, an earlier load; the same object the by-id loader holds), at once, so that a
   * relation field on every row of a list (a node's membership, a membership's organization)
   * costs no promise, no batch and no ticks; any other id through the by-id loader.
   */
  row<T extends WithId>(entity: EntityClass<T>, id: string): T | null | Promise<T | null> {
    const held = this.known.get(entity.name)?.get(id);
    return held !== undefined ? (held as T) : this.byId(entity).load(id);
  }

  /** `row`, NOT_FOUND (as for an unknown id) when no row has the id. */
  required<T extends WithId>(entity: EntityClass<T>, id: string): T | Promise<T> {
    return now(this.row(entity, id), (found) => {
      if (!found) throw notFound(entity.name, id);
      return found;
    });
  }

  private knownOf(entity: string): Map<string, WithId> {
    let rows = this.known.get(entity);
    if (!rows) this.known.set(entity, (rows = new Map()));
    return rows;
  }

  /**
   * The children of many parents at once: `listBy(Node, 'environment')` loads the nodes of every
   * requested environment in one statement. `where` narrows the rows, `orderBy` orders each list,
   * `include` names many-to-one relations read in the same statement (a join each) and put into
   * their by-id loaders, so that resolving them costs no statement. One loader per distinct
   * filter, order and include: its cache key is derived from them, so two filters on one table
   * never share a batch.
   */
  listBy<T extends object>(
    entity: EntityClass<T>,
    foreignKey: keyof T & string,
    opts: { where?: FilterQuery<T>; orderBy?: Record<string, 'asc' | 'desc'>; include?: (keyof T & string)[] } = {},
  ): DataLoader<string, T[]> {
    const name = `${entity.name}@${foreignKey}:${stableKey([opts.where ?? null, opts.orderBy ?? null, opts.include ?? null])}`;
    return this.memo(name, async (parentIds) => {
      const where = { [foreignKey]: { $in: [...parentIds] }, ...((opts.where ?? {}) as object) } as unknown as FilterQuery<T>;
      const rows = await this.read(entity, where, opts.orderBy ?? { createdAt: 'asc', id: 'asc' }, opts.include);
      const groups = new Map<string, T[]>();
      for (const row of rows) {
        const ref = (row as Record<string, unknown>)[foreignKey] as { id: string } | string;
        const parent = typeof ref === 'string' ? ref : ref.id;
        let list = groups.get(parent);
        if (!list) groups.set(parent, (list = []));
        list.push(row);
      }
      return parentIds.map((id) => groups.get(id) ?? []);
    });
  }

  /**
   * First pages of the children of parents, oldest first by (createdAt, id): `pageBy(Node,
   * 'environment', opts, size)` reads the first `size + 1` nodes of every requested environment in
   * one statement, so a list nested in a list costs one statement however many parents it has.
   * Each parent's rows come from a lateral subquery that walks the index on (parent, created_at,
   * id[, status]) and stops after `size + 1` rows, and each included relation is joined on those
   * rows alone: a page costs its rows, not the table. (Reading only the keys in the lateral and
   * joining the table back on them let the planner hash the whole table once pages looked many:
   * every node of every environment, 10,000 rows at 50× data, for a page of 200. Reading the keys
   * and then each row by a one-row lookup cost PostgreSQL 1.7× per large query at 1×.) The
   * statement is planned for the average parent: the read path's connections take no bitmap scan,
   * which would read and sort every child of a parent far larger than the average (SqlReader). `where` and
   * `include` work as in `listBy`. The extra row tells whether another page follows; callers
   * slice it off. Totals are read apart, when asked for (`countBy`).
   */
  pageBy<T extends { id: string; createdAt: Date }>(
    entity: EntityClass<T>,
    foreignKey: keyof T & string,
    opts: { where?: FilterQuery<T>; include?: (keyof T & string)[] },
    size: number,
  ): DataLoader<string, T[]> {
    const name = `${entity.name}@${foreignKey}#page${size}:${stableKey([opts.where ?? null, opts.include ?? null])}`;
    return this.memo(name, async (parentIds) => {
      const { shape, fk, created, joins, filter, params, param } = this.pageParts(entity, foreignKey, opts);
      if (filter === null) return parentIds.map(() => []);
      const parents = param([...parentIds]);
      const limit = param(size + 1);
      const sql =
        `select p.id as parent__, ${selectWithJoins(shape, joins, 'r')}` +
        ` from unnest(${parents}::${fk.type}[]) as p(id)` +
        ` cross join lateral (select ${storedColumns(shape, 't')} from "${shape.meta.tableName}" t` +
        ` where t.${fk.column} = p.id${filter.map((c) => ` and ${c}`).join('')}` +
        ` order by t.${created}, t."id" limit ${limit}) r${this.joinList(joins, 'r', param)}`;
      const rows = await this.reader.arrays(sql, params);
      const lead = 1;
      this.prime(joins, rows, lead + shape.columns.length);
      // Each parent's rows in (createdAt, id) order, put in order here: sorting them in the
      // statement cost PostgreSQL a fifth of a page's CPU (it sorts the wide joined rows).
      // createdAt arrives as epoch milliseconds, exactly the column's value (timestamptz(3));
      // uuids compare as their text does.
      const groups = new Map<string, unknown[][]>();
      for (const r of rows) {
        let group = groups.get(r[0] as string);
        if (!group) groups.set(r[0] as string, (group = []));
        group.push(r);
      }
      const at = lead + shape.columns.findIndex((c) => c.prop === 'createdAt');
      const idAt = lead + shape.columns.findIndex((c) => c.prop === 'id');
      const inOrder = (a: unknown[], b: unknown[]) =>
        (a[at] as number) - (b[at] as number) || ((a[idAt] as string) < (b[idAt] as string) ? -1 : (a[idAt] as string) > (b[idAt] as string) ? 1 : 0);
      return parentIds.map((id) => (groups.get(id)?.sort(inOrder) ?? []).map((r) => snapshotAt(shape, r, lead) as T));
    });
  }

  /**
   * A page of one parent's children after the cursor key (createdAt, id), `size + 1` rows at
   * most, read through the same index as a first page: one statement.
   */
  async pageAfter<T extends { id: string; createdAt: Date }>(
    entity: EntityClass<T>,
    foreignKey: keyof T & string,
    opts: { where?: FilterQuery<T>; include?: (keyof T & string)[] },
    parentId: string,
    size: number,
    after: { createdAt: Date; id: string },
  ): Promise<T[]> {
    const { shape, fk, created, joins, filter, params, param } = this.pageParts(entity, foreignKey, opts);
    if (filter === null) return [];
    const sql =
      `select ${selectWithJoins(shape, joins, 't')} from "${shape.meta.tableName}" t${this.joinList(joins, 't', param)}` +
      ` where t.${fk.column} = ${param(parentId)}${filter.map((c) => ` and ${c}`).join('')}` +
      ` and (t.${created}, t."id") > (${param(after.createdAt)}::timestamptz, ${param(after.id)}::uuid)` +
      ` order by t.${created}, t."id" limit ${param(size + 1)}`;
    const rows = await this.reader.arrays(sql, params);
    this.prime(joins, rows, shape.columns.length);
    return rows.map((r) => snapshotAt(shape, r, 0) as T);
  }

  /**
   * How many children each parent has (`where` narrowing them as in `pageBy`): one grouped
   * count for every parent asked for in a tick. Pages read it only when a query selects a
   * list's totalCount.
   */
  countBy<T extends object>(entity: EntityClass<T>, foreignKey: keyof T & string, where?: FilterQuery<T>): DataLoader<string, number> {
    const name = `${entity.name}@${foreignKey}#count:${stableKey(where ?? null)}`;
    return this.memo(name, async (parentIds) => {
      const { shape, fk, filter, params, param } = this.pageParts(entity, foreignKey, { where });
      if (filter === null) return parentIds.map(() => 0);
      const sql =
        `select t.${fk.column}, count(*)::int from "${shape.meta.tableName}" t` +
        ` where t.${fk.column} = any(${param([...parentIds])}::${fk.type}[])${filter.map((c) => ` and ${c}`).join('')}` +
        ` group by t.${fk.column}`;
      const rows = await this.reader.arrays(sql, params);
      const counts = new Map(rows.map((r) => [r[0] as string, r[1] as number]));
      return parentIds.map((id) => counts.get(id) ?? 0);
    });
  }

  /** What the statements of pages and counts share: the entity's shape, the parent key, the joins and the filter's conditions. */
  private pageParts<T extends object>(
    entity: EntityClass<T>,
    foreignKey: keyof T & string,
    opts: { where?: FilterQuery<T>; include?: (keyof T & string)[] },
  ) {
    const shape = shapeOf(this.metadata.get<T>(entity.name));
    const joins = joinsOf(shape, opts.include ?? []);
    const column = shape.byName.get(foreignKey);
    const prop = shape.meta.properties[foreignKey as never] as Prop<T> | undefined;
    const created = shape.byName.get('createdAt');
    if (!column || !prop || !created) throw new Error(`${entity.name} has no ${foreignKey} or createdAt`);
    const params: unknown[] = [];
    const param = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    const conditions = conditionsSql(shape, (opts.where ?? {}) as Record<string, unknown>, param);
    if (conditions === undefined) throw new Error(`a page of ${entity.name} needs a plain filter`);
    const fk = { column, type: prop.columnTypes?.[0] ?? 'uuid' };
    return { shape, fk, created, joins, filter: conditions, params, param };
  }

  /** Puts the rows of included relations into their by-id loaders. */
  private prime(joins: Join[], rows: unknown[][], offset: number): void {
    for (const j of joins) {
      const loader = this.byId(j.target.meta.class as EntityClass<WithId>);
      const known = this.knownOf(j.target.meta.className);
      const idAt = offset + j.target.columns.findIndex((c) => c.prop === 'id');
      for (const row of rows) {
        const id = row[idAt] as string | null;
        if (id != null && !known.has(id)) this.hold(j.target.meta.className, snapshotAt(j.target, row, offset) as WithId, loader);
      }
      offset += j.target.columns.length;
    }
  }

  /**
   * The left joins of `joins` on the row aliased `alias`, each on its target's id, but for the
   * rows its by-id loader holds already (a parameter, so the statement's text does not change).
   * Each is a lateral lookup of at most one row by primary key: as a plain join the planner may
   * read and hash the target's whole table for a page of a few hundred rows.
   */
  private joinList(joins: readonly Join[], alias: string, param: (value: unknown) => string): string {
    return joins
      .map((j) => {
        const known = param([...this.knownOf(j.target.meta.className).keys()]);
        return (
          ` left join lateral (select ${storedColumns(j.target, 'x')} from "${j.target.meta.tableName}" x` +
          ` where x."id" = ${alias}."${j.column}" and x."id" <> all(${known}::${j.type}[]) limit 1) ${j.alias} on true`
        );
      })
      .join('');
  }

  /**
   * A deferred column of a row (see DEFERRED): the row's own value when it has one (a managed
   * entity, a snapshot of a change), else read with the same columns of every row asked for
   * in this tick, in one statement.
   */
  async deferred<T extends WithId, K extends keyof T & string>(entity: EntityClass<T>, row: T, prop: K): Promise<T[K]> {
    if (Object.hasOwn(row, prop) || !(DEFERRED[entity.name] ?? []).includes(prop)) return row[prop];
    const meta = this.metadata.get<T>(entity.name);
    const values = await this.memo<Record<string, unknown> | null>(`${entity.name}#deferred`, async (ids) => {
      const columns = DEFERRED[entity.name].map((name) => `"${(meta.properties as Record<string, { fieldNames: string[] }>)[name].fieldNames[0]}" as "${name}"`);
      const rows = await this.reader.rows<Record<string, unknown>>(
        `select "id", ${columns.join(', ')} from "${meta.tableName}" where "id" = any($1)`,
        [[...ids]],
      );
      const byId = new Map(rows.map((r) => [r.id as string, r]));
      return ids.map((id) => byId.get(id) ?? null);
    }).load(row.id);
    return (values?.[prop] ?? null) as T[K];
  }

  /** A loader of any shape, created once per request under `name`. */
  custom<K, V>(name: string, batch: (keys: readonly K[]) => Promise<V[]>): DataLoader<K, V> {
    return this.memo(name, batch as never) as unknown as DataLoader<K, V>;
  }

  /** Rows as read-only snapshots shaped like the entity (see the class comment). */
  async read<T extends object>(
    entity: EntityClass<T>,
    where: FilterQuery<T>,
    orderBy?: Record<string, 'asc' | 'desc'>,
    include: (keyof T & string)[] = [],
  ): Promise<T[]> {
    const shape = shapeOf(this.metadata.get<T>(entity.name));
    const joins = joinsOf(shape, include);
    const direct = directSql(shape, where as Record<string, unknown>, orderBy, joins, (j, alias, param) => this.joinList(j, alias, param));
    if (direct) {
      if (direct.empty) return [];
      // Rows as arrays, in select-list order: the entity's columns, then each join's.
      const rows = await this.reader.arrays(direct.sql, direct.params);
      this.prime(joins, rows, shape.columns.length);
      return rows.map((row) => snapshotAt(shape, row, 0) as T);
    }
    if (joins.length) throw new Error(`include needs a plain filter on ${entity.name}`);
    const qb = this.em().createQueryBuilder(entity).select(shape.fields.map((p) => p.name) as never).where(where);
    if (orderBy) qb.orderBy(orderBy as never);
    const rows = (await qb.execute('all', true)) as Record<string, unknown>[];
    return rows.map((row) => snapshotAt(shape, shape.columns.map((c) => row[c.prop]), 0) as T);
  }

  private memo<V>(name: string, batch: (keys: readonly string[]) => Promise<V[]>): DataLoader<string, V> {
    let loader = this.cache.get(name) as DataLoader<string, V> | undefined;
    if (!loader) {
      loader = new DataLoader<string, V>(batch, { maxBatchSize: 1000 });
      this.cache.set(name, loader as DataLoader<string, unknown>);
    }
    return loader;
  }
}

/**
 * One entity's row as a statement of one's own reads it (the principal's, on every request): the
 * select list and its width, and the entity's data for `em.merge` from an array row. Derived from
 * the metadata exactly as snapshots are, so a new column arrives without editing the statement.
 */
export interface RowReader {
  /** How many columns `select` lists. */
  readonly width: number;
  /** The table, as the metadata names it. */
  readonly table: string;
  /** The column of a property, quoted: for joins and conditions of the statement. */
  column(prop: string): string;
  /** `alias."column"`, … for every column of the row, in order. */
  select(alias: string): string;
  /** The data of the row whose columns start at `offset`: many-to-one relations as their id, timestamps as Dates. */
  data(row: unknown[], offset: number): Record<string, unknown>;
  /** A row's data (as `data` returns it) as a read-only snapshot, as loaders return rows. */
  snapshot(data: Record<string, unknown>): object;
}

const rowReaders = new WeakMap<object, RowReader>();

export function rowReader(meta: EntityMetadata<any>): RowReader {
  let reader = rowReaders.get(meta);
  if (reader) return reader;
  const shape = shapeOf(meta);
  reader = {
    width: shape.columns.length,
    table: `"${meta.tableName}"`,
    column(prop) {
      const column = shape.byName.get(prop);
      if (!column) throw new Error(`${meta.className}.${prop} is not a column of its row`);
      return column;
    },
    select: (alias) => selectList(shape, alias),
    data(row, offset) {
      const snapshot = snapshotAt(shape, row, offset);
      const out: Record<string, unknown> = {};
      for (const c of shape.columns) {
        const value = snapshot[c.prop] as { id: unknown } | null;
        out[c.prop] = c.reference ? (value?.id ?? null) : value;
      }
      return out;
    },
    snapshot(data) {
      const out = Object.create(shape.proto) as Record<string, unknown>;
      for (const c of shape.columns) {
        const value = data[c.prop];
        out[c.prop] = c.reference && value != null ? Object.freeze({ id: value }) : value;
      }
      return Object.freeze(out);
    },
  };
  rowReaders.set(meta, reader);
  return reader;
}

/**
 * `then` applied to a value that may be at hand already (`Loaders.row`): synchronously when it
 * is, so that a resolver stays synchronous; on the promise's value otherwise.
 */
export function now<T, R>(value: T | Promise<T>, then: (value: T) => R): R | Promise<R> {
  return value instanceof Promise ? value.then(then) : then(value);
}

/** A text that is equal for equal filters: JSON with object keys sorted, Dates as ISO text. */
export function stableKey(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]]));
  });
}

type Prop<T> = EntityMetadata<T>['props'][number];

interface Join {
  name: string;
  target: Shape<unknown>;
  alias: string;
  column: string;
  /** The SQL type of the target's id. */
  type: string;
}

/** The many-to-one relations named by `include`, each a left join of its own. */
function joinsOf<T>(shape: Shape<T>, include: readonly string[]): Join[] {
  return include.map((name, i) => {
    const prop = shape.meta.properties[name as never] as Prop<T> | undefined;
    if (prop?.kind !== ReferenceKind.MANY_TO_ONE) throw new Error(`${shape.meta.className}.${name} is not a many-to-one relation`);
    const target = shapeOf(prop.targetMeta!) as Shape<unknown>;
    const id = target.meta.properties['id' as never] as Prop<unknown> | undefined;
    return { name, target, alias: `j${i}`, column: prop.fieldNames[0], type: id?.columnTypes?.[0] ?? 'uuid' };
  });
}

/**
 * What reading an entity as snapshots needs, computed once per entity: its stored scalar and
 * many-to-one columns (lazy and deferred ones left out), and the prototype snapshots are made from.
 */
interface Shape<T> {
  meta: EntityMetadata<T>;
  fields: Prop<T>[];
  columns: { prop: string; column: string; reference: boolean; date: boolean }[];
  byName: Map<string, string>;
  proto: object;
}

const shapes = new WeakMap<object, Shape<unknown>>();

function shapeOf<T>(meta: EntityMetadata<T>): Shape<T> {
  let shape = shapes.get(meta) as Shape<T> | undefined;
  if (shape) return shape;
  const deferred = DEFERRED[meta.className] ?? [];
  const fields = meta.props.filter(
    (p) =>
      p.persist !== false &&
      !p.lazy &&
      !deferred.includes(p.name) &&
      (p.kind === ReferenceKind.SCALAR || p.kind === ReferenceKind.MANY_TO_ONE),
  );
  const columns = fields.map((p) => ({
    prop: p.name,
    column: p.fieldNames[0],
    reference: p.kind === ReferenceKind.MANY_TO_ONE,
    date: p.runtimeType === 'Date',
  }));
  // A snapshot is an instance of the entity's class as far as `instanceof` goes (so type-graphql
  // uses it as it is, where it would copy a plain object into a new instance for every field
  // resolver), but its fields are its own plain properties: the prototype in between declares
  // them as data properties, which shadow the ORM's change-tracking accessors.
  const descriptors: PropertyDescriptorMap = {
    toJSON: { value(this: object) { return { ...this }; } },
  };
  for (const c of columns) descriptors[c.prop] = { value: undefined, writable: true, enumerable: false, configurable: true };
  shape = {
    meta,
    fields,
    columns,
    byName: new Map(columns.map((c) => [c.prop, `"${c.column}"`])),
    proto: Object.create(meta.class.prototype as object, descriptors),
  };
  shapes.set(meta, shape as Shape<unknown>);
  return shape;
}

/**
 * The columns of a snapshot in a select list, `alias."column"` each, in the shape's order (rows
 * are read as arrays by position). Timestamps are sent as epoch milliseconds: a Date from a
 * number costs nothing, where parsing the text of a few hundred timestamps per answer showed in
 * profiles. Microseconds are dropped exactly as parsing the text drops them (`date_trunc`), and
 * the arithmetic stays in float8: `extract(epoch …)` is numeric, which cost PostgreSQL about
 * 0.8 µs per value, a third of a large page's CPU. A whole number of milliseconds is exact in
 * float8 (to the year 287,000), and `round` absorbs the last bit lost in dividing by 10⁶.
 */
function selectList<T>(shape: Shape<T>, alias: string): string {
  return shape.columns
    .map((c) =>
      c.date
        ? `round(date_part('epoch', date_trunc('milliseconds', ${alias}."${c.column}")) * 1000) as "${c.column}"`
        : `${alias}."${c.column}"`,
    )
    .join(', ');
}

/**
 * A snapshot from an array row whose columns for `shape` start at `offset` (see selectList).
 * Frozen, with its references: a snapshot is not a managed entity, so a write to it would change
 * nothing stored; in strict-mode code (all of src) it throws a TypeError instead of passing silently.
 */
function snapshotAt<T>(shape: Shape<T>, row: unknown[], offset: number): Record<string, unknown> {
  const out = Object.create(shape.proto) as Record<string, unknown>;
  const columns = shape.columns;
  for (let i = 0; i < columns.length; i++) {
    const c = columns[i];
    const value = row[offset + i];
    if (c.reference) out[c.prop] = value == null ? null : Object.freeze({ id: value });
    // Timestamps arrive as epoch milliseconds (see selectList); through the ORM's query builder, as text.
    else if (c.date && (typeof value === 'number' || typeof value === 'string')) out[c.prop] = new Date(value);
    else out[c.prop] = value;
  }
  return Object.freeze(out);
}

/**
 * Plain SQL for the filters loaders use (equality, `$in`, `$ne`, null on one column), skipping
 * the ORM's query builder, whose cost per statement is about that of the statement itself. Any
 * other filter returns null and takes the query builder. Lists are one `= any($n)` parameter,
 * so a statement has one text whatever the list's length and is prepared once per connection.
 */
function directSql<T>(
  shape: Shape<T>,
  where: Record<string, unknown>,
  orderBy: Record<string, 'asc' | 'desc'> | undefined,
  joins: readonly Join[] = [],
  joinList: (joins: readonly Join[], alias: string, param: (value: unknown) => string) => string = () => '',
): { sql: string; params: unknown[]; empty?: boolean } | null {
  const params: unknown[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const conditions = conditionsSql(shape, where, param);
  if (conditions === undefined) return null;
  if (conditions === null) return { sql: '', params: [], empty: true };
  const order: string[] = [];
  for (const [name, dir] of Object.entries(orderBy ?? {})) {
    const col = shape.byName.get(name);
    if (!col || (dir !== 'asc' && dir !== 'desc')) return null;
    order.push(`t.${col} ${dir}`);
  }
  const sql =
    `select ${selectWithJoins(shape, joins, 't')} from "${shape.meta.tableName}" t${joinList(joins, 't', param)}` +
    (conditions.length ? ` where ${conditions.join(' and ')}` : '') +
    (order.length ? ` order by ${order.join(', ')}` : '');
  return { sql, params };
}

/** The shape's columns as stored, `alias."column"` each: what a subquery hands on to `selectList`. */
function storedColumns<T>(shape: Shape<T>, alias: string): string {
  return shape.columns.map((c) => `${alias}."${c.column}"`).join(', ');
}

/** The select list of a row (aliased `alias`) and of each of its joins, in order (see prime). */
function selectWithJoins<T>(shape: Shape<T>, joins: readonly Join[], alias: string): string {
  return [selectList(shape, alias), ...joins.map((j) => selectList(j.target, j.alias))].join(', ');
}

/**
 * The conditions of a plain filter (see directSql), `t."column"` each, their values added through
 * `param`: undefined when the filter is not plain, null when no row can match (an empty `$in`).
 */
function conditionsSql<T>(shape: Shape<T>, where: Record<string, unknown>, param: (value: unknown) => string): string[] | null | undefined {
  const conditions: string[] = [];
  for (const [name, value] of Object.entries(where)) {
    const bare = shape.byName.get(name);
    if (!bare) return undefined;
    const col = `t.${bare}`;
    if (value === null) conditions.push(`${col} is null`);
    else if (typeof value !== 'object') conditions.push(`${col} = ${param(value)}`);
    else {
      const ops = Object.entries(value as Record<string, unknown>);
      if (ops.length !== 1) return undefined;
      const [op, operand] = ops[0];
      if (op === '$in' && Array.isArray(operand) && operand.every((v) => typeof v === 'string' || typeof v === 'number')) {
        if (operand.length === 0) return null;
        conditions.push(`${col} = any(${param(operand)})`);
      } else if (op === '$ne' && (typeof operand === 'string' || typeof operand === 'number')) {
        conditions.push(`${col} <> ${param(operand)}`);
      } else return undefined;
    }
  }
  return conditions;
}
