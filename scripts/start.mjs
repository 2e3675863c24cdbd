// `npm start`: builds what is stale (the server with tsc, the offline explorer's bundle), then
// runs the gateway in this same process. One node process instead of a prestart step with two
// more: with nothing changed, a start pays for a few file-time checks and no extra process.
// The gateway's cluster workers run this file too (node:cluster forks the same entry point) and
// go straight to the gateway.
import cluster from 'node:cluster';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { explorerStale } from '../explorer/stale.mjs';
import { serverStale } from './server-stale.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

if (cluster.isPrimary) {
  if (serverStale()) run(resolve(root, 'scripts/build-server-if-stale.mjs'));
  if (explorerStale()) run(resolve(root, 'explorer/build.mjs'));
}
require(resolve(root, 'dist/src/main.js'));

function run(script) {
  const { status } = spawnSync(process.execPath, [script], { cwd: root, stdio: 'inherit' });
  if (status !== 0) process.exit(status ?? 1);
}
