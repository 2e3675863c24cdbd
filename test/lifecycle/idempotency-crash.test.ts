// A gateway killed while it runs a mutation sent with an Idempotency-Key: the retry, on another
// gateway, runs it if nothing had committed, and otherwise says it was applied — never twice,
// and never "in progress" for a day. The gateway is a real process (dist/src/main.js) killed
// with SIGKILL; PostgreSQL locks taken by the test hold it at the exact step to kill it in.
import type { ChildProcess } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { sql } from '../support/db';
import { createOrganization, type TestOrganization } from '../support/factories/organization';
import { startTestGateway, TEST_JWT_SECRET, type TestGateway } from '../support/gateway';
import { freePort, spawnGateway, untilReady } from '../support/process';

const CREATE = 'mutation ($name: String!) { createConsortium(input: { name: $name }) { id name } }';

let survivor: TestGateway;
let org: TestOrganization;
beforeAll(async () => {
  survivor = await startTestGateway();
  org = await createOrganization(survivor);
});
/** Every gateway process started here, killed at the end whatever happened in between. */
const started: ChildProcess[] = [];
afterAll(async () => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await survivor?.stop();
});

/** A gateway in a process of its own, on the run's database, its sessions named after its port. */
async function startDoomed(): Promise<{ child: ChildProcess; url: string; port: number }> {
  const port = await freePort();
  const database = new URL(inject('databaseUrl'));
  database.searchParams.set('application_name', `doomed-${port}`);
  const gw = await spawnGateway(
    {
      NODE_ENV: 'test',
      WORKERS: '1',
      HOST: '127.0.0.1',
      DATABASE_URL: database.toString(),
      JWT_SECRET: TEST_JWT_SECRET,
      CA_KEY_SECRET: 'test-ca-key-secret-0123456789abcdef',
      LOG_LEVEL: 'silent',
    },
    port,
  );
  started.push(gw.child);
  await untilReady(gw);
  return { child: gw.child, url: `http://127.0.0.1:${port}/graphql`, port };
}

async function send(url: string, name: string, key: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await survivor.tokenFor(org.owner.email)}`, 'idempotency-key': key },
    body: JSON.stringify({ query: CREATE, variables: { name } }),
  });
  const body = (await response.json()) as { data?: unknown; errors?: { message: string; extensions: { code: string; applied?: boolean } }[] };
  return { status: response.status, replayed: response.headers.get('idempotent-replayed'), body };
}

const consortia = async (name: string) => (await sql<{ id: string }>('select id from consortium where name = ?', [name])).length;

async function until(check: () => Promise<boolean>, what: string) {
  // Up to a minute: the suite runs beside other files that start gateways and databases.
  for (let i = 0; i < 600; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  const activity = await sql('select state, wait_event_type, left(query, 120) as query from pg_stat_activity where datname = current_database()');
  throw new Error(`timed out waiting until ${what}: ${JSON.stringify(activity)}`);
}

/** A statement of the gateway waiting on a lock the test holds. */
const waiting = (like: string) => async () =>
  (await sql<{ n: number }>(`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and query ilike ?`, [like]))[0]!.n > 0;

/**
 * SIGKILL, and the end of its database sessions: a statement waiting on a lock does not read its
 * socket, so PostgreSQL would learn of the death only once the lock is free, and might still run
 * that statement. Ending the sessions stands for a host that is gone.
 */
async function kill(child: ChildProcess, port: number) {
  const exited = new Promise((ok) => child.once('exit', ok));
  child.kill('SIGKILL');
  await exited;
  await sql(`select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and application_name = ?`, [`doomed-${port}`]);
}

describe('Idempotency-Key across a gateway that dies', { timeout: 120_000 }, () => {
  it('runs the mutation on retry when the gateway died before anything committed', async () => {
    const name = `Crash before commit ${Date.now()}`;
    const key = `before-${Date.now()}`;
    const doomed = await startDoomed();
    const blocker = new pg.Client({ connectionString: inject('databaseUrl') });
    await blocker.connect();
    try {
      // Consortia cannot be written: the mutation waits inside its transaction.
      await blocker.query('begin');
      await blocker.query('lock table consortium in exclusive mode');
      void send(doomed.url, name, key).catch(() => undefined);
      await until(waiting('%insert into "consortium"%'), 'the mutation waits inside its transaction');
      await kill(doomed.child, doomed.port);
      await blocker.query('rollback');
    } finally {
      await blocker.end();
    }
    // Before: the key answered "still in progress" (409) for 24 hours.
    const retry = await send(survivor.url, name, key);
    expect(retry.body.errors).toBeUndefined();
    expect(retry.status).toBe(200);
    expect(retry.replayed).toBeNull();
    expect(await consortia(name)).toBe(1);
    // And from now on the retry's answer is the key's answer.
    const again = await send(survivor.url, name, key);
    expect(again.replayed).toBe('true');
    expect(again.body.data).toEqual(retry.body.data);
    expect(await consortia(name)).toBe(1);
  });

  it('tells a retry the change was made when the gateway died after the commit, before keeping its answer', async () => {
    const name = `Crash after commit ${Date.now()}`;
    const key = `after-${Date.now()}`;
    const doomed = await startDoomed();
    const tables = new pg.Client({ connectionString: inject('databaseUrl') });
    const row = new pg.Client({ connectionString: inject('databaseUrl') });
    await Promise.all([tables.connect(), row.connect()]);
    try {
      await tables.query('begin');
      await tables.query('lock table consortium in exclusive mode');
      void send(doomed.url, name, key).catch(() => undefined);
      await until(waiting('%insert into "consortium"%'), 'the mutation waits inside its transaction');
      // The key's row is held, so that its answer cannot be stored once the mutation commits.
      await row.query('begin');
      await row.query('select 1 from idempotency_key where key = $1 for no key update', [key]);
      await tables.query('commit');
      await until(async () => (await consortia(name)) === 1, 'the mutation committed');
      await until(waiting('%update idempotency_key set response%'), 'the answer waits to be stored');
      await kill(doomed.child, doomed.port);
      await row.query('rollback');
    } finally {
      await Promise.all([tables.end(), row.end()]);
    }
    const retry = await send(survivor.url, name, key);
    expect(retry.status).toBe(409);
    expect(retry.body.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', applied: true });
    expect(retry.body.errors?.[0]?.message).toMatch(/was applied/);
    expect(await consortia(name)).toBe(1);
  });
});
