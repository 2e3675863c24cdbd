import 'reflect-metadata';
import { MikroORM } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ormOptions } from '../../src/db/orm';

// The committed migrations, applied to an empty database, must produce exactly the schema the
// entities describe: the schema is never synchronised at run time, so any drift would be a bug.
const name = `migrations_${process.pid}_${Date.now().toString(36)}`;
let orm: MikroORM;
let serverUrl: URL;

beforeAll(async () => {
  serverUrl = new URL(inject('databaseUrl'));
  const admin = new Client({ connectionString: serverUrl.toString() });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  orm = await MikroORM.init(ormOptions(url.toString(), { poolMax: 2 }));
});

afterAll(async () => {
  await orm?.close();
  const admin = new Client({ connectionString: serverUrl.toString() });
  await admin.connect();
  await admin.query(`drop database if exists "${name}" with (force)`);
  await admin.end();
});

describe('migrations', () => {
  it('bring an empty database to exactly the entities’ schema', async () => {
    const applied = await orm.getMigrator().up();
    expect(applied.length).toBeGreaterThan(0);
    const diff = await orm.getSchemaGenerator().getUpdateSchemaSQL({ wrap: false });
    const statements = diff
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('set names'));
    expect(statements).toEqual([]);
  });

  it('hold the integrity the database can keep', async () => {
    const em = orm.em.fork();
    const checks = await em.execute<{ conname: string }[]>(
      "select conname from pg_constraint where contype in ('c', 'u', 'f') order by conname",
    );
    const names = checks.map((c) => c.conname);
    expect(names).toEqual(
      expect.arrayContaining([
        'organization_licenses_check',
        'app_user_email_unique',
        'app_user_email_check',
        'membership_consortium_display_name_unique',
        'membership_permissions_check',
        'membership_organization_id_foreign',
        'node_environment_id_foreign',
      ]),
    );
    await expect(em.execute("insert into organization (id, name, licenses) values (gen_random_uuid(), 'x', -1)")).rejects.toThrow(
      /organization_licenses_check/,
    );
    await expect(
      em.execute("insert into app_user (id, email) values (gen_random_uuid(), 'Upper@Example.test')"),
    ).rejects.toThrow(/app_user_email_check/);
  });

  it('are all listed, in order, so compiled output and tests apply the same ones', async () => {
    const executed = await orm.getMigrator().getExecutedMigrations();
    const names = executed.map((m) => m.name);
    expect(names).toEqual([...names].sort());
    expect(await orm.getMigrator().getPendingMigrations()).toEqual([]);
  });
});
