import './compile-cache';
import 'reflect-metadata';
import cluster from 'node:cluster';
import type { RunningApp } from './app';
import { databaseFromPrimary, reportToPrimary, runPrimary } from './cluster';
import { ConfigError, loadConfig, type Config } from './config';
import { DataDirInUseError } from './db/data-dir-lock';
import { EmbeddedDatabaseError, startEmbeddedDatabase, type EmbeddedDatabase } from './db/embedded';
import { createLogger, type Logger } from './logger';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`Configuration error: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  const log = createLogger(config.logLevel);
  // WORKERS gateway processes share the port: this one starts them (src/cluster.ts).
  if (cluster.isPrimary && config.workers > 1) {
    return runPrimary(config, log, (error) => startupFailure(error, config.port));
  }
  return runGateway(config, log);
}

/** One gateway: the whole of it with WORKERS=1, else one worker of the primary's. */
async function runGateway(config: Config, log: Logger): Promise<void> {
  const worker = cluster.isWorker;
  let running: RunningApp | null = null;
  let stopping = false;
  // A worker waits for its primary's database with nothing open: a signal then ends it at once.
  let waitingForDatabase = worker;
  const shutdown = (signal: string) => {
    if (waitingForDatabase) process.exit(0);
    // `npm start` in a terminal delivers Ctrl-C twice (to npm and to node): one shutdown is enough.
    if (stopping) return;
    stopping = true;
    // A signal while starting (a worker told to stop with its siblings) stops once started.
    if (!running) return;
    log.info({ signal, ...(worker ? { pid: process.pid } : {}) }, 'draining requests and sockets, then stopping');
    const force = setTimeout(() => {
      log.error('shutdown took longer than 30 s: exiting');
      process.exit(1);
    }, 30_000);
    force.unref();
    running
      .stop()
      .then(() => process.exit(0))
      .catch((err) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  // A worker whose primary is gone (killed) stops too: nothing would stop it otherwise.
  if (worker) process.on('disconnect', () => shutdown('primary gone'));

  try {
    // The gateway's modules are most of a start's CPU: the primary only starts the database (the
    // cluster's primary never loads them), a worker loads them while its primary starts it.
    const app = import('./app.js');
    let embedded: EmbeddedDatabase | undefined;
    if (worker) {
      await app;
      const databaseUrl = await databaseFromPrimary();
      waitingForDatabase = false;
      config = { ...config, databaseUrl };
    } else if (!config.databaseUrl) {
      // One process: the embedded PostgreSQL starts while the modules load.
      const [loaded, started] = await Promise.allSettled([app, startEmbeddedDatabase({ dataDir: config.dataDir, port: config.embeddedPgPort, log })]);
      if (started.status === 'rejected') throw started.reason;
      embedded = started.value;
      if (loaded.status === 'rejected') {
        await embedded.stop().catch(() => undefined);
        throw loaded.reason;
      }
    }
    const { startApp } = await app;
    // A worker's primary has migrated the database already.
    running = await startApp(config, log, { migrate: !worker, embedded });
  } catch (error) {
    // Told to stop while starting: nothing was served, nothing to report.
    if (stopping) process.exit(0);
    const message = startupFailure(error, config.port);
    if (worker) {
      reportToPrimary({ type: 'failed', message: message ?? String((error as Error)?.stack ?? error) });
      process.exit(1);
    }
    if (message) {
      // One clear line, no stack: these are the user's to fix, not faults of the gateway.
      console.error(message);
      process.exit(1);
    }
    throw error;
  }
  if (worker) {
    log.debug({ url: running.gateway.url, pid: process.pid }, 'gateway worker ready');
    reportToPrimary({ type: 'ready', url: running.gateway.url });
  } else {
    log.info({ url: running.gateway.url }, `gateway ready at ${running.gateway.url} (Apollo Sandbox opens there in a browser)`);
  }
  if (stopping) {
    stopping = false;
    shutdown('signal received while starting');
  }
}

/** The message of a start-up failure the user can fix (taken folder or port), or null. */
function startupFailure(error: unknown, port: number): string | null {
  if (error instanceof EmbeddedDatabaseError || error instanceof DataDirInUseError) return error.message;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') return `port ${port} is already in use; stop what uses it or set PORT`;
  if (code === 'EACCES') return `port ${port} may not be opened by this user; set PORT to another port`;
  return null;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
