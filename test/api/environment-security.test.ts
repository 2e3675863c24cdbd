// §8.2 security editing (G.U.): an environment's client allow-list and TLS policy, decided by
// ACCOUNT role alone — an account OWNER or ADMIN of an ACTIVE membership that may
// environment.update — and never granted by a network role; shown on the environment and in the
// connection profile.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvironmentSecurityProfileDocument, UpdateEnvironmentSecurityDocument } from '../generated/graphql';
import type { GraphQLClient, Result } from '../support/client';
import { sql } from '../support/db';
import { setMembershipStatus } from '../support/factories/consortium';
import { createOrganization } from '../support/factories/organization';
import { addSeat, createEnv, newConsortium, seatUser, type Seat, type TestConsortium } from '../support/factories/resources';
import { startTestGateway, type TestGateway } from '../support/gateway';

let gw: TestGateway;
let c: TestConsortium;
let envId: string;
let manager: Seat; // MEMBER holding MANAGE_ENVIRONMENTS
let plain: Seat; // MEMBER without it
let frozen: Seat; // FROZEN, holding MANAGE_ENVIRONMENTS
const clients: Record<string, () => GraphQLClient> = {};

beforeAll(async () => {
  gw = await startTestGateway();
  c = await newConsortium(gw);
  [manager, plain, frozen] = await Promise.all([
    addSeat(gw, c, { permissions: ['MANAGE_ENVIRONMENTS'] }),
    addSeat(gw, c),
    addSeat(gw, c, { permissions: ['MANAGE_ENVIRONMENTS'], status: 'FROZEN' }),
  ]);
  const [adminAccountAdmin, adminMemberNetOwner, adminGuestNetOwner, adminGuest, managerMemberNetOwner, managerAccountAdmin] = await Promise.all([
    seatUser(gw, c.admin, 'ADMIN'),
    seatUser(gw, c.admin, 'MEMBER', 'OWNER'),
    seatUser(gw, c.admin, 'GUEST', 'OWNER'),
    seatUser(gw, c.admin, 'GUEST'),
    seatUser(gw, manager, 'MEMBER', 'OWNER'),
    seatUser(gw, manager, 'ADMIN'),
  ]);
  const outsider = await createOrganization(gw);
  Object.assign(clients, {
    adminOwner: () => c.admin.owner.client,
    adminAccountAdmin: () => adminAccountAdmin.client,
    adminMemberNetOwner: () => adminMemberNetOwner.client,
    adminGuestNetOwner: () => adminGuestNetOwner.client,
    adminGuest: () => adminGuest.client,
    managerOwner: () => manager.owner.client,
    managerAccountAdmin: () => managerAccountAdmin.client,
    managerMemberNetOwner: () => managerMemberNetOwner.client,
    plainOwner: () => plain.owner.client,
    frozenOwner: () => frozen.owner.client,
    outsider: () => outsider.owner.client,
  });
  envId = await createEnv(c.admin.owner.client, c.consortiumId);
});
afterAll(() => gw?.stop());

function expectCode(result: Result<unknown>, expected: string): void {
  if (expected === 'ok') expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  else expect(result.errors?.[0].extensions?.code, JSON.stringify(result.errors)).toBe(expected);
}

const stored = async (id = envId) =>
  (await sql<{ allow_list: string[]; tls_min_version: string }>('select allow_list, tls_min_version from environment where id = ?', [id]))[0];

