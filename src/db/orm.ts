import type { MigrationObject } from '@mikro-orm/core';
import type { Migrator as MigratorClass } from '@mikro-orm/migrations';
import { MikroORM, PostgreSqlDriver, type Options } from '@mikro-orm/postgresql';
import type { Logger } from '../logger';
import { ENTITIES } from './entities';

export type Orm = MikroORM;

/**
 * The migrator and the committed migrations, loaded only by what migrates: the migrator brings
 * umzug and its command-line and JSON-schema packages, a fifth of a second of loading that a
 * gateway worker (whose primary migrated) would pay at every start for nothing.
 */
function migrationSupport(): { Migrator: typeof MigratorClass; MIGRATIONS: MigrationObject[] } {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { Migrator } = require('@mikro-orm/migrations') as { Migrator: typeof MigratorClass };
  const { MIGRATIONS } = require('./migrations') as { MIGRATIONS: MigrationObject[] };
  /* eslint-enable @typescript-eslint/no-require-imports */
  return { Migrator, MIGRATIONS };
}

/**
 * The MikroORM options, shared by the server, the tests and the migration tooling; without
 * `migrations` (false) the ORM cannot migrate and loads nothing for it.
 */
export function ormOptions(clientUrl: string, opts: { poolMax?: number; logger?: Logger; migrations?: boolean } = {}): Options {
  const migrating = opts.migrations === false ? null : migrationSupport();
  return {
    driver: PostgreSqlDriver,
    clientUrl,
    entities: ENTITIES,
    extensions: migrating ? [migrating.Migrator] : [],
    discovery: { warnWhenNoEntities: true },
    // Never create or alter tables at run time: only the committed migrations do.
    ensureDatabase: false,
    allowGlobalContext: false,
    forceUtcTimezone: true,
    pool: { min: 0, max: opts.poolMax ?? 10 },
    // Written with plain SQL by the transport layer (budgets, idempotency keys), not by entities.
    schemaGenerator: { skipTables: ['rate_budget', 'idempotency_key'] },
    // Statements only, with $n placeholders: 'query-params' would inline the values (billing
    // contacts, emails) into the log.
    debug: process.env.SQL_DEBUG === '1' ? ['query'] : false,
    logger: opts.logger ? (message) => opts.logger!.debug({ sql: message }) : undefined,
    migrations: {
      tableName: 'mikro_orm_migrations',
      migrationsList: migrating?.MIGRATIONS ?? [],
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
  const orm = await MikroORM.init(ormOptions(url, { ...opts, migrations: opts.migrate !== false }));
  if (opts.migrate !== false) await orm.getMigrator().up();
  return orm;
}
