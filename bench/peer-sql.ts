import { Client } from 'pg';

/**
 * What PostGraphile needs in the benchmark's database beyond the gateway's tables: `me()`, the
 * caller's user from the verified token's `sub` claim (PostGraphile's JWT preset sets
 * `jwt.claims.sub` for the request's transaction). Benchmark databases only; never a migration.
 */
export async function preparePeerSchema(url: string): Promise<void> {
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    await db.query(`
      create schema if not exists bench_pgl;
      create or replace function bench_pgl.me() returns public.app_user language sql stable as $$
        select * from public.app_user where subject = current_setting('jwt.claims.sub', true)
      $$;`);
  } finally {
    await db.end();
  }
}
