import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { alive, freePort, spawnGateway, untilReady } from '../support/process';

// `npm start` as a user runs it: the compiled gateway in its own process (pretest builds it).
const root = resolve(__dirname, '../..');
const dataDir = resolve(root, `.data/lifecycle-${randomBytes(4).toString('hex')}`);
mkdirSync(dataDir, { recursive: true });
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const start = (env: Record<string, string>) => spawnGateway(env);
const startOn = (port: number, env: Record<string, string>) => spawnGateway(env, port);
const ready = untilReady;

function postmasterPid(): number | null {
  return postmasterPidIn(dataDir);
}

function postmasterPidIn(dir: string): number | null {
  const file = resolve(dir, 'pg/postmaster.pid');
  return existsSync(file) ? Number(readFileSync(file, 'utf8').split('\n')[0]) : null;
}

describe('npm start with the embedded PostgreSQL', { timeout: 120_000 }, () => {
  const env = { DATA_DIR: dataDir, NODE_ENV: 'development' };

  it('starts, answers with a token from npm run token, survives a killed run and stops cleanly', async () => {
    const pgPort = String(await freePort());
    const first = await start({ ...env, EMBEDDED_PG_PORT: pgPort });
    await ready(first);
    expect((await fetch(`http://127.0.0.1:${first.port}/healthz`)).status).toBe(200);

    // npm run token and npm start agree on the development secret kept in the data folder
    const token = execFileSync(process.execPath, [resolve(root, 'dist/src/cli/token.js'), 'lifecycle@example.test'], {
      cwd: root,
      env: { PATH: process.env.PATH!, DATA_DIR: dataDir, NODE_ENV: 'development' },
    })
      .toString()
      .trim();
    const me = await fetch(`http://127.0.0.1:${first.port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ me { email } }' }),
    }).then((r) => r.json() as Promise<{ data?: unknown; errors?: unknown; extensions: { cost: unknown } }>);
    expect(me.data).toEqual({ me: { email: 'lifecycle@example.test' } });
    expect(me.errors).toBeUndefined();
    // Every answer says what it cost and what is left of the caller's budget.
    expect(me.extensions.cost).toMatchObject({ requested: 2, remaining: expect.any(Number) });

    // A killed gateway leaves its database running ...
    const leftover = postmasterPid();
    expect(alive(leftover)).toBe(true);
    first.child.kill('SIGKILL');
    await first.exited;
    expect(alive(leftover)).toBe(true);

    // ... the next start recovers from it and keeps the data ...
    const second = await start({ ...env, EMBEDDED_PG_PORT: pgPort });
    await ready(second);
    expect(second.output()).toMatch(/left running by an earlier run/);
    expect(alive(leftover)).toBe(false);

    // ... and SIGTERM drains, stops the database, and exits 0 with nothing left running.
    const pid = postmasterPid();
    expect(alive(pid)).toBe(true);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(alive(pid)).toBe(false);
  });

  it('a second start on the same DATA_DIR leaves the first alone; a taken PORT is one clear line', async () => {
    const ownDir = resolve(dataDir, 'owned');
    const first = await start({ DATA_DIR: ownDir, NODE_ENV: 'development', EMBEDDED_PG_PORT: String(await freePort()) });
    await ready(first);
    const pg = postmasterPidIn(ownDir);
    expect(alive(pg)).toBe(true);

    // A forgotten terminal: same folder, another port for everything.
    const second = await start({ DATA_DIR: ownDir, NODE_ENV: 'development', EMBEDDED_PG_PORT: String(await freePort()) });
    expect(await second.exited).toBe(1);
    expect(second.output().trim()).toBe(`a gateway (pid ${first.child.pid}) is already using ${relative(root, ownDir)}/; stop it or set DATA_DIR`);
    expect(postmasterPidIn(ownDir)).toBe(pg);
    expect(alive(pg)).toBe(true);
    expect((await fetch(`http://127.0.0.1:${first.port}/readyz`)).status).toBe(200);

    // Another folder, but the first gateway's port: one line naming PORT, no stack.
    const third = await startOn(first.port, { DATA_DIR: resolve(dataDir, 'third'), NODE_ENV: 'development', DATABASE_URL: inject('databaseUrl') });
    expect(await third.exited).toBe(1);
    expect(third.output().trim().split('\n').pop()).toBe(`port ${first.port} is already in use; stop what uses it or set PORT`);
    expect(third.output()).not.toMatch(/\n\s+at /);
    expect((await fetch(`http://127.0.0.1:${first.port}/readyz`)).status).toBe(200);

    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(alive(pg)).toBe(false);
    expect(existsSync(resolve(ownDir, 'gateway.pid'))).toBe(false);
  });

  it('npm run -s token prints the token alone', () => {
    const out = execFileSync('npm', ['run', '-s', 'token', '--', 'Alice@Example.test'], {
      cwd: root,
      env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/root', DATA_DIR: dataDir, NODE_ENV: 'development' },
    }).toString();
    expect(out).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const claims = JSON.parse(Buffer.from(out.split('.')[1], 'base64url').toString());
    expect(claims).toMatchObject({ email: 'alice@example.test' });
  });

  it('with DATABASE_URL uses that server and never starts the embedded one', async () => {
    const ownDir = resolve(dataDir, 'external');
    const s = await start({ DATA_DIR: ownDir, NODE_ENV: 'development', DATABASE_URL: inject('databaseUrl') });
    await ready(s);
    expect(existsSync(resolve(ownDir, 'pg'))).toBe(false);
    s.child.kill('SIGINT');
    expect(await s.exited).toBe(0);
  });

  it('refuses to start in production without secrets, naming the variable', async () => {
    const s = await start({ DATA_DIR: dataDir, NODE_ENV: 'production', DATABASE_URL: inject('databaseUrl') });
    expect(await s.exited).toBe(2);
    expect(s.output()).toMatch(/JWT_SECRET/);
  });
});
