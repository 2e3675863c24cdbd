import { Migrator } from '@mikro-orm/migrations';
import { MikroORM, PostgreSqlDriver, type Options } from '@mikro-orm/postgresql';
import type { Logger } from '../logger';
import { ENTITIES } from './entities';
import { IdempotencyCommits } from './idempotency-commits';
import { MIGRATIONS } from './migrations';

export type Orm = MikroORM;

/** The MikroORM options, shared by the server, the tests and the migration tooling. */
export function ormOptions(clientUrl: string, opts: { poolMax?: number; logger?: Logger } = {}): Options {
  return {
    driver: PostgreSqlDriver,
    clientUrl,
    entities: ENTITIES,
    extensions: [Migrator],
    // A transaction committing for a request with an Idempotency-Key records that it did.
    subscribers: [new IdempotencyCommits()],
    discovery: { warnWhenNoEntities: true },
    // Never create or alter tables at run time: only the committed migrations do.
    ensureDatabase: false,
    allowGlobalContext: false,
    forceUtcTimezone: true,
    pool: { min: 0, max: opts.poolMax ?? 10 },
    // Written with plain SQL by the transport layer (budgets, idempotency keys), not by entities.
    schemaGenerator: { skipTables: ['rate_budget', 'idempotency_key', 'idempotency_applied'] },
    // Statements only, with $n placeholders: 'query-params' would inline the values (billing
    // contacts, emails) into the log.
    debug: process.env.SQL_DEBUG === '1' ? ['query'] : false,
    logger: opts.logger ? (message) => opts.logger!.debug({ sql: message }) : undefined,
    migrations: {
      tableName: 'mikro_orm_migrations',
      migrationsList: MIGRATIONS,
      path: 'src/db/migrations',
      pathTs: 'src/db/migrations',
      transactional: true,
      allOrNothing: true,
      emit: 'ts',
      snapshot: false,
      silent: true,
    },
  };
}

/**
 * Connects and applies every pending committed migration (unless `migrate` is false: a gateway
 * worker whose primary has migrated already).
 */
export async function openDatabase(url: string, opts: { poolMax?: number; logger?: Logger; migrate?: boolean } = {}): Promise<Orm> {
  const orm = await MikroORM.init(ormOptions(url, opts));
  if (opts.migrate !== false) await orm.getMigrator().up();
  return orm;
}
