// What the membership workflows read and check inside their transaction: the organizations and
// the consortium involved, the seat rule, display names, one pending application at a time, and
// unique indexes lost to a racing request. Every function takes the transaction's entity manager.
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { parseTextArray } from '../../db/text-array';
import { conflict } from '../../errors';
import { ConsortiumRole, decideSeat, MembershipStatus, Permission } from '../../governance';
import { ApplicationStatus } from './application.entity';
import { isUuid } from '../../validation';
import { DISPLAY_NAME_MAX } from './membership.input';

/** The plan and name of an organization, read inside the transaction. */
export async function organizationFacts(em: EntityManager, organizationId: string): Promise<{ name: string; plan: string } | null> {
  const rows = await em.execute<{ name: string; plan: string }[]>('select name, plan from organization where id = ?', [organizationId]);
  return rows[0] ?? null;
}

/** The consortium's name if it exists and is not deleted. */
export async function liveConsortiumName(em: EntityManager, consortiumId: string): Promise<string | null> {
  if (!isUuid(consortiumId)) return null;
  const rows = await em.execute<{ name: string }[]>('select name from consortium where id = ? and deleted_at is null', [consortiumId]);
  return rows[0]?.name ?? null;
}

/**
 * The seat rule of §4 (application.submit), applied to an organization joining by any path:
 * no current membership there, or an ACTIVE one holding MULTIPLE_MEMBERSHIPS. Invitations and
 * approvals re-check it against the state at that moment; the user's account role was checked
 * when the organization applied or responded, so the rule is asked as for an OWNER.
 */
export async function requireSeat(em: EntityManager, consortiumId: string, organizationId: string): Promise<void> {
  const rows = await em.execute<{ role: string; status: string; permissions: string[] | string }[]>(
    'select role, status, permissions from membership where consortium_id = ? and organization_id = ?',
    [consortiumId, organizationId],
  );
  const memberships = rows.map((r) => ({
    role: r.role as ConsortiumRole,
    status: r.status as MembershipStatus,
    permissions: parseTextArray(r.permissions) as Permission[],
  }));
  const decision = decideSeat(memberships);
  if (!decision.allowed) throw conflict(`The organization cannot take a seat: ${decision.reason}`, { ...decision.missing });
}

/**
 * The display name of a new membership: `preferred`, else the organization's name. A name the
 * caller chose right now must be free (`strict`: CONFLICT); otherwise a taken name gets " (2)",
 * " (3)"… so that, e.g., an approval never fails on a name someone took meanwhile.
 */
export async function displayNameFor(
  em: EntityManager,
  consortiumId: string,
  preferred: string | null,
  fallback: string,
  opts: { strict: boolean },
): Promise<string> {
  const rows = await em.execute<{ display_name: string }[]>('select display_name from membership where consortium_id = ?', [
    consortiumId,
  ]);
  const taken = new Set(rows.map((r) => r.display_name));
  if (preferred !== null && opts.strict && taken.has(preferred)) {
    throw conflict(`The display name "${preferred}" is already used in this consortium`, { field: 'displayName' });
  }
  const wanted = preferred ?? fallback;
  if (!taken.has(wanted)) return wanted;
  const base = wanted.slice(0, DISPLAY_NAME_MAX - 8);
  let n = 2;
  while (taken.has(`${base} (${n})`)) n++;
  return `${base} (${n})`;
}

/** CONFLICT when the organization already waits on an application to the consortium (one at a time). */
export async function requireNoPendingApplication(em: EntityManager, consortiumId: string, organizationId: string): Promise<void> {
  const [pending] = await em.execute(
    `select 1 from application where consortium_id = ? and organization_id = ? and status = ?`,
    [consortiumId, organizationId, ApplicationStatus.PENDING],
  );
  if (pending) throw conflict('Your organization already has a pending application to this consortium: withdraw it first');
}

/** Runs a change; a unique index that a racing request filled first becomes CONFLICT, not a 500. */
export async function uniquely<T>(change: () => Promise<T>): Promise<T> {
  try {
    return await change();
  } catch (error) {
    if (!(error instanceof UniqueConstraintViolationException)) throw error;
    if (/display_name/.test(error.message)) {
      throw conflict('The display name is already used in this consortium', { field: 'displayName' });
    }
    if (/application_one_pending_per_org/.test(error.message)) {
      throw conflict('Your organization already has a pending application to this consortium');
    }
    throw conflict('A concurrent change got there first; try again');
  }
}
