import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyIssuedBy } from '../../src/modules/certificate/ca';
import {
  ConnectionProfileDocument,
  ConsortiumEnvironmentsDocument,
  ConsortiumResourcesDocument,
  CreateEnvironmentDocument,
  CreateNodeDocument,
  DeleteEnvironmentDocument,
  EnvironmentByIdDocument,
  NodeByIdDocument,
  UpdateEnvironmentDocument,
  UpgradeEnvironmentDocument,
  UploadCertificateDocument,
} from '../generated/graphql';
import { makeCsr } from '../support/csr';
import { sql } from '../support/db';
import {
  addSeat, createEnv, newConsortium, seatUser, seedCompilation, type Seat, type TestConsortium,
} from '../support/factories/resources';
import { countSql } from '../support/sql-counter';
import { createOrganization, type OrgUser } from '../support/factories/organization';
import { startTestGateway, type TestGateway } from '../support/gateway';
import type { GraphQLClient } from '../support/client';

let gw: TestGateway;
let c: TestConsortium;
// Actors of the grid rows: seat (consortium role, permissions, status) × user (account, network role).
let adminAdmin: OrgUser; // ADMINISTRATOR seat, account ADMIN → effective ADMIN
let adminMember: OrgUser; // ADMINISTRATOR seat, account MEMBER, no network role → effective MEMBER
let adminGuest: OrgUser; // ADMINISTRATOR seat, account GUEST → effective GUEST
let plainMember: Seat; // MEMBER seat, no permission
let manager: Seat; // MEMBER seat holding MANAGE_ENVIRONMENTS
let managerMember: OrgUser; // its account MEMBER without network role → effective MEMBER
let managerNetAdmin: OrgUser; // its account MEMBER with network role ADMIN → effective ADMIN
let frozen: Seat; // FROZEN MEMBER seat holding MANAGE_ENVIRONMENTS
let outsider: GraphQLClient; // an organization without a membership

beforeAll(async () => {
  gw = await startTestGateway({ COMPILER_WORKERS: '1' });
  c = await newConsortium(gw);
  [plainMember, manager, frozen] = await Promise.all([
    addSeat(gw, c),
    addSeat(gw, c, { permissions: ['MANAGE_ENVIRONMENTS'] }),
    addSeat(gw, c, { permissions: ['MANAGE_ENVIRONMENTS'], status: 'FROZEN' }),
  ]);
  [adminAdmin, adminMember, adminGuest, managerMember, managerNetAdmin] = await Promise.all([
    seatUser(gw, c.admin, 'ADMIN'),
    seatUser(gw, c.admin, 'MEMBER'),
    seatUser(gw, c.admin, 'GUEST', 'GUEST'),
    seatUser(gw, manager, 'MEMBER'),
    seatUser(gw, manager, 'MEMBER', 'ADMIN'),
  ]);
  outsider = (await createOrganization(gw, { licenses: 1 })).owner.client;
});
afterAll(() => gw?.stop());

let n = 0;
const envInput = (extra: Record<string, unknown> = {}) => ({
  consortiumId: c.consortiumId,
  name: `chain-${++n}`,
  client: 'BESU' as const,
  consensus: 'QBFT' as const,
  ...extra,
});

async function eventsOf(subjectId: string): Promise<{ kind: string; payload: any; acting_membership_id: string | null }[]> {
  return sql('select kind, payload, acting_membership_id from event where subject_id = ? order by sequence', [subjectId]);
}

