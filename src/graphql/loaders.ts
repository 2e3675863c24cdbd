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
    const qb = this.em.createQueryBuilder(entity).select(fields.map((p) => p.name) as never).where(where);
    if (orderBy) qb.orderBy(orderBy as never);
    const rows = (await qb.execute('all', true)) as Record<string, unknown>[];
    return rows.map((row) => snapshot(meta, fields, row) as T);
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

function snapshot<T>(meta: EntityMetadata<T>, fields: EntityMetadata<T>['props'], row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const prop of fields) {
    const value = row[prop.name];
    if (prop.kind === ReferenceKind.MANY_TO_ONE) out[prop.name] = value == null ? null : { id: value };
    else out[prop.name] = value;
  }
  void meta;
  return out;
}
