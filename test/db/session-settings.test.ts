// The read path's and the budgets' sessions get their own settings (no bitmap scans, commits
// that do not wait for the disk) whatever the connection string carries: a DATABASE_URL with
// `?options=…` of its own keeps those and gets these too. The ORM's connections keep them as well.
import type { Pool } from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { Config } from '../../src/config';
import { openDatabase } from '../../src/db/orm';
import { SqlReader } from '../../src/db/reader';
import { Budgets } from '../../src/graphql/budgets';

const url = new URL(inject('databaseUrl'));
url.searchParams.set('options', '-c statement_timeout=7s');

const reader = new SqlReader(url.toString(), 1);
const config = { dbPoolMax: 2, budget: { pointsPerMinute: 1000, anonymousPointsPerMinute: 100, authFailuresPerMinute: 10 } } as Config;
const budgets = new Budgets(url.toString(), config);
afterAll(async () => {
  await reader.close();
  await budgets.close();
});

const setting = async (query: (text: string) => Promise<{ rows: Record<string, string>[] }>, name: string) => (await query(`show ${name}`)).rows[0][name];

describe('session settings with options in the connection string', () => {
  it('the read path walks indexes (no bitmap scans) and keeps the URL’s settings', async () => {
    const show = async (text: string) => ({ rows: await reader.rows<Record<string, string>>(text) });
    expect(await setting(show, 'enable_bitmapscan')).toBe('off');
    expect(await setting(show, 'statement_timeout')).toBe('7s');
  });

  it('the budgets’ commits do not wait for the disk, and keep the URL’s settings', async () => {
    // The pool is the budgets' own; nothing else shows its sessions' settings.
    const pool = (budgets as unknown as { pool: Pool }).pool;
    const show = (text: string) => pool.query<Record<string, string>>(text);
    expect(await setting(show, 'synchronous_commit')).toBe('off');
    expect(await setting(show, 'statement_timeout')).toBe('7s');
  });

  it('the ORM’s connections keep the URL’s settings', async () => {
    const orm = await openDatabase(url.toString(), { migrate: false });
    try {
      const [row] = await orm.em.getConnection().execute<{ statement_timeout: string }[]>('show statement_timeout');
      expect(row.statement_timeout).toBe('7s');
    } finally {
      await orm.close();
    }
  });
});
