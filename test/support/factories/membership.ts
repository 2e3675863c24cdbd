// Factories for the workflows of §6 (invitations, applications, memberships), for any test file.
// Built on the organization and consortium factories (which go through the API).
//
//   const { admin, consortium } = await consortiumWithAdmin(gw, { plan? });
//     → a new organization (its OWNER is network OWNER) that created a consortium: ADMINISTRATOR seat
//   const inv = await invite(inviter, consortiumId, organizationId, { permissions?, membershipId?, expiresInDays? });
//     → { id, status, permissions, expiresAt, … }   inviteOrganization through the API
//   const app = await apply(applicant, consortiumId, { message?, displayName? });
//     → { id, status, … }                            applyToJoin through the API
//   const { org, membershipId } = await invitedMember(gw, adminUser, consortiumId, { plan?, permissions? });
//     → a new organization that accepted an ADMINISTRATOR's invitation (an ACTIVE MEMBER seat)
//   await backdateInvitation(invitationId)            its expiry moved one minute into the past (SQL)
//   await countEvents({ consortiumId?, kind?, subjectId?, actorOrganizationId? }) → number of event rows (SQL)
//   await eventRows({ subjectId?, kind?, consortiumId?, actorOrganizationId? }) → [{ kind, audienceOrganizationId, actingMembershipId, payload, … }]
//   await membershipRows(consortiumId, organizationId) → [{ id, status, role, permissions, invitedById, displayName }]
import type { Permission, Plan } from '../../generated/graphql';
import { AcceptInvitationDocument, ApplyToJoinDocument, InviteOrganizationDocument } from '../../generated/graphql';
import { parseTextArray } from '../../../src/db/text-array';
import { sql } from '../db';
import type { TestGateway } from '../gateway';
import { createTestConsortium, type TestConsortium } from './consortium';
import { createOrganization, type OrgUser, type TestOrganization } from './organization';

/** An organization that created a consortium, so it holds its ADMINISTRATOR membership. */
export async function consortiumWithAdmin(
  gw: TestGateway,
  opts: { plan?: Plan } = {},
): Promise<{ admin: TestOrganization; consortium: TestConsortium }> {
  const admin = await createOrganization(gw, { plan: opts.plan });
  const consortium = await createTestConsortium(admin.owner);
  return { admin, consortium };
}

/** Sends an invitation through the API as `inviter`. */
export async function invite(
  inviter: OrgUser,
  consortiumId: string,
  organizationId: string,
  opts: { permissions?: Permission[] | null; membershipId?: string | null; expiresInDays?: number | null } = {},
) {
  const { inviteOrganization } = await inviter.client.ok(InviteOrganizationDocument, {
    input: { consortiumId, organizationId, ...opts },
  });
  return inviteOrganization;
}

/** Applies to join through the API as `applicant` (an OWNER or ADMIN of their organization). */
export async function apply(applicant: OrgUser, consortiumId: string, opts: { message?: string; displayName?: string } = {}) {
  const { applyToJoin } = await applicant.client.ok(ApplyToJoinDocument, { input: { consortiumId, ...opts } });
  return applyToJoin;
}

/** A new organization holding an ACTIVE MEMBER seat, made by accepting an ADMINISTRATOR's invitation. */
export async function invitedMember(
  gw: TestGateway,
  admin: OrgUser,
  consortiumId: string,
  opts: { plan?: Plan; permissions?: Permission[] | null } = {},
): Promise<{ org: TestOrganization; membershipId: string }> {
  const org = await createOrganization(gw, { plan: opts.plan });
  const invitation = await invite(admin, consortiumId, org.id, { permissions: opts.permissions });
  const { acceptInvitation } = await org.owner.client.ok(AcceptInvitationDocument, { id: invitation.id });
  return { org, membershipId: acceptInvitation.membership!.id };
}

/** Moves an invitation's expiry one minute into the past, as if its time had run out. */
export async function backdateInvitation(invitationId: string): Promise<void> {
  await sql(`update invitation set expires_at = now() - interval '1 minute' where id = ?`, [invitationId]);
}

interface EventFilter {
  consortiumId?: string;
  kind?: string;
  subjectId?: string;
  actorOrganizationId?: string;
}

function where(filter: EventFilter): { clause: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  const columns = {
    consortium_id: filter.consortiumId,
    kind: filter.kind,
    subject_id: filter.subjectId,
    actor_organization_id: filter.actorOrganizationId,
  };
  for (const [column, value] of Object.entries(columns)) {
    if (value === undefined) continue;
    parts.push(`${column} = ?`);
    params.push(value);
  }
  return { clause: parts.length ? `where ${parts.join(' and ')}` : '', params };
}

/** How many event rows match. */
export async function countEvents(filter: EventFilter): Promise<number> {
  const { clause, params } = where(filter);
  const [row] = await sql<{ n: string }>(`select count(*) as n from event ${clause}`, params);
  return Number(row.n);
}

export interface EventRow {
  kind: string;
  consortiumId: string | null;
  actorUserId: string | null;
  actorOrganizationId: string | null;
  actingMembershipId: string | null;
  subjectType: string;
  subjectId: string;
  audienceOrganizationId: string | null;
  payload: Record<string, unknown>;
}

/** Matching event rows, oldest first. */
export async function eventRows(filter: EventFilter): Promise<EventRow[]> {
  const { clause, params } = where(filter);
  return sql<EventRow>(
    `select kind, consortium_id as "consortiumId", actor_user_id as "actorUserId", actor_organization_id as "actorOrganizationId",
            acting_membership_id as "actingMembershipId", subject_type as "subjectType", subject_id as "subjectId",
            audience_organization_id as "audienceOrganizationId", payload
       from event ${clause} order by sequence`,
    params,
  );
}

/** The memberships of an organization in a consortium, as stored. */
export async function membershipRows(consortiumId: string, organizationId: string) {
  const rows = await sql<{ id: string; status: string; role: string; permissions: string[] | string; invitedById: string | null; displayName: string }>(
    `select id, status, role, permissions, invited_by_id as "invitedById", display_name as "displayName"
       from membership where consortium_id = ? and organization_id = ? order by created_at`,
    [consortiumId, organizationId],
  );
  return rows.map((r) => ({ ...r, permissions: parseTextArray(r.permissions) }));
}
