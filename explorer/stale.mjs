// Whether the explorer's bundle (dist/explorer) is older than its sources or the lock file, or
// missing. File times only: it loads nothing (esbuild is loaded by build.mjs when it bundles).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export function explorerStale() {
  const built = resolve(here, '../dist/explorer/main.js');
  if (!existsSync(built)) return true;
  const sources = [...readdirSync(here).map((f) => resolve(here, f)), resolve(here, '../package-lock.json')];
  return statSync(built).mtimeMs < Math.max(...sources.map((f) => statSync(f).mtimeMs));
}
