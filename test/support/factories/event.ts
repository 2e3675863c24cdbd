// Factories for the event log and its subscriptions, for any test file:
//
//   const s = await consortiumWithMember(gw);
//     → { admin, consortium, member, membership }   admin's org created the consortium through the
//        API (CONSORTIUM_CREATED); member's org holds a seeded ACTIVE MEMBER membership
//   await touchConsortium(admin.owner.client, consortiumId)   a real change (updateConsortium) → CONSORTIUM_UPDATED
//   const seq = await appendEvent(consortiumId, { label?, audienceOrganizationId?, holdMs?, kind?, payload? })
//     → recordEvent inside a transaction of the test's own connection; holdMs keeps that
//       transaction (and the append lock) open before committing; payload replaces { label }
//   const seqs = await appendEvents(consortiumId, [{ label }, …])
//     → several events in one transaction: committed at once, so a feed reads them in one batch
//   await storedSequences(consortiumId) → the consortium's sequences, ascending
import { EventKind } from '../../../src/modules/event/event.entity';
import { recordEvent, type NewEvent } from '../../../src/modules/event/event.recorder';
import { EventsUpdateConsortiumDocument } from '../../generated/graphql';
import type { GraphQLClient } from '../client';
import { sql, testEm } from '../db';
import type { TestGateway } from '../gateway';
import { createTestConsortium, memberOrganization, type TestConsortium, type TestMembership } from './consortium';
import { createOrganization, type TestOrganization } from './organization';

export interface ConsortiumSetup {
  admin: TestOrganization;
  consortium: TestConsortium;
  member: TestOrganization;
  membership: TestMembership;
}

/** A consortium created through the API by one organization, and a second organization as an ACTIVE MEMBER. */
export async function consortiumWithMember(gw: TestGateway): Promise<ConsortiumSetup> {
  const admin = await createOrganization(gw);
  const consortium = await createTestConsortium(admin.owner);
  const { org: member, membership } = await memberOrganization(gw, consortium.id);
  return { admin, consortium, member, membership };
}

let touches = 0;
/** Renames the consortium through the API: one CONSORTIUM_UPDATED event; returns the new name. */
export async function touchConsortium(client: GraphQLClient, consortiumId: string): Promise<string> {
  const name = `Renamed ${process.pid}-${++touches}-${Date.now().toString(36)}`;
  await client.ok(EventsUpdateConsortiumDocument, { id: consortiumId, input: { name } });
  return name;
}

export interface TestEvent {
  label?: string;
  audienceOrganizationId?: string | null;
  kind?: EventKind;
  /** The stored payload, in place of `{ label }` (any JSON, even what no service would write). */
  payload?: unknown;
}

function newEvent(consortiumId: string | null, e: TestEvent): NewEvent {
  return {
    kind: e.kind ?? EventKind.CONSORTIUM_UPDATED,
    consortiumId,
    actor: { userId: null, organizationId: null },
    subject: { type: 'Consortium', id: consortiumId ?? '00000000-0000-0000-0000-000000000000' },
    audienceOrganizationId: e.audienceOrganizationId ?? null,
    payload: (e.payload ?? { label: e.label ?? null }) as Record<string, unknown>,
  };
}

/** Appends one event the way every service does (recordEvent in a transaction); returns its sequence. */
export async function appendEvent(consortiumId: string | null, opts: TestEvent & { holdMs?: number } = {}): Promise<number> {
  const em = await testEm();
  return em.transactional(async (tem) => {
    const sequence = await recordEvent(tem, newEvent(consortiumId, opts));
    if (opts.holdMs) await new Promise((r) => setTimeout(r, opts.holdMs));
    return sequence;
  });
}

/** Appends several events in one transaction, in order; returns their sequences. */
export async function appendEvents(consortiumId: string | null, events: TestEvent[]): Promise<number[]> {
  const em = await testEm();
  return em.transactional(async (tem) => {
    const sequences: number[] = [];
    for (const e of events) sequences.push(await recordEvent(tem, newEvent(consortiumId, e)));
    return sequences;
  });
}

/** The consortium's event sequences as stored, ascending. */
export async function storedSequences(consortiumId: string): Promise<number[]> {
  const rows = await sql<{ sequence: string }>('select sequence from event where consortium_id = ? order by sequence', [consortiumId]);
  return rows.map((r) => Number(r.sequence));
}
