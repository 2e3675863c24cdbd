// Helpers shared by the invitation, application and membership services: input checks, the
// mapping of policy refusals to coded errors, the seat rule and display names. Every function
// that touches the database takes the transaction's entity manager.
import { UniqueConstraintViolationException, type EntityClass } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { parseTextArray } from '../../db/text-array';
import { AppError, badInput, conflict, forbidden } from '../../errors';
import {
  ConsortiumRole,
  decideSeat,
  decideTowardsConsortium,
  MembershipStatus,
  Permission,
  type Decision,
  type OfferResult,
  type TowardsConsortiumAction,
} from '../../governance';
import type { GatewayContext } from '../../graphql/context';
import { isUuid, requireText } from '../../validation';

/** Longest display name of a membership. */
export const DISPLAY_NAME_MAX = 120;
/** Longest application message or rejection reason. */
export const TEXT_MAX = 2000;
/** Bounds of an invitation's lifetime when the inviter names one. */
export const EXPIRES_MIN_DAYS = 1;
export const EXPIRES_MAX_DAYS = 90;

/** Like requireText, but null/undefined stays null (the field was not given). */
export function optionalText(
  value: string | null | undefined,
  field: string,
  max: number,
  opts: { multiline?: boolean } = {},
): string | null {
  return value === null || value === undefined ? null : requireText(value, field, max, opts);
}

/** The permissions an offer grants, or the refusal of §5 with the permissions not held. */
export function offeredPermissions(result: OfferResult): Permission[] {
  if (result.ok) return result.permissions;
  const details = { field: 'permissions', ...(result.notHeld ? { notHeld: result.notHeld } : {}) };
  throw result.code === 'FORBIDDEN' ? forbidden(result.reason, details) : badInput(result.reason, details);
}

/** An invitation's lifetime in days: the one asked for (1 to 90), else the configured default. */
export function lifetimeDays(asked: number | null | undefined, fallback: number): number {
  if (asked === null || asked === undefined) return fallback;
  if (!Number.isInteger(asked) || asked < EXPIRES_MIN_DAYS || asked > EXPIRES_MAX_DAYS) {
    throw badInput(`expiresInDays must be between ${EXPIRES_MIN_DAYS} and ${EXPIRES_MAX_DAYS}`, {
      field: 'expiresInDays',
      min: EXPIRES_MIN_DAYS,
      max: EXPIRES_MAX_DAYS,
    });
  }
  return asked;
}

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
    `select 1 from application where consortium_id = ? and organization_id = ? and status = 'PENDING'`,
    [consortiumId, organizationId],
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
