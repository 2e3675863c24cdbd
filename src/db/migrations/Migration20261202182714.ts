import { Migration } from '@mikro-orm/migrations';
import { eventHash } from '../../modules/event/event.hash';

// The same lock as the event recorder's: appends stay in commit order while this runs.
const EVENT_APPEND_LOCK = 4_242_001;

const EVENT_KINDS = [
  'CONSORTIUM_CREATED', 'CONSORTIUM_UPDATED', 'CONSORTIUM_DELETED', 'NETWORK_ROLE_GRANTED', 'NETWORK_ROLE_REVOKED',
  'INVITATION_SENT', 'INVITATION_ACCEPTED', 'INVITATION_DECLINED', 'INVITATION_REVOKED', 'INVITATION_EXPIRED',
  'APPLICATION_SUBMITTED', 'APPLICATION_WITHDRAWN', 'APPLICATION_APPROVED', 'APPLICATION_REJECTED', 'MEMBER_JOINED',
  'MEMBER_FROZEN', 'MEMBER_UNFROZEN', 'MEMBER_LEFT', 'ENVIRONMENT_CREATED', 'ENVIRONMENT_UPDATED', 'ENVIRONMENT_DELETED',
  'NODE_CREATED', 'NODE_DELETED', 'NODE_STOPPED', 'CERTIFICATE_ISSUED', 'CERTIFICATE_REVOKED', 'COMPILATION_CREATED',
  'COMPILATION_STATUS_CHANGED', 'COMPILATION_PROMOTED', 'ADMINISTRATION_TRANSFERRED',
];

interface NewRow {
  consortiumId: string;
  kind: string;
  subjectType: string;
  subjectId: string;
  audienceOrganizationId: string | null;
  payload: Record<string, unknown>;
}

/**
 * Second edition §8.1, carried over to the data of the first edition:
 * - freeze is of an organization: where an organization has a FROZEN membership in a consortium,
 *   its ACTIVE memberships there become FROZEN too (one MEMBER_FROZEN event each, with no actor);
 * - network roles end with the last membership: a user's network role in a consortium where their
 *   organization holds no ACTIVE or FROZEN membership is revoked (one NETWORK_ROLE_REVOKED each);
 * - the event kind ADMINISTRATION_TRANSFERRED.
 * Events are appended to each consortium's hash chain exactly as the recorder does.
 */
export class Migration20261202182714 extends Migration {

  override async up(): Promise<void> {
    await this.execute(`alter table "event" drop constraint if exists "event_kind_check";`);
    await this.execute(`alter table "event" add constraint "event_kind_check" check("kind" in (${EVENT_KINDS.map((k) => `'${k}'`).join(', ')}));`);
    await this.execute('select pg_advisory_xact_lock(?)', [EVENT_APPEND_LOCK]);

    const frozen = await this.execute(
      `update membership m set status = 'FROZEN'
         from consortium c
        where c.id = m.consortium_id and m.status = 'ACTIVE'
          and exists (select 1 from membership f
                       where f.consortium_id = m.consortium_id and f.organization_id = m.organization_id and f.status = 'FROZEN')
        returning m.id, m.consortium_id, m.organization_id, m.display_name, c.deleted_at is not null as deleted`,
    ) as { id: string; consortium_id: string; organization_id: string; display_name: string; deleted: boolean }[];

    const revoked = await this.execute(
      `delete from network_role nr
        using app_user u, consortium c
        where u.id = nr.user_id and c.id = nr.consortium_id
          and not exists (select 1 from membership m
                           where m.consortium_id = nr.consortium_id and m.organization_id = u.organization_id
                             and m.status in ('ACTIVE', 'FROZEN'))
        returning nr.user_id, nr.consortium_id, nr.role, u.organization_id, c.deleted_at is not null as deleted`,
    ) as { user_id: string; consortium_id: string; role: string; organization_id: string | null; deleted: boolean }[];

    // A deleted consortium's log is closed: its rows change, its chain does not grow.
    const events: NewRow[] = [
      ...frozen.filter((m) => !m.deleted).sort(byKey((m) => `${m.consortium_id}/${m.id}`)).map((m) => ({
        consortiumId: m.consortium_id,
        kind: 'MEMBER_FROZEN',
        subjectType: 'Membership',
        subjectId: m.id,
        audienceOrganizationId: m.organization_id,
        payload: { membershipId: m.id, organizationId: m.organization_id, displayName: m.display_name, status: 'FROZEN', reason: 'ORGANIZATION_FROZEN' },
      })),
      ...revoked.filter((r) => !r.deleted).sort(byKey((r) => `${r.consortium_id}/${r.user_id}`)).map((r) => ({
        consortiumId: r.consortium_id,
        kind: 'NETWORK_ROLE_REVOKED',
        subjectType: 'User',
        subjectId: r.user_id,
        audienceOrganizationId: r.organization_id,
        payload: { role: r.role, reason: 'MEMBERSHIP_ENDED' },
      })),
    ];
    for (const e of events) await this.append(e);
  }

  private async append(e: NewRow): Promise<void> {
    const [{ sequence }] = await this.execute("select nextval(pg_get_serial_sequence('event', 'sequence')) as sequence") as { sequence: string }[];
    const prev = await this.execute('select hash from event where consortium_id = ? order by sequence desc limit 1', [e.consortiumId]) as { hash: string }[];
    const row = {
      sequence: Number(sequence),
      consortiumId: e.consortiumId,
      kind: e.kind,
      actorUserId: null,
      actorOrganizationId: null,
      actingMembershipId: null,
      subjectType: e.subjectType,
      subjectId: e.subjectId,
      audienceOrganizationId: e.audienceOrganizationId,
      payload: e.payload,
      createdAt: new Date(),
      prevHash: prev[0]?.hash ?? null,
    };
    await this.execute(
      `insert into event (sequence, consortium_id, kind, actor_user_id, actor_organization_id, acting_membership_id,
         subject_type, subject_id, audience_organization_id, payload, created_at, prev_hash, hash)
       values (?, ?, ?, null, null, null, ?, ?, ?, ?::jsonb, ?, ?, ?)`,
      [row.sequence, row.consortiumId, row.kind, row.subjectType, row.subjectId, row.audienceOrganizationId,
        JSON.stringify(row.payload), row.createdAt, row.prevHash, eventHash(row)],
    );
  }

  override async down(): Promise<void> {
    // The data is not put back (freezing one membership alone is what §8.1 does away with), and
    // the log keeps every event it holds: the narrower check holds for new rows only.
    await this.execute(`alter table "event" drop constraint if exists "event_kind_check";`);
    const kinds = EVENT_KINDS.filter((k) => k !== 'ADMINISTRATION_TRANSFERRED').map((k) => `'${k}'`).join(', ');
    await this.execute(`alter table "event" add constraint "event_kind_check" check("kind" in (${kinds})) not valid;`);
  }

}

function byKey<T>(key: (t: T) => string): (a: T, b: T) => number {
  return (a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
}
