// `npm start`'s build step: runs `tsc -b tsconfig.server.json` only when a source, a tsconfig or
// the lock file is newer than the last server build (or the build is missing). With nothing
// changed it returns at once; tsc itself spends most of a second loading before it finds that out.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const info = resolve(root, 'dist/.tsbuildinfo-server');

function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

const inputs = Math.max(
  newest(resolve(root, 'src')),
  ...['tsconfig.json', 'tsconfig.build.json', 'tsconfig.server.json', 'package-lock.json'].map((f) => statSync(resolve(root, f)).mtimeMs),
);
const stale = !existsSync(info) || !existsSync(resolve(root, 'dist/src/main.js')) || statSync(info).mtimeMs < inputs;
if (stale) {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const { status } = spawnSync(process.execPath, [tsc, '-b', 'tsconfig.server.json'], { cwd: root, stdio: 'inherit' });
  // tsc leaves its build info untouched when nothing needed building: mark the check as done.
  if (status === 0 && existsSync(info)) utimesSync(info, new Date(), new Date());
  process.exit(status ?? 1);
}
