// Factories for Layer A, through the API (GraphQL over HTTP), for any test file:
//
//   const org = await createOrganization(gw, { plan: 'ENTERPRISE', licenses: 5 });
//     → { id, name, owner: { id, email, client } }   a new user creates it and is its OWNER
//     options (all optional): ownerEmail, name, plan ('STANDARD' default | 'ENTERPRISE'), licenses (bought, ≥ 1)
//   const admin = await addUser(gw, org, 'ADMIN');
//     → { id, email, client }   invited by the org's OWNER and signed in once (joined, signedIn true)
//     optional 4th argument: { email } to choose the address
//
// Each call uses fresh unique emails, so test files running side by side never share users.
//
// Arrangement only (raw rows, for state whose API belongs to other modules; assert through the API):
//   seedMembership(orgId, { status? })            → { consortiumId, membershipId }  a consortium + ADMINISTRATOR seat
//   seedNodes(membershipId, consortiumId, n, status?) → environment with n nodes (RUNNING by default)
//   seedNetworkRole(userId, consortiumId, role)
import type { AccountRole, Plan } from '../../generated/graphql';
import {
  CreateOrganizationDocument,
  InviteUserDocument,
  MyOrganizationDocument,
  PurchaseLicensesDocument,
} from '../../generated/graphql';
import { randomUUID } from 'node:crypto';
import type { GraphQLClient } from '../client';
import { sql } from '../db';
import { uniqueEmail, type TestGateway } from '../gateway';

/** A signed-in user of an organization, with a client that acts as them. */
export interface OrgUser {
  id: string;
  email: string;
  client: GraphQLClient;
}

/** An organization made by a factory, with its first OWNER. */
export interface TestOrganization {
  id: string;
  name: string;
  owner: OrgUser;
}

export interface CreateOrganizationOptions {
  ownerEmail?: string;
  name?: string;
  plan?: Plan;
  licenses?: number;
}

let orgCounter = 0;

/** A new organization whose OWNER is a new user; optionally ENTERPRISE and with licenses bought. */
export async function createOrganization(gw: TestGateway, opts: CreateOrganizationOptions = {}): Promise<TestOrganization> {
  const email = opts.ownerEmail ?? uniqueEmail('owner');
  const client = gw.as(email);
  const name = opts.name ?? `Org ${process.pid}-${++orgCounter}-${Date.now().toString(36)}`;
  const { createOrganization: org } = await client.ok(CreateOrganizationDocument, {
    input: { name, plan: opts.plan ?? null },
  });
  if (opts.licenses) await client.ok(PurchaseLicensesDocument, { organizationId: org.id, count: opts.licenses });
  const { me } = await client.ok(MyOrganizationDocument);
  return { id: org.id, name: org.name, owner: { id: me.id, email, client } };
}

/** Invites a user with `role` into the organization (as its OWNER) and signs them in once. */
export async function addUser(
  gw: TestGateway,
  org: Pick<TestOrganization, 'id' | 'owner'>,
  role: AccountRole,
  opts: { email?: string } = {},
): Promise<OrgUser> {
  const email = opts.email ?? uniqueEmail(role.toLowerCase());
  await org.owner.client.ok(InviteUserDocument, { organizationId: org.id, email, role });
  const client = gw.as(email);
  const { me } = await client.ok(MyOrganizationDocument);
  if (me.organization?.id !== org.id || me.accountRole !== role) {
    throw new Error(`addUser: ${email} did not join ${org.id} as ${role} (got ${me.organization?.id} ${me.accountRole})`);
  }
  return { id: me.id, email, client };
}

/** Seeds a consortium holding one membership of the organization (ADMINISTRATOR, ACTIVE by default). */
export async function seedMembership(
  organizationId: string,
  opts: { status?: 'ACTIVE' | 'FROZEN' | 'LEFT'; name?: string } = {},
): Promise<{ consortiumId: string; membershipId: string; name: string }> {
  const consortiumId = randomUUID();
  const membershipId = randomUUID();
  const name = opts.name ?? `Seeded consortium ${consortiumId.slice(0, 8)}`;
  await sql('insert into consortium (id, name, creator_organization_id) values (?, ?, ?)', [consortiumId, name, organizationId]);
  await sql(
    `insert into membership (id, consortium_id, organization_id, display_name, role, status)
     values (?, ?, ?, ?, 'ADMINISTRATOR', ?)`,
    [membershipId, consortiumId, organizationId, `seat-${membershipId.slice(0, 8)}`, opts.status ?? 'ACTIVE'],
  );
  return { consortiumId, membershipId, name };
}

/** Seeds an environment (placeholder CA) with `count` nodes of the membership. */
export async function seedNodes(
  membershipId: string,
  consortiumId: string,
  count: number,
  status: 'RUNNING' | 'STOPPED' = 'RUNNING',
): Promise<string[]> {
  const environmentId = randomUUID();
  await sql(
    `insert into environment (id, consortium_id, name, client, consensus, release, chain_id,
                              ca_certificate_pem, ca_private_key_encrypted, created_by_id)
     values (?, ?, ?, 'GETH', 'IBFT', '1.0.0', 4242, ?, 'placeholder', ?)`,
    [environmentId, consortiumId, `env-${environmentId.slice(0, 8)}`, '-----BEGIN CERTIFICATE-----\nplaceholder\n-----END CERTIFICATE-----', membershipId],
  );
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = randomUUID();
    await sql(`insert into node (id, environment_id, membership_id, name, role, status) values (?, ?, ?, ?, 'NON_SIGNER', ?)`, [
      id,
      environmentId,
      membershipId,
      `node-${i}`,
      status,
    ]);
    ids.push(id);
  }
  return ids;
}

/** Seeds a network role of a user in a consortium. */
export async function seedNetworkRole(userId: string, consortiumId: string, role: 'OWNER' | 'ADMIN' | 'OPERATOR' | 'GUEST'): Promise<void> {
  await sql('insert into network_role (id, user_id, consortium_id, role) values (?, ?, ?, ?)', [randomUUID(), userId, consortiumId, role]);
}
