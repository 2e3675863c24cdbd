import { Authz, GOVERNANCE, RIGHTS_WITH_PRINCIPAL, type AuthzClass, type PolicyCore, type RightsSource } from './auth/authz';
import { TokenVerifier } from './auth/jwt';
import type { Config } from './config';
import { startEmbeddedDatabase, type EmbeddedDatabase } from './db/embedded';
import { openDatabase } from './db/orm';
import { SqlReader } from './db/reader';
import { Budgets } from './graphql/budgets';
import type { AppServices } from './graphql/context';
import type { Logger } from './logger';
import { MODULES } from './modules';
import { ServiceRegistry } from './registry';
import { createGateway, type Gateway } from './server';

export interface RunningApp {
  gateway: Gateway;
  services: AppServices;
  stop(): Promise<void>;
}

/**
 * Composition root: database (the configured one, else embedded), migrations, module services,
 * then the server. `stop` undoes it in reverse order and is safe to call twice.
 */
export async function startApp(
  config: Config,
  log: Logger,
  opts: {
    port?: number;
    host?: string;
    policy?: PolicyCore;
    /** When the caller's rights are read (default: with the principal). */
    rights?: RightsSource;
    /** The Authz of each operation (default: Authz; a benchmark twin brings its own). */
    authz?: AuthzClass;
    migrate?: boolean;
    /** The embedded database, started by the caller while the modules loaded; stopped with the app. */
    embedded?: EmbeddedDatabase;
  } = {},
): Promise<RunningApp> {
  let embedded: EmbeddedDatabase | null = opts.embedded ?? null;
  let url = embedded?.url ?? config.databaseUrl;
  if (!url) {
    embedded = await startEmbeddedDatabase({ dataDir: config.dataDir, port: config.embeddedPgPort, log });
    url = embedded.url;
  }
  const cleanups: (() => Promise<void>)[] = [];
  try {
    const orm = await openDatabase(url, { poolMax: config.dbPoolMax, logger: log, migrate: opts.migrate });
    cleanups.push(async () => {
      await orm.close();
      log.debug('database connections closed');
    });
    if (opts.migrate !== false) log.info('database migrated');
    const reader = new SqlReader(url, config.dbPoolMax);
    cleanups.push(() => reader.close());
    const budgets = new Budgets(url, config);
    cleanups.push(() => budgets.close());
    const services: AppServices = {
      config, orm, reader, log, verifier: new TokenVerifier(config.jwt), budgets, registry: new ServiceRegistry(),
      policy: opts.policy ?? GOVERNANCE,
      rights: opts.rights ?? RIGHTS_WITH_PRINCIPAL,
      authz: opts.authz ?? Authz,
    };
    for (const mod of MODULES) {
      if (mod.start) await mod.start(services);
      if (mod.stop) cleanups.push(async () => mod.stop!(services));
    }
    const gateway = await createGateway(services, { port: opts.port, host: opts.host });
    cleanups.push(async () => {
      await gateway.stop();
      log.debug('http and websocket servers drained');
    });
    let stopping: Promise<void> | undefined;
    return {
      gateway,
      services,
      stop() {
        stopping ??= (async () => {
          for (const cleanup of cleanups.reverse()) {
            await cleanup().catch((err) => log.error({ err }, 'error during shutdown'));
          }
          await embedded?.stop();
        })();
        return stopping;
      },
    };
  } catch (error) {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    await embedded?.stop();
    throw error;
  }
}
