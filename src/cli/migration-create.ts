import 'reflect-metadata';
import { MikroORM } from '@mikro-orm/postgresql';
import { ormOptions } from '../db/orm';

/**
 * Writes the next migration: the difference between the committed migrations and the entities.
 * Usage: DATABASE_URL=postgres://… npm run migration:create (an empty scratch database).
 */
async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('Set DATABASE_URL to an empty scratch database');
  const orm = await MikroORM.init(await ormOptions(url));
  try {
    await orm.getMigrator().up();
    const result = await orm.getMigrator().createMigration(undefined, false, process.argv.includes('--initial'));
    console.log(result.fileName ? `created ${result.fileName}; add it to src/db/migrations/index.ts` : 'no changes');
  } finally {
    await orm.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
