import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import {
  CreateNodeDocument, DeleteEnvironmentDocument, DeleteNodeDocument, EnvironmentByIdDocument, ExpandNodeDocument, NodeByIdDocument,
} from '../generated/graphql';
import type { GraphQLClient, Result } from '../support/client';
import { sql } from '../support/db';
import { setMembershipStatus } from '../support/factories/consortium';
import { createOrganization, type OrgUser } from '../support/factories/organization';
import { addSeat, createEnv, newConsortium, seatUser, type Seat, type TestConsortium } from '../support/factories/resources';
import { startTestGateway, type TestGateway } from '../support/gateway';

let gw: TestGateway;
let c: TestConsortium;
let envId: string;
let adminMember: OrgUser; // ADMINISTRATOR seat, account MEMBER without network role → effective MEMBER
let adminGuest: OrgUser; // ADMINISTRATOR seat, account GUEST
let plainMember: Seat; // MEMBER seat without CREATE_SIGNERS
let signerMember: Seat; // MEMBER seat holding CREATE_SIGNERS
let signerMemberUser: OrgUser; // its account MEMBER → effective MEMBER
let frozen: Seat;
let outsider: GraphQLClient;

beforeAll(async () => {
  gw = await startTestGateway({ COMPILER_WORKERS: '1' });
  c = await newConsortium(gw, { licenses: 50 });
  [plainMember, signerMember, frozen] = await Promise.all([
    addSeat(gw, c, { licenses: 50 }),
    addSeat(gw, c, { permissions: ['CREATE_SIGNERS'], licenses: 50 }),
    addSeat(gw, c, { permissions: ['CREATE_SIGNERS'], status: 'FROZEN', licenses: 50 }),
  ]);
  [adminMember, adminGuest, signerMemberUser] = await Promise.all([
    seatUser(gw, c.admin, 'MEMBER'),
    seatUser(gw, c.admin, 'GUEST', 'GUEST'),
    seatUser(gw, signerMember, 'MEMBER'),
  ]);
  outsider = (await createOrganization(gw, { licenses: 5 })).owner.client;
  envId = await createEnv(c.admin.owner.client, c.consortiumId);
});
afterAll(() => gw?.stop());

let n = 0;
const nodeInput = (role: 'SIGNER' | 'NON_SIGNER', environmentId = envId) => ({ environmentId, name: `node-${++n}`, role });

function expectCode(result: Result<unknown>, expected: string): void {
  if (expected === 'ok') expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  else expect(result.errors?.[0].extensions?.code, JSON.stringify(result.errors)).toBe(expected);
}

async function eventKinds(subjectId: string): Promise<string[]> {
  const rows = await sql<{ kind: string }>('select kind from event where subject_id = ? order by sequence', [subjectId]);
  return rows.map((r) => r.kind);
}

describe('the grid for nodes', () => {
  // [who, client, its seat, non-signer, signer, delete own node, delete another membership's node, view]
  type Row = [string, () => GraphQLClient, () => Seat | null, string, string, string, string, string];
  const rows: Row[] = [
    ['ADMINISTRATOR, effective OWNER', () => c.admin.owner.client, () => c.admin, 'ok', 'ok', 'ok', 'ok', 'ok'],
    ['ADMINISTRATOR, account MEMBER without network role', () => adminMember.client, () => c.admin, 'ok', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'ok'],
    ['ADMINISTRATOR, account GUEST', () => adminGuest.client, () => c.admin, 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'ok'],
    ['MEMBER without CREATE_SIGNERS', () => plainMember.owner.client, () => plainMember, 'ok', 'FORBIDDEN', 'ok', 'FORBIDDEN', 'ok'],
    ['MEMBER with CREATE_SIGNERS', () => signerMember.owner.client, () => signerMember, 'ok', 'ok', 'ok', 'FORBIDDEN', 'ok'],
    ['MEMBER with CREATE_SIGNERS, effective MEMBER', () => signerMemberUser.client, () => signerMember, 'ok', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'ok'],
    ['FROZEN membership', () => frozen.owner.client, () => frozen, 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'ok'],
    ['organization without a membership', () => outsider, () => null, 'NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND'],
  ];

  it.each(rows)('%s', async (_who, clientOf, seatOf, nonSigner, signer, deleteOwn, deleteOther, view) => {
    const client = clientOf();
    const seat = seatOf();
    expectCode(await client.request(CreateNodeDocument, { input: nodeInput('NON_SIGNER') }), nonSigner);
    expectCode(await client.request(CreateNodeDocument, { input: nodeInput('SIGNER') }), signer);
    const someoneElse = seat === c.admin ? plainMember : c.admin;
    expectCode(await client.request(DeleteNodeDocument, { id: await seedNode(seat ?? someoneElse) }), deleteOwn);
    expectCode(await client.request(DeleteNodeDocument, { id: await seedNode(someoneElse) }), deleteOther);
    expectCode(await client.request(NodeByIdDocument, { id: await seedNode(someoneElse) }), view);
  });
});

