import 'reflect-metadata';
import { MikroORM, type EntityManager } from '@mikro-orm/postgresql';
import { afterAll, inject } from 'vitest';
import { ormOptions } from '../../src/db/orm';

let orm: MikroORM | undefined;

// Registered when a test file imports this module, so its connection closes with the file.
afterAll(async () => {
  await orm?.close();
  orm = undefined;
});

/**
 * A direct connection to the run's test database, for arranging state that no API exposes yet
 * and for asserting what was (or was not) written. Behaviour is still asserted through the API.
 */
export async function testEm(): Promise<EntityManager> {
  if (!orm) {
    orm = await MikroORM.init(ormOptions(inject('databaseUrl'), { poolMax: 2 }));
  }
  return orm.em.fork();
}

/** Runs raw SQL against the test database. */
export async function sql<T = Record<string, unknown>>(query: string, params: unknown[] = []): Promise<T[]> {
  const em = await testEm();
  return em.execute<T[]>(query, params);
}
