import type { EntityManager } from '@mikro-orm/postgresql';
import type { Acting } from '../../auth/acting';
import { eventsRecorded } from '../../observability/metrics';
import { Event, EventKind } from './event.entity';
import { eventHash, HASHED_FIELDS, type HashedEvent } from './event.hash';

/** The channel whose NOTIFY wakes every gateway instance's event feed. */
export const EVENT_CHANNEL = 'governance_events';

/**
 * Every event append takes this transaction-scoped lock, so sequence order equals commit order:
 * a reader that has seen sequence N can never later see a smaller one commit.
 */
const EVENT_APPEND_LOCK = 4_242_001;

export interface NewEvent {
  kind: EventKind;
  consortiumId: string | null;
  actor: { userId: string | null; organizationId: string | null; membershipId?: string | null };
  subject: { type: string; id: string };
  audienceOrganizationId?: string | null;
  payload?: Record<string, unknown>;
}

/** Who an event names as its actor: the user, their organization and the acting membership. */
export function eventActor(acting: Acting): NewEvent['actor'] {
  return { userId: acting.user.id, organizationId: acting.organizationId || null, membershipId: acting.membership.id };
}

const inserts = new WeakMap<object, string>();

/** The insert of one event: its hashed fields, then the hash, columns named by the entity metadata. */
function insertStatement(em: EntityManager): string {
  const metadata = em.getMetadata();
  let sql = inserts.get(metadata);
  if (sql) return sql;
  const meta = metadata.get<Event>(Event.name);
  const fields = [...HASHED_FIELDS, 'hash'] as const;
  const columns = fields.map((field) => `"${meta.properties[field].fieldNames[0]}"`);
  const values = fields.map((field) => (field === 'payload' ? '?::jsonb' : '?'));
  sql = `insert into "${meta.tableName}" (${columns.join(', ')}) values (${values.join(', ')})`;
  inserts.set(metadata, sql);
  return sql;
}

/**
 * Appends one event inside the caller's transaction (`em` must be transactional). Pending
 * changes are flushed first, so the lock is taken last and held only until commit.
 */
export async function recordEvent(em: EntityManager, e: NewEvent): Promise<number> {
  if (!em.isInTransaction()) throw new Error('recordEvent must run inside the change’s transaction');
  await em.flush();
  await em.execute('select pg_advisory_xact_lock(?)', [EVENT_APPEND_LOCK]);
  const [{ sequence }] = await em.execute<{ sequence: string }[]>(
    "select nextval(pg_get_serial_sequence('event', 'sequence')) as sequence",
  );
  const prev = e.consortiumId
    ? await em.execute<{ hash: string }[]>(
        'select hash from event where consortium_id = ? order by sequence desc limit 1',
        [e.consortiumId],
      )
    : [];
  const row: HashedEvent = {
    sequence: Number(sequence),
    consortiumId: e.consortiumId,
    kind: e.kind,
    actorUserId: e.actor.userId,
    actorOrganizationId: e.actor.organizationId,
    actingMembershipId: e.actor.membershipId ?? null,
    subjectType: e.subject.type,
    subjectId: e.subject.id,
    audienceOrganizationId: e.audienceOrganizationId ?? null,
    payload: e.payload ?? {},
    createdAt: new Date(),
    prevHash: prev[0]?.hash ?? null,
  };
  const hash = eventHash(row);
  await em.execute(insertStatement(em), [...HASHED_FIELDS.map((field) => (field === 'payload' ? JSON.stringify(row.payload) : row[field])), hash]);
  // Delivered at commit, and only if the transaction commits.
  await em.execute('select pg_notify(?, ?)', [EVENT_CHANNEL, String(row.sequence)]);
  eventsRecorded.inc({ kind: row.kind });
  return row.sequence;
}