/** A node of the seat's membership, as a row (the grid row under test may not be allowed to create one). */
async function seedNode(seat: Seat): Promise<string> {
  const id = randomUUID();
  await sql(`insert into node (id, environment_id, membership_id, name, role) values (?, ?, ?, ?, 'NON_SIGNER')`, [
    id, envId, seat.membershipId, `seeded-${++n}`,
  ]);
  return id;
}

describe('createNode and deleteNode', () => {
  it('creates a RUNNING node owned by the acting membership, listed with its membership, and records events', async () => {
    const { createNode: node } = await plainMember.owner.client.ok(CreateNodeDocument, { input: nodeInput('NON_SIGNER') });
    expect(node).toMatchObject({ role: 'NON_SIGNER', status: 'RUNNING', membership: { id: plainMember.membershipId }, environment: { id: envId } });
    const { environment } = await adminGuest.client.ok(EnvironmentByIdDocument, { id: envId });
    expect(environment.nodes.nodes.find((x) => x.id === node.id)?.membership.id).toBe(plainMember.membershipId);
    await plainMember.owner.client.ok(DeleteNodeDocument, { id: node.id });
    await plainMember.owner.client.fails('NOT_FOUND', NodeByIdDocument, { id: node.id });
    await plainMember.owner.client.fails('NOT_FOUND', DeleteNodeDocument, { id: node.id });
    expect(await eventKinds(node.id)).toEqual(['NODE_CREATED', 'NODE_DELETED']);
  });

  it('refuses a node in an unknown environment (NOT_FOUND) and a blank name (BAD_USER_INPUT)', async () => {
    const client = c.admin.owner.client;
    await client.fails('NOT_FOUND', CreateNodeDocument, { input: nodeInput('NON_SIGNER', '00000000-0000-0000-0000-000000000000') });
    const error = await client.fails('BAD_USER_INPUT', CreateNodeDocument, { input: { ...nodeInput('NON_SIGNER'), name: ' ' } });
    expect(error.extensions?.field).toBe('name');
  });
});

describe('licenses', () => {
  it('a node takes a license of its organization across all its memberships; none spare is LICENSE_EXHAUSTED', async () => {
    const seat = await addSeat(gw, c, { licenses: 2 });
    const other = await newConsortium(gw);
    const secondSeat = await addSeat(gw, other, { org: seat.org });
    const otherEnv = await createEnv(other.admin.owner.client, other.consortiumId);
    const client = seat.owner.client;
    const first = await client.ok(CreateNodeDocument, { input: { ...nodeInput('NON_SIGNER'), membershipId: seat.membershipId } });
    await client.ok(CreateNodeDocument, { input: { ...nodeInput('NON_SIGNER', otherEnv), membershipId: secondSeat.membershipId } });
    const error = await client.fails('LICENSE_EXHAUSTED', CreateNodeDocument, {
      input: { ...nodeInput('NON_SIGNER'), membershipId: seat.membershipId },
    });
    expect(error.extensions).toMatchObject({ licenses: 2, inUse: 2 });
    // Deleting a node frees its license; a STOPPED node (its membership left) uses none.
    await client.ok(DeleteNodeDocument, { id: first.createNode.id, membershipId: seat.membershipId });
    const third = await client.ok(CreateNodeDocument, { input: { ...nodeInput('NON_SIGNER'), membershipId: seat.membershipId } });
    await sql("update node set status = 'STOPPED' where id = ?", [third.createNode.id]);
    await client.ok(CreateNodeDocument, { input: { ...nodeInput('NON_SIGNER'), membershipId: seat.membershipId } });
  });

  it('two requests racing for the last license: exactly one wins', async () => {
    const seat = await addSeat(gw, c, { licenses: 1 });
    const results = await Promise.all(
      [1, 2, 3, 4].map(() => seat.owner.client.request(CreateNodeDocument, { input: nodeInput('NON_SIGNER') })),
    );
    expect(results.filter((r) => !r.errors).length).toBe(1);
    expect(results.filter((r) => r.errors?.[0].extensions?.code === 'LICENSE_EXHAUSTED').length).toBe(3);
  });

  it('deleting an environment frees the licenses of its nodes', async () => {
    const seat = await addSeat(gw, c, { licenses: 1 });
    const env = await createEnv(c.admin.owner.client, c.consortiumId);
    await seat.owner.client.ok(CreateNodeDocument, { input: nodeInput('NON_SIGNER', env) });
    await seat.owner.client.fails('LICENSE_EXHAUSTED', CreateNodeDocument, { input: nodeInput('NON_SIGNER') });
    await c.admin.owner.client.ok(DeleteEnvironmentDocument, { id: env });
    await seat.owner.client.ok(CreateNodeDocument, { input: nodeInput('NON_SIGNER') });
  });
});

