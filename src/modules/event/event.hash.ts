import { createHash } from 'node:crypto';

/** The fields of an event that its hash covers, in a fixed order. */
export interface HashedEvent {
  sequence: number;
  consortiumId: string | null;
  kind: string;
  actorUserId: string | null;
  actorOrganizationId: string | null;
  actingMembershipId: string | null;
  subjectType: string;
  subjectId: string;
  audienceOrganizationId: string | null;
  payload: unknown;
  createdAt: Date;
  prevHash: string | null;
}

/** JSON with object keys sorted at every depth, so equal payloads always hash alike. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** SHA-256 over the previous event's hash and this event's content. */
export function eventHash(e: HashedEvent): string {
  return createHash('sha256')
    .update(
      canonicalJson([
        e.prevHash,
        e.sequence,
        e.consortiumId,
        e.kind,
        e.actorUserId,
        e.actorOrganizationId,
        e.actingMembershipId,
        e.subjectType,
        e.subjectId,
        e.audienceOrganizationId,
        e.payload,
        e.createdAt.toISOString(),
      ]),
    )
    .digest('hex');
}
