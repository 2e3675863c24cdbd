import { createHash } from 'node:crypto';
import type { Event } from './event.entity';

/**
 * The fields of an event that its hash covers, in hash order: the one list that the hash, the
 * recorder's insert and the chain check derive from. The order is part of every stored hash:
 * changing it breaks every chain.
 */
export const HASHED_FIELDS = [
  'prevHash',
  'sequence',
  'consortiumId',
  'kind',
  'actorUserId',
  'actorOrganizationId',
  'actingMembershipId',
  'subjectType',
  'subjectId',
  'audienceOrganizationId',
  'payload',
  'createdAt',
] as const satisfies readonly (keyof Event)[];

/** A field the hash covers. */
export type HashedField = (typeof HASHED_FIELDS)[number];

/** An event's hashed content; absent optional fields are null. `kind` is text, so rows of older kinds hash too. */
export type HashedEvent = { [K in Exclude<HashedField, 'kind' | 'payload' | 'createdAt'>]-?: Exclude<Event[K], undefined> } & {
  kind: string;
  payload: unknown;
  createdAt: Date;
};

/** The hashed content of a stored event (an entity or a snapshot), optional fields as null. */
export function hashedContent(event: Pick<Event, HashedField>): HashedEvent {
  const out: Record<string, unknown> = {};
  for (const field of HASHED_FIELDS) out[field] = event[field] ?? null;
  return out as HashedEvent;
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

/** SHA-256 over the previous event's hash and this event's content, in HASHED_FIELDS order. */
export function eventHash(e: HashedEvent): string {
  const values = HASHED_FIELDS.map((field) => (field === 'createdAt' ? e.createdAt.toISOString() : e[field]));
  return createHash('sha256').update(canonicalJson(values)).digest('hex');
}
