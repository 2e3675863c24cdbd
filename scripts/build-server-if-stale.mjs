// The server build of `npm start` (scripts/start.mjs): runs `tsc -b tsconfig.server.json` only
// when a source, a tsconfig or the lock file is newer than the last server build (or the build is
// missing). With nothing changed it returns at once; tsc itself spends most of a second loading
// before it finds that out.
import { spawnSync } from 'node:child_process';
import { existsSync, utimesSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serverBuildInfo, serverStale } from './server-stale.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
if (serverStale()) {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const { status } = spawnSync(process.execPath, [tsc, '-b', 'tsconfig.server.json'], { cwd: root, stdio: 'inherit' });
  // tsc leaves its build info untouched when nothing needed building: mark the check as done.
  if (status === 0 && existsSync(serverBuildInfo)) utimesSync(serverBuildInfo, new Date(), new Date());
  process.exit(status ?? 1);
}
