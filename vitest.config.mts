import { createRequire } from 'node:module';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  // swc emits the decorator metadata that type-graphql and MikroORM read; esbuild does not.
  plugins: [swc.vite({ module: { type: 'es6' } })],
  resolve: {
    // one copy of graphql, or schema objects from "another realm" are refused
    alias: { graphql: require.resolve('graphql') },
  },
  test: {
    setupFiles: ['reflect-metadata'],
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
    // CI reads the totals from the JSON report, so a run that executed no test is visible.
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: { json: '.data/vitest-report.json' },
  },
});
