// The shape of every policy answer, and the Layer A check shared by policy.ts and integrity.ts.
import type { AccountRoleSet } from './grid';
import { AccountRole, EffectiveRole, ROLE_RANK } from './roles';

// 'integrity' (not in the original brief) marks refusals that no role could lift, such as
// demoting the last OWNER: the GraphQL layer can map it to CONFLICT rather than FORBIDDEN.
export type DenialKind =
  | 'accountRole'
  | 'effectiveRole'
  | 'consortiumRole'
  | 'permission'
  | 'status'
  | 'membership'
  | 'ownership'
  | 'plan'
  | 'integrity';

export interface Missing {
  kind: DenialKind;
  need?: string;
  have?: string;
}

/** Every policy answer: allowed, or refused with a reason and what was missing. */
export type Decision = { allowed: true } | { allowed: false; reason: string; missing: Missing };
export type Denial = Extract<Decision, { allowed: false }>;

/** The one "allowed" answer, shared so callers never build their own. */
export const ALLOW: Decision = Object.freeze({ allowed: true as const });

/** A refusal naming what was missing; reasons are short sentences shown to the client. */
export function deny(reason: string, missing: Missing): Denial {
  return { allowed: false, reason, missing };
}

// Unlike Layer B, where a missing account role counts as GUEST, Layer A refuses it outright:
// an outsider of the organization must not read even what its GUESTs may (e.g. billing).
/** Account-role check against a Layer A set; null (not a user of the organization) is always refused. */
export function decideByAccountRole(allowed: AccountRoleSet, accountRole: AccountRole | null): Decision {
  if (accountRole !== null && allowed.has(accountRole)) return ALLOW;
  const need = [...allowed].sort((a, b) => rankOf(b) - rankOf(a)).join(' or ');
  const have = accountRole ?? 'none';
  const you = accountRole === null ? 'you have no account role in this organization' : `you are ${accountRole}`;
  return deny(`requires account role ${need} (${you})`, { kind: 'accountRole', need, have });
}

function rankOf(role: AccountRole): number {
  return ROLE_RANK[role as string as EffectiveRole];
}

