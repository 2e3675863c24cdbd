// Factories for consortia, for any test file:
//
//   const c = await createTestConsortium(org.owner, { name?, description?, membershipName? });
//     → { id, name, membershipId }   through the API: org becomes ADMINISTRATOR, the user network OWNER
//   const m = await joinAsMember(gw, c.id, org, { permissions?, status?, role?, displayName?, invitedBy? });
//     → { id, organizationId }   a membership row seeded directly (MEMBER, ACTIVE, no permissions
//                                 by default; invitedBy defaults to none), until the workflow API exists
//   const { org, membership } = await memberOrganization(gw, c.id, { plan?, permissions?, status?, invitedBy? });
//     → a new organization (OWNER included) holding a seeded membership in the consortium
//   await setMembershipStatus(membershipId, 'FROZEN' | 'LEFT' | 'ACTIVE');   seeded directly
//   await consortiumEvents(consortiumId) → [{ kind, actorUserId, actorOrganizationId, actingMembershipId, subjectType, subjectId, payload }]
//
// Each call makes fresh organizations and names, so test files running side by side never collide.
import { randomUUID } from 'node:crypto';
import { ConsortiumRole, MembershipStatus, type Permission, type Plan } from '../../../src/governance';
import { Consortium } from '../../../src/modules/consortium/consortium.entity';
import { Membership } from '../../../src/modules/membership/membership.entity';
import { Organization } from '../../../src/modules/organization/organization.entity';
import { CreateConsortiumDocument } from '../../generated/graphql';
import { sql, testEm } from '../db';
import type { TestGateway } from '../gateway';
import { createOrganization, type OrgUser, type TestOrganization } from './organization';

/** A consortium made through the API, with its creator's ADMINISTRATOR membership. */
export interface TestConsortium {
  id: string;
  name: string;
  membershipId: string;
}

export interface JoinOptions {
  permissions?: readonly `${Permission}`[];
  status?: `${MembershipStatus}`;
  role?: `${ConsortiumRole}`;
  displayName?: string;
  /** The membership that invited this one. */
  invitedBy?: string | null;
}

/** A seeded membership. */
export interface TestMembership {
  id: string;
  organizationId: string;
}

let counter = 0;
const unique = (label: string) => `${label} ${process.pid}-${++counter}-${Date.now().toString(36)}`;

/** Creates a consortium through the API as `creator` (an OWNER or ADMIN of their organization). */
export async function createTestConsortium(
  creator: OrgUser,
  input: { name?: string; description?: string | null; membershipName?: string | null } = {},
): Promise<TestConsortium> {
  const { createConsortium } = await creator.client.ok(CreateConsortiumDocument, {
    input: { name: input.name ?? unique('Consortium'), description: input.description, membershipName: input.membershipName },
  });
  return { id: createConsortium.id, name: createConsortium.name, membershipId: createConsortium.myMemberships[0].id };
}

/**
 * Seeds a membership of `org` in the consortium directly in the database, standing in for the
 * invitation and application workflows. `gw` is kept so the factory can move onto the API later.
 */
export async function joinAsMember(
  _gw: TestGateway,
  consortiumId: string,
  org: Pick<TestOrganization, 'id'> & { name?: string },
  opts: JoinOptions = {},
): Promise<TestMembership> {
  const em = await testEm();
  const membership = em.create(Membership, {
    id: randomUUID(),
    consortium: em.getReference(Consortium, consortiumId),
    organization: em.getReference(Organization, org.id),
    displayName: opts.displayName ?? unique(org.name ?? 'Member'),
    role: (opts.role ?? ConsortiumRole.MEMBER) as ConsortiumRole,
    permissions: [...(opts.permissions ?? [])] as Permission[],
    status: (opts.status ?? MembershipStatus.ACTIVE) as MembershipStatus,
    invitedBy: opts.invitedBy ? em.getReference(Membership, opts.invitedBy) : null,
  });
  await em.flush();
  return { id: membership.id, organizationId: org.id };
}

/** A new organization (with its OWNER) holding a seeded membership in the consortium. */
export async function memberOrganization(
  gw: TestGateway,
  consortiumId: string,
  opts: JoinOptions & { plan?: `${Plan}` } = {},
): Promise<{ org: TestOrganization; membership: TestMembership }> {
  const org = await createOrganization(gw, { plan: opts.plan });
  const membership = await joinAsMember(gw, consortiumId, org, opts);
  return { org, membership };
}

/** Changes a membership's status directly (freeze, leave), until the workflow API exists. */
export async function setMembershipStatus(membershipId: string, status: `${MembershipStatus}`): Promise<void> {
  await sql('update membership set status = ? where id = ?', [status, membershipId]);
}

export interface StoredEvent {
  kind: string;
  actorUserId: string | null;
  actorOrganizationId: string | null;
  actingMembershipId: string | null;
  subjectType: string;
  subjectId: string;
  payload: Record<string, unknown>;
}

/** The events of one consortium as stored, oldest first. */
export async function consortiumEvents(consortiumId: string): Promise<StoredEvent[]> {
  return sql<StoredEvent>(
    `select kind, actor_user_id as "actorUserId", actor_organization_id as "actorOrganizationId",
            acting_membership_id as "actingMembershipId", subject_type as "subjectType",
            subject_id as "subjectId", payload
       from event where consortium_id = ? order by sequence`,
    [consortiumId],
  );
}
