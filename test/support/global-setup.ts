import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import type { TestProject } from 'vitest/node';
import { startEmbeddedDatabase, type EmbeddedDatabase } from '../../src/db/embedded';
import { openDatabase } from '../../src/db/orm';
import { createLogger } from '../../src/logger';
import { alive, freePort } from './process';

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
    // A cluster per run (named after this process), so runs side by side never share one.
    const base = resolve(__dirname, '../../.data');
    cleanAbandonedClusters(base);
    const dataDir = join(base, `test-${process.pid}`);
    embedded = await startEmbeddedDatabase({ dataDir, port: await freePort(), database: 'postgres', log });
    serverUrl = embedded.url;
    const stop = embedded.stop;
    embedded.stop = async () => {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
    };
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

/** Clusters of test runs that died without their teardown: stop their server, delete them. */
function cleanAbandonedClusters(base: string): void {
  if (!existsSync(base)) return;
  for (const name of readdirSync(base)) {
    const owner = /^test-(\d+)$/.exec(name);
    if (!owner || alive(Number(owner[1]))) continue;
    const pidFile = join(base, name, 'pg', 'postmaster.pid');
    if (existsSync(pidFile)) {
      const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
      if (pid > 0 && alive(pid)) process.kill(pid, 'SIGQUIT'); // immediate shutdown: the data is thrown away
    }
    rmSync(join(base, name), { recursive: true, force: true });
  }
}