describe('createEnvironment', () => {
  it('creates a live environment with its own CA, a chain id and the newest release by default', async () => {
    const { createEnvironment: env } = await c.admin.owner.client.ok(CreateEnvironmentDocument, { input: envInput({ maxSigners: 4 }) });
    expect(env).toMatchObject({ client: 'BESU', consensus: 'QBFT', release: '25.7.0', maxSigners: 4, status: 'LIVE' });
    expect(env.consortium.id).toBe(c.consortiumId);
    expect(env.createdBy?.id).toBe(c.admin.membershipId);
    expect(Number(env.chainId)).toBeGreaterThanOrEqual(1_000_000);
    expect(env.caCertificatePem).toMatch(/^-----BEGIN CERTIFICATE-----/);
    // The CA really is this environment's: a certificate it issues verifies against it.
    const [row] = await sql<{ ca_private_key_encrypted: string }>('select ca_private_key_encrypted from environment where id = ?', [env.id]);
    expect(row.ca_private_key_encrypted).toMatch(/^v1\./); // encrypted at rest, never PKCS#8 in clear
    expect(row.ca_private_key_encrypted).not.toContain('PRIVATE KEY');
    const events = await eventsOf(env.id);
    expect(events.map((e) => e.kind)).toEqual(['ENVIRONMENT_CREATED']);
    expect(events[0].acting_membership_id).toBe(c.admin.membershipId);
  });

  it('refuses catalog violations with BAD_USER_INPUT naming the field', async () => {
    const client = c.admin.owner.client;
    const cases = [
      [{ consensus: 'RAFT' }, 'consensus'],
      [{ release: '1.0.0' }, 'release'],
      [{ maxSigners: 0 }, 'maxSigners'],
      [{ maxSigners: 65 }, 'maxSigners'],
      [{ name: '   ' }, 'name'],
      [{ name: 'x'.repeat(61) }, 'name'],
    ] as const;
    for (const [extra, field] of cases) {
      const error = await client.fails('BAD_USER_INPUT', CreateEnvironmentDocument, { input: envInput(extra as never) });
      expect(error.extensions?.field, JSON.stringify(extra)).toBe(field);
    }
  });

  it('refuses a second live environment with the same name (CONFLICT), also when two requests race', async () => {
    const input = envInput();
    await c.admin.owner.client.ok(CreateEnvironmentDocument, { input });
    await c.admin.owner.client.fails('CONFLICT', CreateEnvironmentDocument, { input });
    const raced = envInput();
    const results = await Promise.all([1, 2, 3].map(() => c.admin.owner.client.request(CreateEnvironmentDocument, { input: raced })));
    expect(results.filter((r) => !r.errors).length).toBe(1);
    expect(results.filter((r) => r.errors?.[0].extensions?.code === 'CONFLICT').length).toBe(2);
  });

  it('frees the name of a deleted environment', async () => {
    const input = envInput();
    const { createEnvironment: env } = await c.admin.owner.client.ok(CreateEnvironmentDocument, { input });
    await c.admin.owner.client.ok(DeleteEnvironmentDocument, { id: env.id });
    await c.admin.owner.client.ok(CreateEnvironmentDocument, { input });
  });
});

