import 'reflect-metadata';
import { startApp } from './app';
import { ConfigError, loadConfig } from './config';
import { DataDirInUseError } from './db/data-dir-lock';
import { EmbeddedDatabaseError } from './db/embedded';
import { createLogger } from './logger';

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
  let app;
  try {
    app = await startApp(config, log);
  } catch (error) {
    const message = startupFailure(error, config.port);
    if (message) {
      // One clear line, no stack: these are the user's to fix, not faults of the gateway.
      console.error(message);
      process.exit(1);
    }
    throw error;
  }
  const running = app;
  log.info({ url: running.gateway.url }, `gateway ready at ${running.gateway.url} (Apollo Sandbox opens there in a browser)`);

  let stopping = false;
  const shutdown = (signal: string) => {
    // `npm start` in a terminal delivers Ctrl-C twice (to npm and to node): one shutdown is enough.
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'draining requests and sockets, then stopping');
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
