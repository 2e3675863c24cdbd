import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';

/**
 * True when every migration in the migrations folder is recorded as applied, read with one plain
 * query: then a start has nothing to migrate and need not load the ORM's migrator (umzug and its
 * command-line and schema packages). The folder holds every migration the index registers, so a
 * true answer is never wrong; anything else (a new file, no table yet) answers false and the
 * migrator runs as always.
 */
export async function migrationsApplied(url: string): Promise<boolean> {
  const files = readdirSync(join(__dirname, 'migrations'))
    .map((file) => /^(Migration\d+)\.(?:js|ts)$/.exec(file)?.[1])
    .filter((name): name is string => name !== undefined);
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>('select name from mikro_orm_migrations');
    const applied = new Set(rows.map((row) => row.name));
    return files.every((name) => applied.has(name));
  } catch (error) {
    if ((error as { code?: string }).code === '42P01') return false; // no table yet: a new database
    throw error;
  } finally {
    await client.end();
  }
}