describe('max signers', () => {
  it('refuses a signer beyond maxSigners (CONFLICT) but still accepts non-signers', async () => {
    const env = await createEnv(c.admin.owner.client, c.consortiumId, { maxSigners: 1 });
    await c.admin.owner.client.ok(CreateNodeDocument, { input: nodeInput('SIGNER', env) });
    const error = await signerMember.owner.client.fails('CONFLICT', CreateNodeDocument, { input: nodeInput('SIGNER', env) });
    expect(error.extensions).toMatchObject({ maxSigners: 1, signers: 1 });
    await signerMember.owner.client.ok(CreateNodeDocument, { input: nodeInput('NON_SIGNER', env) });
  });

  it('two requests racing for the last signer slot: exactly one wins', async () => {
    const env = await createEnv(c.admin.owner.client, c.consortiumId, { maxSigners: 2 });
    await c.admin.owner.client.ok(CreateNodeDocument, { input: nodeInput('SIGNER', env) });
    const clients = [c.admin.owner.client, signerMember.owner.client, c.admin.owner.client, signerMember.owner.client];
    const results = await Promise.all(clients.map((client) => client.request(CreateNodeDocument, { input: nodeInput('SIGNER', env) })));
    expect(results.filter((r) => !r.errors).length).toBe(1);
    expect(results.filter((r) => r.errors?.[0].extensions?.code === 'CONFLICT').length).toBe(3);
    const [{ signers }] = await sql<{ signers: number }>(
      "select count(*)::int as signers from node where environment_id = ? and role = 'SIGNER'",
      [env],
    );
    expect(signers).toBe(2);
  });
});

