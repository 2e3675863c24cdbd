// Factories for environments, nodes, certificates and compilations tests, for any test file:
//
//   const c = await newConsortium(gw, { licenses: 5 });
//     → { consortiumId, name, admin: Seat }   created through the API: the creator's ADMINISTRATOR seat (all four permissions)
//   const seat = await addSeat(gw, c, { permissions: ['MANAGE_ENVIRONMENTS'], status?: 'FROZEN', licenses?: 3 })
//     → Seat   a new organization (its OWNER signed in) holding a MEMBER seat (or role: 'ADMINISTRATOR')
//   const user = await seatUser(gw, seat, 'MEMBER', 'ADMIN')   a user of the seat's organization, with an optional network role
//   const envId = await createEnv(seat.owner.client, c.consortiumId)   an environment through the API
//   const compilationId = await seedCompilation(c.consortiumId, seat.membershipId, { status: 'COMPILED' })   a row, no solc
//
// Organizations, users and consortia come from the Layer A and consortium factories (through the
// API); other seats are seeded by the consortium factory, so these tests depend on no workflow of
// another module. Every behaviour under test is asserted through GraphQL.
import { randomUUID } from 'node:crypto';
import { CreateEnvironmentDocument, type AccountRole, type NetworkRole, type Permission } from '../../generated/graphql';
import type { GraphQLClient } from '../client';
import { sql } from '../db';
import type { TestGateway } from '../gateway';
import { createTestConsortium, joinAsMember } from './consortium';
import { addUser, createOrganization, seedNetworkRole, type OrgUser, type TestOrganization } from './organization';

/** An organization's seat (membership) in a consortium, with the organization's OWNER. */
export interface Seat {
  consortiumId: string;
  membershipId: string;
  org: TestOrganization;
  owner: OrgUser;
}

export interface TestConsortium {
  consortiumId: string;
  name: string;
  admin: Seat;
}

export interface SeatOptions {
  role?: 'ADMINISTRATOR' | 'MEMBER';
  permissions?: Permission[];
  status?: 'ACTIVE' | 'FROZEN' | 'LEFT';
  licenses?: number;
  /** An organization that already exists (an additional membership). */
  org?: TestOrganization;
}

/** A consortium created through the API by a new organization's OWNER (ENTERPRISE, 10 licenses by default). */
export async function newConsortium(gw: TestGateway, opts: { licenses?: number; name?: string } = {}): Promise<TestConsortium> {
  const org = await createOrganization(gw, { plan: 'ENTERPRISE', licenses: opts.licenses ?? 10 });
  const created = await createTestConsortium(org.owner, { name: opts.name });
  const admin = { consortiumId: created.id, membershipId: created.membershipId, org, owner: org.owner };
  return { consortiumId: created.id, name: created.name, admin };
}

/** A seeded seat in the consortium, for a new organization (10 licenses by default) unless `org` is given. */
export async function addSeat(gw: TestGateway, c: { consortiumId: string }, opts: SeatOptions = {}): Promise<Seat> {
  const org = opts.org ?? (await createOrganization(gw, { licenses: opts.licenses ?? 10 }));
  const membership = await joinAsMember(gw, c.consortiumId, org, {
    role: opts.role ?? 'MEMBER',
    permissions: opts.permissions ?? [],
    status: opts.status ?? 'ACTIVE',
  });
  return { consortiumId: c.consortiumId, membershipId: membership.id, org, owner: org.owner };
}

/** A new user of the seat's organization with an account role and, optionally, a network role in the consortium. */
export async function seatUser(gw: TestGateway, seat: Seat, accountRole: AccountRole, networkRole?: NetworkRole): Promise<OrgUser> {
  const user = await addUser(gw, seat.org, accountRole);
  if (networkRole) await seedNetworkRole(user.id, seat.consortiumId, networkRole);
  return user;
}

let envCounter = 0;

/** Creates an environment through the API and returns its id. */
export async function createEnv(
  client: GraphQLClient,
  consortiumId: string,
  opts: { name?: string; maxSigners?: number | null; membershipId?: string } = {},
): Promise<string> {
  const { createEnvironment } = await client.ok(CreateEnvironmentDocument, {
    input: {
      consortiumId,
      name: opts.name ?? `env-${++envCounter}-${Date.now().toString(36)}`,
      client: 'BESU',
      consensus: 'QBFT',
      maxSigners: opts.maxSigners ?? null,
      membershipId: opts.membershipId ?? null,
    },
  });
  return createEnvironment.id;
}

/** A minimal ABI: one view function and one transaction. */
export const SAMPLE_ABI = [
  { type: 'function', name: 'get', inputs: [], outputs: [{ name: '', type: 'uint256' }], stateMutability: 'view' },
  { type: 'function', name: 'set', inputs: [{ name: 'v', type: 'uint256' }], outputs: [], stateMutability: 'nonpayable' },
];

/** Seeds a compilation row (no compiler involved): COMPILED with SAMPLE_ABI, or PENDING / FAILED. */
export async function seedCompilation(
  consortiumId: string,
  membershipId: string,
  opts: { status?: 'PENDING' | 'COMPILED' | 'FAILED'; name?: string; source?: string } = {},
): Promise<string> {
  const id = randomUUID();
  const status = opts.status ?? 'COMPILED';
  const compiled = status === 'COMPILED';
  // Millisecond timestamps, as the API writes them: page cursors carry milliseconds.
  const now = new Date();
  await sql(
    `insert into compilation (id, consortium_id, name, version, source, status, compiler_version, bytecode,
                              deployed_bytecode, abi, errors, created_by_id, created_at, updated_at)
     values (?, ?, ?, 1, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?, ?, ?)`,
    [
      id, consortiumId, opts.name ?? `seeded-${id.slice(0, 8)}`,
      opts.source ?? 'pragma solidity ^0.8.0; contract Seeded { uint256 v; function get() external view returns (uint256) { return v; } function set(uint256 x) external { v = x; } }',
      status, compiled ? '0.8.37+seeded' : null, compiled ? '0x6080' : null, compiled ? '0x6080' : null,
      compiled ? JSON.stringify(SAMPLE_ABI) : null, status === 'FAILED' ? JSON.stringify(['seeded failure']) : null,
      membershipId, now, now,
    ],
  );
  return id;
}
