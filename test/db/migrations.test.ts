import 'reflect-metadata';
import { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ormOptions } from '../../src/db/orm';
import { scratchDatabase } from '../support/db';

// The committed migrations, applied to an empty database, must produce exactly the schema the
// entities describe: the schema is never synchronised at run time, so any drift would be a bug.
let orm: MikroORM;
let scratch: Awaited<ReturnType<typeof scratchDatabase>>;

beforeAll(async () => {
  scratch = await scratchDatabase('migrations');
  orm = await MikroORM.init(await ormOptions(scratch.url, { poolMax: 2 }));
});

afterAll(async () => {
  await orm?.close();
  await scratch?.drop();
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

describe('migrations carry existing data over', () => {
  let dataOrm: MikroORM;
  let data: Awaited<ReturnType<typeof scratchDatabase>>;

  beforeAll(async () => {
    data = await scratchDatabase('migrations_data');
    dataOrm = await MikroORM.init(await ormOptions(data.url, { poolMax: 2 }));
  });

  afterAll(async () => {
    await dataOrm?.close();
    await data?.drop();
  });

  it('§8.2 node sizes: every node that existed before takes one license, as it did (SMALL)', async () => {
    await dataOrm.getMigrator().up({ to: 'Migration20261202161500' });
    const em = dataOrm.em.fork();
    const ids = await em.execute<{ org: string; consortium: string; membership: string; env: string; node: string }[]>(
      `select gen_random_uuid() as org, gen_random_uuid() as consortium, gen_random_uuid() as membership,
              gen_random_uuid() as env, gen_random_uuid() as node`,
    );
    const { org, consortium, membership, env, node } = ids[0];
    await em.execute(`insert into organization (id, name, licenses) values (?, 'org', 3)`, [org]);
    await em.execute(`insert into consortium (id, name, creator_organization_id) values (?, 'c', ?)`, [consortium, org]);
    await em.execute(`insert into membership (id, consortium_id, organization_id, display_name, role) values (?, ?, ?, 'm', 'ADMINISTRATOR')`, [
      membership, consortium, org,
    ]);
    await em.execute(
      `insert into environment (id, consortium_id, name, client, consensus, release, chain_id, ca_certificate_pem, ca_private_key_encrypted, created_by_id)
       values (?, ?, 'e', 'BESU', 'QBFT', '25.7.0', 1337, 'pem', 'key', ?)`,
      [env, consortium, membership],
    );
    await em.execute(`insert into node (id, environment_id, membership_id, name, role) values (?, ?, ?, 'n', 'SIGNER')`, [node, env, membership]);

    await dataOrm.getMigrator().up({ to: 'Migration20261202172500' });
    const [row] = await em.execute<{ size: string }[]>('select size from node where id = ?', [node]);
    expect(row.size).toBe('SMALL');
    // The event log accepts the new kind.
    await em.execute(
      `insert into event (consortium_id, kind, subject_type, subject_id, payload, hash) values (?, 'NODE_EXPANDED', 'Node', ?, '{}', 'h')`,
      [consortium, node],
    );
  });

  it('§8.2 chain accounts: the table arrives empty beside the existing data, and the log accepts their events', async () => {
    await dataOrm.getMigrator().up({ to: 'Migration20261202174000' });
    const em = dataOrm.em.fork();
    const [{ n }] = await em.execute<{ n: number }[]>('select count(*)::int as n from chain_account');
    expect(n).toBe(0);
    const [{ consortium_id: consortium }] = await em.execute<{ consortium_id: string }[]>('select consortium_id from environment limit 1');
    await em.execute(
      `insert into event (consortium_id, kind, subject_type, subject_id, payload, hash) values (?, 'CHAIN_ACCOUNT_FROZEN', 'ChainAccount', gen_random_uuid(), '{}', 'h')`,
      [consortium],
    );
  });

  it('§8.2 security editing: existing environments admit every client over TLS 1.2 or newer, as before', async () => {
    await dataOrm.getMigrator().up({ to: 'Migration20261202174800' });
    const em = dataOrm.em.fork();
    const rows = await em.execute<{ allow_list: string[]; tls_min_version: string; tls_require_client_certificate: boolean }[]>(
      'select allow_list, tls_min_version, tls_require_client_certificate from environment',
    );
    expect(rows).toEqual([{ allow_list: [], tls_min_version: 'TLS1_2', tls_require_client_certificate: false }]);
  });
});
