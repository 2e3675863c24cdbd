// Bundles the offline explorer (GraphiQL, React, the Monaco editor and its workers) from the
// installed packages into dist/explorer, which the gateway serves at /explorer/assets.
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { explorerStale } from './stale.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const outdir = resolve(here, '../dist/explorer');

// `--if-stale` (build:server): nothing to do when the bundle is newer than its sources and the
// lock file, so that a build with nothing changed does not bundle again.
if (process.argv.includes('--if-stale') && !explorerStale()) process.exit(0);
const { build } = await import('esbuild');
const common = {
  bundle: true,
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
  define: { 'process.env.NODE_ENV': '"production"' },
  target: 'es2022',
};

await build({
  ...common,
  entryPoints: { main: resolve(here, 'main.tsx') },
  outdir,
  format: 'esm',
  jsx: 'automatic',
  loader: { '.ttf': 'file', '.woff': 'file', '.woff2': 'file' },
  assetNames: '[name]-[hash]',
});

// Monaco's workers, as classic worker scripts next to the bundle.
await build({
  ...common,
  entryPoints: {
    'editor.worker': require.resolve('monaco-editor/esm/vs/editor/editor.worker.js'),
    'json.worker': require.resolve('monaco-editor/esm/vs/language/json/json.worker.js'),
    'graphql.worker': require.resolve('monaco-graphql/esm/graphql.worker.js'),
  },
  outdir,
  format: 'iife',
});
