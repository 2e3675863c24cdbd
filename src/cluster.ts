import cluster, { type Worker } from 'node:cluster';
import type { Config } from './config';
import { startEmbeddedDatabase, type EmbeddedDatabase } from './db/embedded';
import { SocketSeatKeeper, type SeatRequest } from './http/socket-seats';
import { migrationsApplied } from './db/migration-state';
import type { Logger } from './logger';

/**
 * What a worker tells the primary: waiting for the database (its modules loaded), listening, or
 * failed to start (with the user's message when there is one).
 */
export type WorkerReport = { type: 'waiting' } | { type: 'ready'; url: string } | { type: 'failed'; message: string };

/** What the primary tells a waiting worker: the database is up and migrated, at this URL. */
export interface DatabaseReady {
  type: 'database';
  url: string;
}

/** Longest a shutdown may take before the remaining workers are killed. */
const SHUTDOWN_LIMIT_MS = 30_000;

/**
 * The primary of `WORKERS` gateway processes sharing one port (node:cluster). It owns what must
 * exist once: the data folder's lock and the embedded PostgreSQL (when no DATABASE_URL is set)
 * and the migrations; each worker is a whole gateway on the database's URL. Everything the
 * workers share lives in PostgreSQL already (events through LISTEN/NOTIFY, budgets, idempotency
 * keys, advisory locks), so a subscription on one worker sees a change made on another.
 *
 * The workers are forked first: each loads the gateway's modules (most of a start's CPU) while
 * the primary starts the database and migrates, then waits for the primary's `database` message.
 *
 * SIGTERM or SIGINT: every worker drains (its own shutdown), then the primary stops the database
 * and exits 0. A worker that fails to start fails the start (exit 1, its message on stderr); one
 * that dies later is replaced.
 */
export async function runPrimary(
  config: Config,
  log: Logger,
  startupFailure: (error: unknown) => string | null,
): Promise<void> {
  let embedded: EmbeddedDatabase | null = null;
  let url = config.databaseUrl;
  // A signal before the workers exist stops the start once the database is up (see below).
  let signalled: string | null = null;
  let onSignal = (signal: string) => {
    signalled ??= signal;
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  const workers = new Set<Worker>();
  // Sockets per user count across every worker (src/http/socket-seats.ts).
  const seats = new SocketSeatKeeper();
  // Set once the database is up and migrated; workers waiting for it until then.
  let databaseUrl: string | null = null;
  const waiting = new Set<Worker>();
  // The database did not start: the primary reports that alone and exits.
  let failed = false;
  let ready = 0;
  let started = false;
  let stopping = false;

  const stopDatabase = async () => {
    await embedded?.stop().catch((err) => log.error({ err }, 'stopping the embedded database failed'));
  };

  const fork = (): Worker => {
    const worker = cluster.fork();
    workers.add(worker);
    worker.on('message', (report: WorkerReport | SeatRequest) => {
      if (report?.type === 'socket-seat' || report?.type === 'socket-seat-release') {
        seats.handle(worker, report);
      } else if (report?.type === 'waiting') {
        if (databaseUrl) worker.send({ type: 'database', url: databaseUrl } satisfies DatabaseReady);
        else waiting.add(worker);
      } else if (report?.type === 'ready' && !started) {
        ready++;
        if (ready === config.workers) {
          started = true;
          log.info({ url: report.url, workers: config.workers }, `gateway ready at ${report.url} with ${config.workers} workers (Apollo Sandbox opens there in a browser)`);
        }
      } else if (report?.type === 'failed' && !started && !stopping) {
        // The first failure is the one to report: the others follow from it (the same port).
        console.error(report.message);
        void abort();
      }
    });
    worker.on('exit', (code, signal) => {
      workers.delete(worker);
      seats.workerExited(worker.id);
      waiting.delete(worker);
      if (failed) return;
      if (stopping) {
        // A worker that could not drain (or was killed) makes the whole stop a failure.
        if (code !== 0) exitCode = 1;
        if (workers.size === 0) void finish();
        return;
      }
      if (!started) {
        log.error({ code, signal }, 'a gateway worker exited while starting');
        void abort();
        return;
      }
      log.error({ code, signal, pid: worker.process.pid }, 'a gateway worker exited: starting another');
      fork();
    });
    return worker;
  };

  let exitCode = 0;
  const finish = async () => {
    await stopDatabase();
    process.exit(exitCode);
  };

  const stopWorkers = (code: number) => {
    stopping = true;
    exitCode = code;
    const force = setTimeout(() => {
      log.error('shutdown took longer than 30 s: killing the remaining workers');
      exitCode = 1;
      for (const worker of workers) worker.process.kill('SIGKILL');
    }, SHUTDOWN_LIMIT_MS);
    force.unref();
    if (workers.size === 0) return void finish();
    for (const worker of workers) worker.process.kill('SIGTERM');
  };

  const abort = async () => {
    if (stopping) return;
    stopWorkers(1);
  };

  for (let i = 0; i < config.workers; i++) fork();

  try {
    if (!url) {
      embedded = await startEmbeddedDatabase({ dataDir: config.dataDir, port: config.embeddedPgPort, log });
      url = embedded.url;
    }
    // The ORM (and its migrator) only when there is something to migrate: the primary serves
    // nothing, and what it loads takes CPU from the workers loading the gateway meanwhile.
    if (!(await migrationsApplied(url))) {
      const { openDatabase } = await import('./db/orm.js');
      const orm = await openDatabase(url, { poolMax: 1, logger: log });
      await orm.close();
    }
    log.info('database migrated');
  } catch (error) {
    // The workers have nothing open yet: they stop at once.
    failed = true;
    for (const worker of workers) worker.process.kill('SIGTERM');
    await embedded?.stop().catch(() => undefined);
    const message = startupFailure(error);
    if (message) {
      console.error(message);
      process.exit(1);
    }
    throw error;
  }

  onSignal = (signal: string) => {
    if (stopping) return;
    log.info({ signal, workers: workers.size }, 'draining every worker, then stopping');
    stopWorkers(0);
  };
  if (signalled) {
    log.info({ signal: signalled }, 'stopping before the workers started');
    onSignal(signalled);
    return;
  }

  databaseUrl = url;
  for (const worker of waiting) worker.send({ type: 'database', url } satisfies DatabaseReady);
  waiting.clear();
}

/**
 * In a worker: tells the primary it waits, and resolves with the database's URL once the primary
 * has started and migrated it; rejects when the primary is gone.
 */
export function databaseFromPrimary(): Promise<string> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: DatabaseReady) => {
      if (message?.type !== 'database') return;
      done();
      resolve(message.url);
    };
    const onDisconnect = () => {
      done();
      reject(new Error('the primary is gone'));
    };
    const done = () => {
      process.off('message', onMessage);
      process.off('disconnect', onDisconnect);
    };
    process.on('message', onMessage);
    process.on('disconnect', onDisconnect);
    reportToPrimary({ type: 'waiting' });
  });
}

/** Tells the primary, when there is one, how this worker's start went. */
export function reportToPrimary(report: WorkerReport): void {
  if (cluster.isWorker && process.send) process.send(report);
}