describe('the grid for environments', () => {
  // [who, create, update, delete, view]: expected code, or 'ok'.
  const rows: [string, () => GraphQLClient, string, string, string, string][] = [
    ['ADMINISTRATOR, effective OWNER', () => c.admin.owner.client, 'ok', 'ok', 'ok', 'ok'],
    ['ADMINISTRATOR, effective ADMIN', () => adminAdmin.client, 'ok', 'ok', 'FORBIDDEN', 'ok'],
    ['ADMINISTRATOR, account MEMBER without network role', () => adminMember.client, 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'ok'],
    ['ADMINISTRATOR, account GUEST', () => adminGuest.client, 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'ok'],
    ['MEMBER without MANAGE_ENVIRONMENTS (effective OWNER)', () => plainMember.owner.client, 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'ok'],
    ['MEMBER with MANAGE_ENVIRONMENTS (effective OWNER)', () => manager.owner.client, 'ok', 'ok', 'FORBIDDEN', 'ok'],
    ['MEMBER with MANAGE_ENVIRONMENTS, effective MEMBER', () => managerMember.client, 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'ok'],
    ['MEMBER with MANAGE_ENVIRONMENTS, network ADMIN', () => managerNetAdmin.client, 'ok', 'ok', 'FORBIDDEN', 'ok'],
    ['FROZEN membership', () => frozen.owner.client, 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'ok'],
    ['organization without a membership', () => outsider, 'NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND'],
  ];

  it.each(rows)('%s', async (_who, clientOf, create, update, del, view) => {
    const client = clientOf();
    const expectOutcome = async (expected: string, run: () => ReturnType<GraphQLClient['request']>) => {
      const result = await run();
      if (expected === 'ok') expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
      else expect(result.errors?.[0].extensions?.code, JSON.stringify(result.errors)).toBe(expected);
    };
    await expectOutcome(create, () => client.request(CreateEnvironmentDocument, { input: envInput() }));
    const target = await createEnv(c.admin.owner.client, c.consortiumId);
    await expectOutcome(update, () => client.request(UpdateEnvironmentDocument, { id: target, input: { name: `renamed-${++n}` } }));
    await expectOutcome(update, () => client.request(UpgradeEnvironmentDocument, { id: target, release: '25.7.0' }).then(ignoreBadInput));
    await expectOutcome(view, () => client.request(EnvironmentByIdDocument, { id: target }));
    await expectOutcome(view, () => client.request(ConnectionProfileDocument, { id: target }));
    await expectOutcome(del, () => client.request(DeleteEnvironmentDocument, { id: target }));
  });
});

/** An upgrade to the release already running is BAD_USER_INPUT once authorized: count it as allowed. */
function ignoreBadInput<T extends { errors?: { extensions?: { code?: string } }[] }>(result: T): T {
  return result.errors?.[0].extensions?.code === 'BAD_USER_INPUT' ? { ...result, errors: undefined } : result;
}

describe('updateEnvironment and upgradeEnvironment', () => {
  it('renames, changes the signer limit and records ENVIRONMENT_UPDATED with from/to', async () => {
    const id = await createEnv(c.admin.owner.client, c.consortiumId, { maxSigners: 3 });
    const { updateEnvironment: env } = await c.admin.owner.client.ok(UpdateEnvironmentDocument, {
      id, input: { name: `renamed-${++n}`, maxSigners: 5 },
    });
    expect(env.maxSigners).toBe(5);
    const [event] = (await eventsOf(id)).filter((e) => e.kind === 'ENVIRONMENT_UPDATED');
    expect(event.payload.maxSigners).toEqual({ from: 3, to: 5 });
    expect(event.payload.name.to).toBe(env.name);
    // explicit null removes the limit
    const { updateEnvironment: unlimited } = await c.admin.owner.client.ok(UpdateEnvironmentDocument, { id, input: { maxSigners: null } });
    expect(unlimited.maxSigners).toBeNull();
  });

  it('refuses to lower maxSigners below the running signers (CONFLICT)', async () => {
    const id = await createEnv(c.admin.owner.client, c.consortiumId, { maxSigners: 3 });
    for (const name of ['s1', 's2']) {
      await c.admin.owner.client.ok(CreateNodeDocument, { input: { environmentId: id, name, role: 'SIGNER' } });
    }
    const error = await c.admin.owner.client.fails('CONFLICT', UpdateEnvironmentDocument, { id, input: { maxSigners: 1 } });
    expect(error.extensions?.field).toBe('maxSigners');
    await c.admin.owner.client.ok(UpdateEnvironmentDocument, { id, input: { maxSigners: 2 } });
  });

  it('refuses a rename onto another live environment’s name (CONFLICT)', async () => {
    const first = await createEnv(c.admin.owner.client, c.consortiumId, { name: `taken-${++n}` });
    const second = await createEnv(c.admin.owner.client, c.consortiumId);
    const { environment } = await c.admin.owner.client.ok(EnvironmentByIdDocument, { id: first });
    await c.admin.owner.client.fails('CONFLICT', UpdateEnvironmentDocument, { id: second, input: { name: environment.name } });
  });

  it('upgrades only to a strictly newer release of the same client', async () => {
    const { createEnvironment: env } = await c.admin.owner.client.ok(CreateEnvironmentDocument, {
      input: envInput({ release: '24.9.1' }),
    });
    const client = c.admin.owner.client;
    for (const release of ['24.9.1', '1.13.15', 'latest']) {
      const error = await client.fails('BAD_USER_INPUT', UpgradeEnvironmentDocument, { id: env.id, release });
      expect(error.extensions?.field).toBe('release');
    }
    const { upgradeEnvironment: upgraded } = await client.ok(UpgradeEnvironmentDocument, { id: env.id, release: '24.12.2' });
    expect(upgraded.release).toBe('24.12.2');
    await client.fails('BAD_USER_INPUT', UpgradeEnvironmentDocument, { id: env.id, release: '24.9.1' }); // no downgrade
    const updates = (await eventsOf(env.id)).filter((e) => e.kind === 'ENVIRONMENT_UPDATED');
    expect(updates.map((e) => e.payload.release)).toEqual([{ from: '24.9.1', to: '24.12.2' }]);
  });
});

