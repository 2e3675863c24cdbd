import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ormOptions } from '../../src/db/orm';
import { scratchDatabase } from '../support/db';
import { eventHash } from '../../src/modules/event/event.hash';

// Migration20261202182714 carries first-edition data over to §8.1, tested from the schema before
// it: memberships frozen one by one become organization-wide freezes, and network roles of
// organizations without a current membership end, each change with its event on the chain.
const PREVIOUS = 'Migration20261202161500';
let orm: MikroORM;
let scratch: Awaited<ReturnType<typeof scratchDatabase>>;

beforeAll(async () => {
  scratch = await scratchDatabase('migration_8_1');
  orm = await MikroORM.init(await ormOptions(scratch.url, { poolMax: 2 }));
});

afterAll(async () => {
  await orm?.close();
  await scratch?.drop();
});

describe('Migration20261202182714 (§8.1 data)', () => {
  it('freezes the organization wherever one of its memberships was frozen alone, and ends network roles without a membership', async () => {
    await orm.getMigrator().up({ to: PREVIOUS });
    const db = orm.em.getConnection();
    const id = () => randomUUID();
    const [creator, halfFrozen, active, gone] = [id(), id(), id(), id()];
    for (const [org, label] of [[creator, 'creator'], [halfFrozen, 'half frozen'], [active, 'active'], [gone, 'gone']]) {
      await db.execute('insert into organization (id, name) values (?, ?)', [org, label]);
    }
    const [consortium, deleted] = [id(), id()];
    await db.execute('insert into consortium (id, name, creator_organization_id) values (?, ?, ?)', [consortium, 'live', creator]);
    await db.execute('insert into consortium (id, name, creator_organization_id, deleted_at) values (?, ?, ?, now())', [deleted, 'deleted', creator]);
    const seat = async (c: string, org: string, status: string, role = 'MEMBER') => {
      const m = id();
      await db.execute('insert into membership (id, consortium_id, organization_id, display_name, role, status) values (?, ?, ?, ?, ?, ?)', [
        m, c, org, `${org}-${m}`, role, status,
      ]);
      return m;
    };
    const admin = await seat(consortium, creator, 'ACTIVE', 'ADMINISTRATOR');
    const frozenAlone = await seat(consortium, halfFrozen, 'FROZEN');
    const stillActive = await seat(consortium, halfFrozen, 'ACTIVE');
    const leftSeat = await seat(consortium, halfFrozen, 'LEFT');
    const otherActive = await seat(consortium, active, 'ACTIVE');
    const goneSeat = await seat(consortium, gone, 'LEFT');
    await seat(deleted, halfFrozen, 'FROZEN');
    const inDeleted = await seat(deleted, halfFrozen, 'ACTIVE');

    const user = async (org: string) => {
      const u = id();
      await db.execute("insert into app_user (id, email, organization_id, account_role) values (?, ?, ?, 'MEMBER')", [u, `${u}@example.test`, org]);
      return u;
    };
    const [keeps, loses, frozenUser] = [await user(active), await user(gone), await user(halfFrozen)];
    for (const [u, role] of [[keeps, 'ADMIN'], [loses, 'OPERATOR'], [frozenUser, 'GUEST']]) {
      await db.execute('insert into network_role (id, user_id, consortium_id, role) values (?, ?, ?, ?)', [id(), u, consortium, role]);
    }
    // One first-edition event, so the new ones must link to it.
    const first = {
      sequence: 1, consortiumId: consortium, kind: 'CONSORTIUM_CREATED', actorUserId: null, actorOrganizationId: creator,
      actingMembershipId: admin, subjectType: 'Consortium', subjectId: consortium, audienceOrganizationId: null,
      payload: { name: 'live' }, createdAt: new Date('2026-11-30T00:00:00.000Z'), prevHash: null,
    };
    await db.execute(
      `insert into event (sequence, consortium_id, kind, actor_organization_id, acting_membership_id, subject_type, subject_id, payload, created_at, hash)
       values (1, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?)`,
      [consortium, first.kind, creator, admin, 'Consortium', consortium, JSON.stringify(first.payload), first.createdAt, eventHash(first)],
    );
    await db.execute("select setval(pg_get_serial_sequence('event', 'sequence'), 1)");

    await orm.getMigrator().up();

    const statuses = Object.fromEntries(
      (await db.execute<{ id: string; status: string }[]>('select id, status from membership')).map((r) => [r.id, r.status]),
    );
    expect(statuses).toMatchObject({
      [admin]: 'ACTIVE', [frozenAlone]: 'FROZEN', [stillActive]: 'FROZEN', [leftSeat]: 'LEFT', [otherActive]: 'ACTIVE', [goneSeat]: 'LEFT',
      [inDeleted]: 'FROZEN',
    });
    const roles = await db.execute<{ user_id: string }[]>('select user_id from network_role order by user_id');
    expect(roles.map((r) => r.user_id).sort()).toEqual([keeps, frozenUser].sort());

    const events = await db.execute<{ sequence: string; kind: string; subject_id: string; audience_organization_id: string; payload: Record<string, unknown>; prev_hash: string | null; hash: string; consortium_id: string }[]>(
      'select * from event order by sequence',
    );
    // Only the live consortium's chain grows: one MEMBER_FROZEN, one NETWORK_ROLE_REVOKED.
    expect(events.map((e) => [e.kind, e.subject_id])).toEqual([
      ['CONSORTIUM_CREATED', consortium],
      ['MEMBER_FROZEN', stillActive],
      ['NETWORK_ROLE_REVOKED', loses],
    ]);
    expect(events[1]).toMatchObject({ audience_organization_id: halfFrozen, payload: { membershipId: stillActive, status: 'FROZEN' } });
    expect(events[2]).toMatchObject({ audience_organization_id: gone, payload: { role: 'OPERATOR', reason: 'MEMBERSHIP_ENDED' } });
    for (let i = 1; i < events.length; i++) {
      const e = await db.execute<Record<string, any>[]>('select * from event where sequence = ?', [events[i].sequence]);
      const row = e[0];
      expect(row.prev_hash).toBe(events[i - 1].hash);
      expect(
        eventHash({
          sequence: Number(row.sequence), consortiumId: row.consortium_id, kind: row.kind, actorUserId: row.actor_user_id,
          actorOrganizationId: row.actor_organization_id, actingMembershipId: row.acting_membership_id, subjectType: row.subject_type,
          subjectId: row.subject_id, audienceOrganizationId: row.audience_organization_id, payload: row.payload,
          createdAt: new Date(row.created_at), prevHash: row.prev_hash,
        }),
      ).toBe(row.hash);
    }
    // And the new kind is accepted.
    await db.execute(
      `insert into event (consortium_id, kind, subject_type, subject_id, payload, hash) values (?, 'ADMINISTRATION_TRANSFERRED', 'Membership', ?, '{}', 'x')`,
      [consortium, otherActive],
    );
  });
});
