// Checks of what callers send to the membership workflows (invitations, applications, additional
// memberships): texts, lifetimes, and the permissions an offer grants.
import { badInput, refusal } from '../../errors';
import type { OfferResult, Permission } from '../../governance';
import { requireText } from '../../validation';

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

/**
 * The permissions an offer grants; else what the inviter lacks as the refusal of `action` (§5,
 * naming the permissions not held), or the offer no one could make as BAD_USER_INPUT.
 */
export function offeredPermissions(action: 'organization.invite' | 'membership.create', result: OfferResult): Permission[] {
  if (result.ok) return result.permissions;
  if (result.code === 'BAD_USER_INPUT') throw badInput(result.reason, { field: 'permissions' });
  throw refusal(action, result, { details: { field: 'permissions', ...(result.notHeld ? { notHeld: result.notHeld } : {}) } });
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