describe('deleteEnvironment', () => {
  it('removes the nodes (freeing licenses), revokes certificates, and hides the environment', async () => {
    const client = c.admin.owner.client;
    const id = await createEnv(client, c.consortiumId);
    const { createNode: node } = await client.ok(CreateNodeDocument, { input: { environmentId: id, name: 'n', role: 'NON_SIGNER' } });
    const { pem } = await makeCsr({ commonName: c.admin.membershipId, organization: c.admin.org.name });
    const { uploadCertificate: cert } = await client.ok(UploadCertificateDocument, { input: { environmentId: id, csrPem: pem } });
    expect(await verifyIssuedBy(cert.pem, (await client.ok(EnvironmentByIdDocument, { id })).environment.caCertificatePem)).toBe(true);

    const { deleteEnvironment } = await client.ok(DeleteEnvironmentDocument, { id });
    expect(deleteEnvironment.status).toBe('DELETED');
    await client.fails('NOT_FOUND', EnvironmentByIdDocument, { id });
    await client.fails('NOT_FOUND', NodeByIdDocument, { id: node.id });
    await client.fails('NOT_FOUND', DeleteEnvironmentDocument, { id });
    expect(await sql('select id from node where environment_id = ?', [id])).toEqual([]);
    const [certRow] = await sql<{ status: string }>('select status from certificate where id = ?', [cert.id]);
    expect(certRow.status).toBe('REVOKED');
    const { consortium } = await client.ok(ConsortiumEnvironmentsDocument, { id: c.consortiumId });
    expect(consortium.environments.nodes.map((e) => e.id)).not.toContain(id);
    const deleted = (await eventsOf(id)).find((e) => e.kind === 'ENVIRONMENT_DELETED');
    expect(deleted?.payload).toMatchObject({ nodesRemoved: 1, certificatesRevoked: 1 });
  });
});

