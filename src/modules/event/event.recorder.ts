import type { EntityManager } from '@mikro-orm/postgresql';
import type { Acting } from '../../auth/acting';
import { eventsRecorded } from '../../observability/metrics';
import { EventKind } from './event.entity';
import { eventHash } from './event.hash';

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
  const row = {
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
  await em.execute(
    `insert into event (sequence, consortium_id, kind, actor_user_id, actor_organization_id, acting_membership_id,
       subject_type, subject_id, audience_organization_id, payload, created_at, prev_hash, hash)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?)`,
    [
      row.sequence,
      row.consortiumId,
      row.kind,
      row.actorUserId,
      row.actorOrganizationId,
      row.actingMembershipId,
      row.subjectType,
      row.subjectId,
      row.audienceOrganizationId,
      JSON.stringify(row.payload),
      row.createdAt,
      row.prevHash,
      hash,
    ],
  );
  // Delivered at commit, and only if the transaction commits.
  await em.execute('select pg_notify(?, ?)', [EVENT_CHANNEL, String(row.sequence)]);
  eventsRecorded.inc({ kind: row.kind });
  return row.sequence;
}
