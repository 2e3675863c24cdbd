// Whether the compiled server is older than its inputs: a source, a tsconfig or the lock file
// newer than the last server build, or the build missing. File times only: it loads nothing.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const serverBuildInfo = resolve(root, 'dist/.tsbuildinfo-server');

function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

export function serverStale() {
  if (!existsSync(serverBuildInfo) || !existsSync(resolve(root, 'dist/src/main.js'))) return true;
  const inputs = Math.max(
    newest(resolve(root, 'src')),
    ...['tsconfig.json', 'tsconfig.build.json', 'tsconfig.server.json', 'package-lock.json'].map((f) => statSync(resolve(root, f)).mtimeMs),
  );
  return statSync(serverBuildInfo).mtimeMs < inputs;
}