describe('reading environments', () => {
  it('Consortium.environments lists only live ones, and an unknown or malformed id is NOT_FOUND', async () => {
    const live = await createEnv(c.admin.owner.client, c.consortiumId);
    const { consortium } = await adminGuest.client.ok(ConsortiumEnvironmentsDocument, { id: c.consortiumId });
    expect(consortium.environments.nodes.map((e) => e.id)).toContain(live);
    expect(consortium.environments.nodes.every((e) => e.status === 'LIVE')).toBe(true);
    await c.admin.owner.client.fails('NOT_FOUND', EnvironmentByIdDocument, { id: '00000000-0000-0000-0000-000000000000' });
    await c.admin.owner.client.fails('NOT_FOUND', EnvironmentByIdDocument, { id: 'not-a-uuid' });
  });

  it('the connection profile gives chain parameters, running nodes’ endpoints, the caller’s certificate status and the CA', async () => {
    const client = c.admin.owner.client;
    const id = await createEnv(client, c.consortiumId);
    const { createNode: node } = await client.ok(CreateNodeDocument, { input: { environmentId: id, name: 'rpc', role: 'NON_SIGNER' } });
    const before = (await client.ok(ConnectionProfileDocument, { id })).environment.connectionProfile;
    expect(before).toMatchObject({ environmentId: id, membershipId: c.admin.membershipId, client: 'BESU', consensus: 'QBFT', certificateStatus: 'NONE' });
    expect(before.nodes).toEqual([
      expect.objectContaining({ nodeId: node.id, rpcUrl: node.rpcUrl, wsUrl: node.wsUrl }),
    ]);
    expect(node.rpcUrl).toMatch(/^https:\/\/[0-9a-f]{16}\.nodes\.consortium\.local:8545$/);
    // A stopped node (its membership left) is not an endpoint.
    await sql("update node set status = 'STOPPED' where id = ?", [node.id]);
    const { pem } = await makeCsr({ commonName: c.admin.membershipId, organization: c.admin.org.name });
    await client.ok(UploadCertificateDocument, { input: { environmentId: id, csrPem: pem } });
    const after = (await client.ok(ConnectionProfileDocument, { id })).environment.connectionProfile;
    expect(after.nodes).toEqual([]);
    expect(after.certificateStatus).toBe('ACTIVE');
    // Another membership sees its own certificate status.
    const other = (await plainMember.owner.client.ok(ConnectionProfileDocument, { id })).environment.connectionProfile;
    expect(other).toMatchObject({ membershipId: plainMember.membershipId, certificateStatus: 'NONE' });
  });
});

describe('no N+1', () => {
  /** A consortium with `envs` environments of `nodes` nodes each (owned by several memberships) and promoted compilations. */
  async function populated(envs: number, nodes: number): Promise<{ consortiumId: string; client: GraphQLClient }> {
    const x = await newConsortium(gw);
    const seats = [x.admin, await addSeat(gw, x), await addSeat(gw, x)];
    for (let e = 0; e < envs; e++) {
      const env = await createEnv(x.admin.owner.client, x.consortiumId);
      for (let i = 0; i < nodes; i++) {
        await sql(`insert into node (id, environment_id, membership_id, name, role) values (?, ?, ?, ?, 'NON_SIGNER')`, [
          randomUUID(), env, seats[i % seats.length].membershipId, `n${i}`,
        ]);
      }
      const compilation = await seedCompilation(x.consortiumId, seats[e % seats.length].membershipId);
      await sql('insert into compilation_promotion (id, compilation_id, environment_id, promoted_by_id) values (?, ?, ?, ?)', [
        randomUUID(), compilation, env, x.admin.membershipId,
      ]);
    }
    return { consortiumId: x.consortiumId, client: x.admin.owner.client };
  }

  // Each loader is reached from one branch of the query only, so its batches never depend on timing.
  it('a consortium’s environments, nodes, memberships and compilations cost the same statements at any size', async () => {
    const [small, large] = [await populated(2, 2), await populated(6, 5)];
    const measure = async (x: { consortiumId: string; client: GraphQLClient }) =>
      countSql(gw, () => x.client.ok(ConsortiumResourcesDocument, { id: x.consortiumId }));
    const a = await measure(small);
    const b = await measure(large);
    expect(a.result.consortium.environments.nodes.length).toBe(2);
    expect(b.result.consortium.environments.nodes.flatMap((e) => e.nodes.nodes).length).toBe(30);
    expect(b.result.consortium.compilations.nodes.flatMap((x) => x.promotions).length).toBe(6);
    const seatNames = new Set(b.result.consortium.environments.nodes.flatMap((e) => e.nodes.nodes.map((x) => x.membership.displayName)));
    expect(seatNames.size).toBe(3); // three memberships own the nodes
    expect(b.count, b.statements.join('\n')).toBe(a.count);
  });
});