describe('node sizes and expandNode (§8.2)', () => {
  const sizeOf = async (id: string) => (await sql<{ size: string }>('select size from node where id = ?', [id]))[0]?.size;

  // [who, client, its seat, expand own node, expand a node of another membership]
  type Row = [string, () => GraphQLClient, () => Seat | null, string, string];
  const rows: Row[] = [
    // The grid lets an administrator act on any membership's node; the licenses are the node's
    // organization's, so only that organization expands it.
    ['ADMINISTRATOR, effective OWNER', () => c.admin.owner.client, () => c.admin, 'ok', 'FORBIDDEN'],
    ['ADMINISTRATOR, account MEMBER without network role', () => adminMember.client, () => c.admin, 'FORBIDDEN', 'FORBIDDEN'],
    ['ADMINISTRATOR, account GUEST', () => adminGuest.client, () => c.admin, 'FORBIDDEN', 'FORBIDDEN'],
    ['MEMBER, effective OWNER', () => plainMember.owner.client, () => plainMember, 'ok', 'FORBIDDEN'],
    ['MEMBER, effective MEMBER', () => signerMemberUser.client, () => signerMember, 'FORBIDDEN', 'FORBIDDEN'],
    ['FROZEN membership', () => frozen.owner.client, () => frozen, 'FORBIDDEN', 'FORBIDDEN'],
    ['organization without a membership', () => outsider, () => null, 'NOT_FOUND', 'NOT_FOUND'],
  ];

  it.each(rows)('%s', async (_who, clientOf, seatOf, own, other) => {
    const client = clientOf();
    const seat = seatOf();
    const someoneElse = seat === c.admin ? plainMember : c.admin;
    const mine = await seedNode(seat ?? someoneElse);
    expectCode(await client.request(ExpandNodeDocument, { id: mine, size: 'MEDIUM' }), own);
    expect(await sizeOf(mine)).toBe(own === 'ok' ? 'MEDIUM' : 'SMALL');
    const theirs = await seedNode(someoneElse);
    expectCode(await client.request(ExpandNodeDocument, { id: theirs, size: 'MEDIUM' }), other);
    expect(await sizeOf(theirs)).toBe('SMALL');
  });

  it('a LEFT membership expands nothing: its consortium is unknown to it', async () => {
    const seat = await addSeat(gw, c, { licenses: 10 });
    const id = await seedNode(seat);
    await setMembershipStatus(seat.membershipId, 'LEFT');
    await seat.owner.client.fails('NOT_FOUND', ExpandNodeDocument, { id, size: 'LARGE', membershipId: seat.membershipId });
    expect(await sizeOf(id)).toBe('SMALL');
  });

  it('an unknown node is NOT_FOUND; the same or a smaller size is BAD_USER_INPUT', async () => {
    const client = plainMember.owner.client;
    await client.fails('NOT_FOUND', ExpandNodeDocument, { id: randomUUID(), size: 'LARGE' });
    const { createNode: node } = await client.ok(CreateNodeDocument, { input: { ...nodeInput('NON_SIGNER'), size: 'MEDIUM' } });
    expect(node.size).toBe('MEDIUM');
    for (const size of ['MEDIUM', 'SMALL'] as const) {
      const error = await client.fails('BAD_USER_INPUT', ExpandNodeDocument, { id: node.id, size });
      expect(error.extensions?.field).toBe('size');
    }
    expect(await sizeOf(node.id)).toBe('MEDIUM');
  });

  it('a size takes 1, 2 or 4 licenses; expanding takes the difference and records NODE_EXPANDED', async () => {
    const seat = await addSeat(gw, c, { licenses: 4 });
    const client = seat.owner.client;
    const { createNode: node } = await client.ok(CreateNodeDocument, { input: nodeInput('NON_SIGNER') });
    expect(node.size).toBe('SMALL');
    const { expandNode } = await client.ok(ExpandNodeDocument, { id: node.id, size: 'MEDIUM' });
    expect(expandNode).toMatchObject({ id: node.id, size: 'MEDIUM', status: 'RUNNING' });
    // 2 of 4 in use: LARGE needs 2 more, which fit; after it nothing is spare.
    await client.ok(ExpandNodeDocument, { id: node.id, size: 'LARGE' });
    const error = await client.fails('LICENSE_EXHAUSTED', CreateNodeDocument, { input: nodeInput('NON_SIGNER') });
    expect(error.extensions).toMatchObject({ licenses: 4, inUse: 4, needed: 1 });
    expect(await eventKinds(node.id)).toEqual(['NODE_CREATED', 'NODE_EXPANDED', 'NODE_EXPANDED']);
    const [event] = await sql<{ payload: Record<string, unknown> }>(
      "select payload from event where subject_id = ? and kind = 'NODE_EXPANDED' order by sequence desc limit 1",
      [node.id],
    );
    expect(event.payload).toMatchObject({ from: 'MEDIUM', to: 'LARGE', additionalLicenses: 2, membershipId: seat.membershipId });
  });

  it('an expansion without the spare licenses is LICENSE_EXHAUSTED and changes nothing; a LARGE node needs 4', async () => {
    const seat = await addSeat(gw, c, { licenses: 3 });
    const client = seat.owner.client;
    await client.fails('LICENSE_EXHAUSTED', CreateNodeDocument, { input: { ...nodeInput('NON_SIGNER'), size: 'LARGE' } });
    const { createNode: node } = await client.ok(CreateNodeDocument, { input: { ...nodeInput('NON_SIGNER'), size: 'MEDIUM' } });
    const error = await client.fails('LICENSE_EXHAUSTED', ExpandNodeDocument, { id: node.id, size: 'LARGE' });
    expect(error.extensions).toMatchObject({ licenses: 3, inUse: 2, needed: 2 });
    expect(await sizeOf(node.id)).toBe('MEDIUM');
    expect(await eventKinds(node.id)).toEqual(['NODE_CREATED']);
  });

  it('expansions and creations racing for the last license: exactly one wins', async () => {
    const seat = await addSeat(gw, c, { licenses: 3 });
    const client = seat.owner.client;
    const a = (await client.ok(CreateNodeDocument, { input: nodeInput('NON_SIGNER') })).createNode.id;
    const b = (await client.ok(CreateNodeDocument, { input: nodeInput('NON_SIGNER') })).createNode.id;
    const results = await Promise.all([
      client.request(ExpandNodeDocument, { id: a, size: 'MEDIUM' }),
      client.request(CreateNodeDocument, { input: nodeInput('NON_SIGNER') }),
      client.request(ExpandNodeDocument, { id: b, size: 'MEDIUM' }),
      client.request(CreateNodeDocument, { input: nodeInput('NON_SIGNER') }),
    ]);
    expect(results.filter((r) => !r.errors).length).toBe(1);
    expect(results.filter((r) => r.errors?.[0].extensions?.code === 'LICENSE_EXHAUSTED').length).toBe(3);
    const [{ n }] = await sql<{ n: number }>(
      `select sum(case size when 'SMALL' then 1 when 'MEDIUM' then 2 else 4 end)::int as n
         from node where membership_id = ? and status = 'RUNNING'`,
      [seat.membershipId],
    );
    expect(n).toBe(3);
  });
});
