import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { MikroORM, type EntityManager } from '@mikro-orm/postgresql';
import { Client } from 'pg';
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
    orm = await MikroORM.init(await ormOptions(inject('databaseUrl'), { poolMax: 2 }));
  }
  return orm.em.fork();
}

/** Runs raw SQL against the test database. */
export async function sql<T = Record<string, unknown>>(query: string, params: unknown[] = []): Promise<T[]> {
  const em = await testEm();
  return em.execute<T[]>(query, params);
}

/**
 * An empty database of its own on the run's test server, for a file that must migrate or fill
 * one alone (migrations from an earlier schema, a fuzz corpus); dropped again by `drop()`.
 */
export async function scratchDatabase(label: string): Promise<{ url: string; drop(): Promise<void> }> {
  const server = new URL(inject('databaseUrl'));
  const name = `${server.pathname.slice(1)}_${label}_${randomBytes(3).toString('hex')}`;
  const admin = async (query: string) => {
    const client = new Client({ connectionString: server.toString() });
    await client.connect();
    try {
      await client.query(query);
    } finally {
      await client.end();
    }
  };
  await admin(`create database "${name}"`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`drop database if exists "${name}" with (force)`) };
}
