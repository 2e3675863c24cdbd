import type { MigrationObject } from '@mikro-orm/core';
import type { Migrator as MigratorClass } from '@mikro-orm/migrations';
import { MikroORM, PostgreSqlDriver, type Options } from '@mikro-orm/postgresql';
import type { Logger } from '../logger';
import { ENTITIES } from './entities';
import { IdempotencyCommits } from './idempotency-commits';
import { migrationsApplied } from './migration-state';

export type Orm = MikroORM;

/**
 * The migrator and the committed migrations, loaded only by what migrates: the migrator brings
 * umzug and its command-line and JSON-schema packages, a fifth of a second of loading that a
 * gateway worker (whose primary migrated) would pay at every start for nothing.
 */
async function migrationSupport(): Promise<{ Migrator: typeof MigratorClass; MIGRATIONS: MigrationObject[] }> {
  const [{ Migrator }, { MIGRATIONS }] = await Promise.all([import('@mikro-orm/migrations'), import('./migrations/index.js')]);
  return { Migrator, MIGRATIONS };
}

/**
 * The MikroORM options, shared by the server, the tests and the migration tooling; without
 * `migrations` (false) the ORM cannot migrate and loads nothing for it.
 */
export async function ormOptions(
  clientUrl: string,
  opts: { poolMax?: number; logger?: Logger; migrations?: boolean } = {},
): Promise<Options> {
  const migrating = opts.migrations === false ? null : await migrationSupport();
  return {
    driver: PostgreSqlDriver,
    clientUrl,
    entities: ENTITIES,
    extensions: migrating ? [migrating.Migrator] : [],
    // A transaction committing for a request with an Idempotency-Key records that it did.
    subscribers: [new IdempotencyCommits()],
    discovery: { warnWhenNoEntities: true },
    // Never create or alter tables at run time: only the committed migrations do.
    ensureDatabase: false,
    allowGlobalContext: false,
    forceUtcTimezone: true,
    pool: { min: 0, max: opts.poolMax ?? 10 },
    // The ORM takes host, port, user, password and database from the URL and drops the rest
    // (`?sslmode=`, `?options=`); node-postgres, given the whole URL as well, reads those from it,
    // so the ORM's connections are configured as the read path's and the budgets' are.
    driverOptions: { connection: { connectionString: clientUrl } },
    // Written with plain SQL by the transport layer (budgets, idempotency keys), not by entities.
    schemaGenerator: { skipTables: ['rate_budget', 'idempotency_key', 'idempotency_applied'] },
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
 * worker whose primary has migrated already). With none pending, the migrator is not loaded.
 */
export async function openDatabase(url: string, opts: { poolMax?: number; logger?: Logger; migrate?: boolean } = {}): Promise<Orm> {
  const migrate = opts.migrate !== false && !(await migrationsApplied(url));
  const orm = await MikroORM.init(await ormOptions(url, { ...opts, migrations: migrate }));
  if (migrate) await orm.getMigrator().up();
  return orm;
}