let n = 0;
describe('who may edit security: the account role decides, no network role grants it', () => {
  // [who, client, expected, the dimension that refuses]
  const rows: [string, string, string][] = [
    ['ADMINISTRATOR seat, account OWNER', 'adminOwner', 'ok'],
    ['ADMINISTRATOR seat, account ADMIN', 'adminAccountAdmin', 'ok'],
    ['ADMINISTRATOR seat, account MEMBER with network role OWNER (effective OWNER)', 'adminMemberNetOwner', 'FORBIDDEN'],
    ['ADMINISTRATOR seat, account GUEST with network role OWNER', 'adminGuestNetOwner', 'FORBIDDEN'],
    // §8.1: without a network role an account GUEST does not see the consortium at all.
    ['ADMINISTRATOR seat, account GUEST without network role', 'adminGuest', 'NOT_FOUND'],
    ['MEMBER seat with MANAGE_ENVIRONMENTS, account OWNER', 'managerOwner', 'ok'],
    ['MEMBER seat with MANAGE_ENVIRONMENTS, account ADMIN', 'managerAccountAdmin', 'ok'],
    ['MEMBER seat with MANAGE_ENVIRONMENTS, account MEMBER with network role OWNER', 'managerMemberNetOwner', 'FORBIDDEN'],
    ['MEMBER seat without MANAGE_ENVIRONMENTS, account OWNER', 'plainOwner', 'FORBIDDEN'],
    ['FROZEN membership with MANAGE_ENVIRONMENTS, account OWNER', 'frozenOwner', 'FORBIDDEN'],
    ['organization without a membership', 'outsider', 'NOT_FOUND'],
  ];

  it.each(rows)('%s → %s', async (_who, client, expected) => {
    const cidr = `10.${++n}.0.0/16`;
    const result = await clients[client]().request(UpdateEnvironmentSecurityDocument, {
      id: envId,
      input: { allowList: [cidr], tls: { minVersion: 'TLS1_3' } },
    });
    expectCode(result, expected);
    expect((await stored()).allow_list.includes(cidr)).toBe(expected === 'ok');
  });

  it('the refusal of a network OWNER names the account role it lacks', async () => {
    const error = await clients.adminMemberNetOwner().fails('FORBIDDEN', UpdateEnvironmentSecurityDocument, {
      id: envId, input: { allowList: [], tls: {} },
    });
    expect(error.extensions).toMatchObject({ have: 'MEMBER' });
  });

  it('a LEFT membership edits nothing: the consortium is unknown to it', async () => {
    const seat = await addSeat(gw, c, { permissions: ['MANAGE_ENVIRONMENTS'] });
    await setMembershipStatus(seat.membershipId, 'LEFT');
    await seat.owner.client.fails('NOT_FOUND', UpdateEnvironmentSecurityDocument, {
      id: envId, input: { allowList: ['192.168.0.0/24'], tls: {} }, membershipId: seat.membershipId,
    });
  });

  it('an unknown environment is NOT_FOUND', async () => {
    await clients.adminOwner().fails('NOT_FOUND', UpdateEnvironmentSecurityDocument, { id: randomUUID(), input: { allowList: [], tls: {} } });
  });
});

describe('the allow-list and TLS policy', () => {
  it('stores ranges canonical, deduplicated and sorted; shows them on the environment and in the connection profile; one event per change', async () => {
    const env = await createEnv(c.admin.owner.client, c.consortiumId);
    const before = await clients.plainOwner().ok(EnvironmentSecurityProfileDocument, { id: env });
    expect(before.environment.security).toEqual({ allowList: [], tls: { minVersion: 'TLS1_2', requireClientCertificate: false } });

    const input = { allowList: ['2001:DB8::/32', '192.168.1.7', '10.0.0.0/8', '10.0.0.0/8'], tls: { minVersion: 'TLS1_3' as const, requireClientCertificate: true } };
    const { updateEnvironmentSecurity } = await clients.adminOwner().ok(UpdateEnvironmentSecurityDocument, { id: env, input });
    const expected = { allowList: ['10.0.0.0/8', '192.168.1.7/32', '2001:db8::/32'], tls: { minVersion: 'TLS1_3', requireClientCertificate: true } };
    expect(updateEnvironmentSecurity.security).toEqual(expected);
    const after = await clients.plainOwner().ok(EnvironmentSecurityProfileDocument, { id: env });
    expect(after.environment.security).toEqual(expected);
    expect(after.environment.connectionProfile.security).toEqual(expected);

    // The same settings again change nothing and record nothing.
    await clients.adminOwner().ok(UpdateEnvironmentSecurityDocument, { id: env, input });
    const events = await sql<{ kind: string; payload: Record<string, unknown> }>(
      "select kind, payload from event where subject_id = ? and kind = 'ENVIRONMENT_SECURITY_UPDATED'", [env],
    );
    expect(events).toHaveLength(1);
    expect(events[0].payload).toMatchObject({ allowList: expected.allowList, previousAllowList: [], tlsMinVersion: 'TLS1_3', previousTlsMinVersion: 'TLS1_2' });
  });

  it.each([
    ['not an address', ['example.com/24']],
    ['a prefix out of range', ['10.0.0.0/33']],
    ['host bits set', ['10.0.0.1/8']],
    ['an octal-looking IPv4', ['010.0.0.0/8']],
    ['an IPv6 zone', ['fe80::1%eth0/128']],
    ['an empty entry', ['']],
    ['more than 100 ranges', Array.from({ length: 101 }, (_v, i) => `10.${i}.0.0/16`)],
  ])('%s is BAD_USER_INPUT and changes nothing', async (_what, allowList) => {
    const before = await stored();
    const result = await clients.adminOwner().request(UpdateEnvironmentSecurityDocument, { id: envId, input: { allowList, tls: {} } });
    expectCode(result, 'BAD_USER_INPUT');
    expect(result.errors?.[0].extensions?.field).toMatch(/^allowList/);
    expect(await stored()).toEqual(before);
  });

  it('an unknown TLS version is BAD_USER_INPUT', async () => {
    const result = await clients.adminOwner().request(
      'mutation($id: ID!, $v: TlsMinVersion) { updateEnvironmentSecurity(id: $id, input: { allowList: [], tls: { minVersion: $v } }) { id } }',
      { id: envId, v: 'TLS1_0' },
    );
    expectCode(result, 'BAD_USER_INPUT');
  });
});
