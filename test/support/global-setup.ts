import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { Client } from 'pg';
import type { TestProject } from 'vitest/node';
import { startEmbeddedDatabase, type EmbeddedDatabase } from '../../src/db/embedded';
import { openDatabase } from '../../src/db/orm';
import { createLogger } from '../../src/logger';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

/**
 * One fresh database for the whole run, on DATABASE_URL's server when set, else on an embedded
 * PostgreSQL in .data/test. Migrated once here; every test file seeds its own organizations.
 */
export default async function setup(project: TestProject) {
  const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'warn');
  let embedded: EmbeddedDatabase | null = null;
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const port = Number(process.env.TEST_PG_PORT ?? 54339);
    embedded = await startEmbeddedDatabase({ dataDir: resolve(__dirname, '../../.data/test'), port, database: 'postgres', log });
    serverUrl = embedded.url;
  }
  const name = `gateway_test_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const orm = await openDatabase(url.toString());
  await orm.close();
  project.provide('databaseUrl', url.toString());

  return async () => {
    const cleanup = new Client({ connectionString: serverUrl });
    await cleanup.connect();
    await cleanup.query(`drop database if exists "${name}" with (force)`);
    await cleanup.end();
    await embedded?.stop();
  };
}
