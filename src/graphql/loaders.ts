import { ReferenceKind, type EntityClass, type EntityMetadata, type FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';

type WithId = { id: string };

/**
 * Batch loaders for one request: every relation field goes through one of these, so the number
 * of SQL statements grows with a query's depth, not with the number of rows.
 *
 * They return read-only snapshots, not managed entities: plain objects with the entity's
 * properties, a many-to-one relation as `{ id }`, lazy columns left out. Hydrating managed
 * entities (identity map, change tracking, per-instance accessors) cost more than everything else
 * on a list of a few hundred rows. Changes always re-read their rows inside their transaction.
 */
export class Loaders {
  private readonly cache = new Map<string, DataLoader<string, unknown>>();

  constructor(private readonly em: EntityManager) {}

  /** Entities by primary key; a missing id resolves to null. */
  byId<T extends WithId>(entity: EntityClass<T>): DataLoader<string, T | null> {
    return this.memo(`${entity.name}#id`, async (ids) => {
      const rows = await this.read(entity, { id: { $in: [...ids] } } as unknown as FilterQuery<T>);
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id) ?? null);
    });
  }

  /**
   * The children of many parents at once: `listBy(Node, 'environment')` loads the nodes of every
   * requested environment in one statement. `where` narrows the rows, `orderBy` orders each list.
   */
  listBy<T extends object>(
    entity: EntityClass<T>,
    foreignKey: keyof T & string,
    opts: { where?: FilterQuery<T>; orderBy?: Record<string, 'asc' | 'desc'>; key?: string } = {},
  ): DataLoader<string, T[]> {
    const name = `${entity.name}@${foreignKey}${opts.key ? `:${opts.key}` : ''}`;
    return this.memo(name, async (parentIds) => {
      const where = { [foreignKey]: { $in: [...parentIds] }, ...(opts.where ?? {}) } as unknown as FilterQuery<T>;
      const rows = await this.read(entity, where, opts.orderBy ?? { createdAt: 'asc', id: 'asc' });
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

  /** A loader of any shape, created once per request under `name`. */
  custom<K, V>(name: string, batch: (keys: readonly K[]) => Promise<V[]>): DataLoader<K, V> {
    return this.memo(name, batch as never) as unknown as DataLoader<K, V>;
  }

  /** Rows as read-only snapshots shaped like the entity (see the class comment). */
  async read<T extends object>(entity: EntityClass<T>, where: FilterQuery<T>, orderBy?: Record<string, 'asc' | 'desc'>): Promise<T[]> {
    const meta = this.em.getMetadata().get<T>(entity.name);
    const fields = meta.props.filter((p) => p.persist !== false && !p.lazy && (p.kind === ReferenceKind.SCALAR || p.kind === ReferenceKind.MANY_TO_ONE));
    const direct = directSql(meta, fields, where as Record<string, unknown>, orderBy);
    if (direct) {
      if (direct.empty) return [];
      const rows = await this.em.execute<Record<string, unknown>[]>(direct.sql, direct.params);
      return rows.map((row) => snapshot(fields, row, (p) => p.fieldNames[0]) as T);
    }
    const qb = this.em.createQueryBuilder(entity).select(fields.map((p) => p.name) as never).where(where);
    if (orderBy) qb.orderBy(orderBy as never);
    const rows = (await qb.execute('all', true)) as Record<string, unknown>[];
    return rows.map((row) => snapshot(fields, row, (p) => p.name) as T);
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

type Prop<T> = EntityMetadata<T>['props'][number];

function snapshot<T>(fields: Prop<T>[], row: Record<string, unknown>, key: (p: Prop<T>) => string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const prop of fields) {
    const value = row[key(prop)];
    if (prop.kind === ReferenceKind.MANY_TO_ONE) out[prop.name] = value == null ? null : { id: value };
    // The ORM's driver leaves timestamps as text (it converts them itself); plain SQL must too.
    else if (typeof value === 'string' && prop.runtimeType === 'Date') out[prop.name] = new Date(value);
    else out[prop.name] = value;
  }
  return out;
}

/**
 * Plain SQL for the filters loaders use (equality, `$in`, `$ne`, null on one column), skipping
 * the ORM's query builder, whose cost per statement is about that of the statement itself. Any
 * other filter returns null and takes the query builder.
 */
function directSql<T>(
  meta: EntityMetadata<T>,
  fields: Prop<T>[],
  where: Record<string, unknown>,
  orderBy?: Record<string, 'asc' | 'desc'>,
): { sql: string; params: unknown[]; empty?: boolean } | null {
  const column = (name: string) => {
    const prop = fields.find((p) => p.name === name);
    return prop ? `"${prop.fieldNames[0]}"` : null;
  };
  const conditions: string[] = [];
  const params: unknown[] = [];
  for (const [name, value] of Object.entries(where)) {
    const col = column(name);
    if (!col) return null;
    if (value === null) conditions.push(`${col} is null`);
    else if (typeof value !== 'object') {
      conditions.push(`${col} = ?`);
      params.push(value);
    } else {
      const ops = Object.entries(value as Record<string, unknown>);
      if (ops.length !== 1) return null;
      const [op, operand] = ops[0];
      if (op === '$in' && Array.isArray(operand) && operand.every((v) => typeof v === 'string' || typeof v === 'number')) {
        if (operand.length === 0) return { sql: '', params: [], empty: true };
        conditions.push(`${col} in (${operand.map(() => '?').join(', ')})`);
        params.push(...operand);
      } else if (op === '$ne' && (typeof operand === 'string' || typeof operand === 'number')) {
        conditions.push(`${col} <> ?`);
        params.push(operand);
      } else return null;
    }
  }
  const order: string[] = [];
  for (const [name, dir] of Object.entries(orderBy ?? {})) {
    const col = column(name);
    if (!col || (dir !== 'asc' && dir !== 'desc')) return null;
    order.push(`${col} ${dir}`);
  }
  const columns = fields.map((p) => `"${p.fieldNames[0]}"`).join(', ');
  const sql =
    `select ${columns} from "${meta.tableName}"` +
    (conditions.length ? ` where ${conditions.join(' and ')}` : '') +
    (order.length ? ` order by ${order.join(', ')}` : '');
  return { sql, params };
}
